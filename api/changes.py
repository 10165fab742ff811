"""The change feed: "which of my agency's dossiers are new or changed since
I last asked", with a cursor that neither skips nor repeats under
concurrent writes.

Why not `updated_at`: it is set inside the writing transaction, and two
transactions may commit in the other order than their clocks, so a reader
that has already passed a time can later find a row dated before it. So
every change of a dossier appends a row to `DossierChange` in the same
transaction (the receivers below: a dossier saved outside the draft
status, an event written), with an ever-growing `seq`. A `seq` is handed
out when the row is inserted, not when it commits, so the same trap waits
there too; it is closed per database:

* PostgreSQL: each row also holds its transaction's id (`txid_current()`).
  The feed is ordered by `(txid, seq)` and reads only rows whose
  transaction id is below the oldest transaction still running
  (`txid_snapshot_xmin(txid_current_snapshot())`): every transaction that
  could still add a row before that point has ended, so whatever comes
  later sorts after the cursor. A change shows up once every transaction
  that started writing before it has ended.
* SQLite runs one writing transaction at a time (the portal's IMMEDIATE
  transactions), so rows commit in `seq` order; `txid` stays 0.

A dossier's older rows are deleted when it changes again, and the feed
skips a row when a newer one of the same dossier exists: the newest row
delivers the dossier, with its state as it is when read. So a client that
has read up to a cursor has seen every dossier changed before that point
at least in that state, and each change is delivered once.

The cursor is `(txid, seq)` of the last row read, opaque to the client.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BigIntegerField, Exists, OuterRef, Q
from django.db.models.expressions import Func, RawSQL
from django.db.models.signals import post_save

from eforms.models import Dossier, DossierEvent, DossierStatus

from .models import DossierChange

CURSOR_RE = re.compile(r"^v1\.(\d{1,20})\.(\d{1,20})$")


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    txid: int = 0
    seq: int = 0

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"v1.{self.txid}.{self.seq}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise BadCursor(value) from error
        match = CURSOR_RE.fullmatch(text)
        if not match:
            raise BadCursor(value)
        return cls(int(match.group(1)), int(match.group(2)))


def _postgresql(using: str | None = None) -> bool:
    from django.db import connections

    return (connections[using] if using else connection).vendor == "postgresql"


def record(dossier_id: int, agency_id: int | None, using: str | None = None) -> None:
    """Append a change of this dossier (inside the caller's transaction)."""
    txid = Func(function="txid_current", output_field=BigIntegerField()) if _postgresql(using) else 0
    manager = DossierChange.objects.using(using) if using else DossierChange.objects
    manager.filter(dossier_id=dossier_id).delete()
    manager.create(dossier_id=dossier_id, agency_id=agency_id, txid=txid)


def dossier_saved(sender, instance: Dossier, raw: bool = False, using=None, **kwargs) -> None:
    if raw or instance.status == DossierStatus.DRAFT:
        return
    record(instance.pk, instance.agency_id, using)


def event_saved(sender, instance: DossierEvent, created: bool = False, raw: bool = False, using=None,
                **kwargs) -> None:
    if raw or not created:
        return
    agency_id = Dossier.objects.using(using).filter(pk=instance.dossier_id).values_list("agency_id", flat=True).first()
    record(instance.dossier_id, agency_id, using)


def connect() -> None:
    post_save.connect(dossier_saved, sender=Dossier, dispatch_uid="api_dossier_change")
    post_save.connect(event_saved, sender=DossierEvent, dispatch_uid="api_dossier_event_change")


# ---------------------------------------------------------------- reading


def _settled(queryset):
    """Only rows no running transaction can still precede (PostgreSQL), and
    the reader's own (a transaction sees its own writes)."""
    if not _postgresql(queryset.db):
        return queryset
    horizon = RawSQL("txid_snapshot_xmin(txid_current_snapshot())", [], output_field=BigIntegerField())
    own = RawSQL("txid_current_if_assigned()", [], output_field=BigIntegerField())
    return queryset.filter(Q(txid__lt=horizon) | Q(txid=own))


def _after(cursor: Cursor) -> Q:
    return Q(txid__gt=cursor.txid) | Q(txid=cursor.txid, seq__gt=cursor.seq)


@dataclass
class Page:
    dossiers: list[Dossier]
    cursor: Cursor
    has_more: bool


def read(agency_ids: list[int], cursor: Cursor | None, limit: int) -> Page:
    """The next changed dossiers of these agencies (every locale copy's pk)
    after `cursor`, oldest change first."""
    cursor = cursor or Cursor()
    newer = DossierChange.objects.filter(dossier_id=OuterRef("dossier_id")).filter(
        Q(txid__gt=OuterRef("txid")) | Q(txid=OuterRef("txid"), seq__gt=OuterRef("seq")))
    rows = list(
        _settled(DossierChange.objects.filter(agency_id__in=agency_ids)).filter(_after(cursor))
        .annotate(superseded=Exists(newer)).order_by("txid", "seq")
        .values_list("txid", "seq", "dossier_id", "superseded")[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        cursor = Cursor(rows[-1][0], rows[-1][1])
    wanted = [dossier_id for _txid, _seq, dossier_id, superseded in rows if not superseded]
    found = Dossier.objects.select_related("procedure", "agency").in_bulk(wanted)
    seen: set[int] = set()
    dossiers = []
    for dossier_id in wanted:
        if dossier_id in found and dossier_id not in seen:
            seen.add(dossier_id)
            dossiers.append(found[dossier_id])
    return Page(dossiers, cursor, has_more)
