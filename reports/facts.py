"""Keeping the facts current, and rebuilding them.

One function, `contributions`, says what a dossier adds to the facts from
its stored dates (DESIGN.md's definitions); the rest applies it:

- `upkeep` runs on every save of a dossier, inside the same transaction:
  it compares what the dossier adds now with what it added last time
  (`DossierTally`) and appends the difference to the daily, monthly and
  yearly facts as new rows (`delta`; counts may be negative), so counts
  follow the dossier's events and a rolled-back change leaves no trace.
  Appending, not updating a shared row, is what lets two dossiers of one
  agency, procedure and day change at once: an UPDATE of their common row
  would make the second transaction wait for the first one's commit, and a
  receipt's transaction renders and signs a PDF;
- `compact` merges each key's rows back into one (`manage.py
  compact_statistics`, scheduled), while dossiers keep changing;
- `rebuild` recomputes everything from the dossiers (`manage.py
  rebuild_statistics`), streaming them in chunks: the counts it leaves are
  the ones `upkeep` would have reached.

A change to the facts bumps the statistics cache's version once the
transaction commits, so cached pages are refreshed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_save, pre_delete
from django.utils import timezone
from wagtail.models import Locale

from core.cache import VersionedCache
from eforms.models import Dossier, DossierStatus, HandoverMethod
from procedures.calendar import HOURS
from procedures.models import Agency, ProcedurePage
from signing.models import SignedDocument, SignedKind

from .models import DailyFact, DossierTally, FactBase, MonthlyFact, Outcome, YearlyFact

#: The fact tables, finest first.
FACT_MODELS: tuple[type[FactBase], ...] = (DailyFact, MonthlyFact, YearlyFact)

#: Cached statistics (pages, tables, exports) live in this namespace; its
#: version moves whenever the facts change.
statistics_cache = VersionedCache("reports.statistics", timeout=60 * 60)


def clock() -> float:
    """Seconds since the epoch (a function, so tests can move it)."""
    return time.time()


def cached_view(name: str, build):
    """What `build()` returns for one statistics view, built once per
    facts version, and at most once per `PORTAL_STATISTICS_REFRESH_SECONDS`:
    a view built that recently is still served after the facts change, so
    a busy day of dossier events (each one changes the facts) costs one
    rebuild of each view a minute rather than one per visit. With 0 every
    change of the facts refreshes at once."""
    key = f"reports.statistics.view.{name}"
    version = statistics_cache.version()
    now = clock()
    entry = cache.get(key)
    if entry is not None:
        built_version, built_at, value = entry
        if built_version == version or now - built_at < settings.PORTAL_STATISTICS_REFRESH_SECONDS:
            return value
    value = build()
    cache.set(key, (version, now, value), statistics_cache.timeout)
    return value

#: The fields of a dossier `contributions` reads (also what `rebuild` streams).
DOSSIER_FIELDS = (
    "pk", "status", "agency_id", "procedure_id", "channel", "handover_method", "code", "received_at",
    "appointment_at", "original_appointment_at", "completed_at", "returned_at", "closed_at",
    "procedure__processing_unit",
)

Key = tuple  # (agency_id, procedure_id, channel)


@dataclass(frozen=True)
class DossierDates:
    """What `contributions` needs of a dossier, whichever way it was read."""

    status: str
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    original_appointment_at: dt.datetime | None
    completed_at: dt.datetime | None
    returned_at: dt.datetime | None
    closed_at: dt.datetime | None
    unit: str = ""
    handover_method: str = ""
    signed_result: bool = False

    @classmethod
    def of(cls, dossier: Dossier) -> DossierDates:
        done = dossier.status in (DossierStatus.COMPLETED, DossierStatus.RETURNED)
        return cls(
            status=dossier.status, received_at=dossier.received_at, appointment_at=dossier.appointment_at,
            original_appointment_at=dossier.original_appointment_at, completed_at=dossier.completed_at,
            returned_at=dossier.returned_at, closed_at=dossier.closed_at,
            unit=dossier.procedure.processing_unit if dossier.procedure_id else "",
            handover_method=dossier.handover_method or "",
            signed_result=bool(done and dossier.code and signed_results().filter(dossier_code=dossier.code).exists()),
        )


def signed_results():
    """The portal's digitally signed result documents (signing.SignedDocument)."""
    return SignedDocument.objects.filter(kind=SignedKind.RESULT, signed=True)


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def contributions(d: DossierDates) -> list[tuple[dt.date, str]]:
    """The (day, outcome) pairs one dossier adds to the facts now.

    Drafts and dossiers still waiting to be taken in add nothing. A dossier
    counts as received on the day the agency took it in. A completed one is
    early, on time or late by the day it was completed against the day of
    the appointment first promised (the one before any form 04 extension;
    for procedures counted in hours, against the appointment's moment). A
    dossier with no appointment (a procedure without a processing time)
    cannot be late. Waiting for a supplement pauses its clock: no `due`
    while it waits; the appointment moved after the answer counts.
    """
    out: list[tuple[dt.date, str]] = []
    status = d.status
    closed_day = _day(d.closed_at)
    if status == DossierStatus.REJECTED:
        return [(closed_day, Outcome.REFUSED)] if closed_day else []
    if d.received_at is None:
        # Never taken in: only a cancellation or an invalid flag counts.
        if status == DossierStatus.CANCELLED and closed_day:
            out.append((closed_day, Outcome.CANCELLED))
        elif status == DossierStatus.INVALID and closed_day:
            out.append((closed_day, Outcome.INVALID))
        return out

    received_day = _day(d.received_at)
    out.append((received_day, Outcome.RECEIVED))
    due_at = d.original_appointment_at or d.appointment_at
    due_day = _day(due_at)

    left_day = None
    if d.completed_at is not None and status in (DossierStatus.COMPLETED, DossierStatus.RETURNED):
        left_day = _day(d.completed_at)
        if due_at is None:
            outcome = Outcome.ON_TIME
        elif d.unit == HOURS:
            outcome = Outcome.LATE if d.completed_at > due_at else (
                Outcome.EARLY if left_day < due_day else Outcome.ON_TIME)
        elif left_day < due_day:
            outcome = Outcome.EARLY
        elif left_day == due_day:
            outcome = Outcome.ON_TIME
        else:
            outcome = Outcome.LATE
        out.append((left_day, outcome))
        if d.signed_result:
            out.append((left_day, Outcome.SIGNED_RESULT))
        if status == DossierStatus.RETURNED and d.returned_at is not None:
            out.append((_day(d.returned_at), Outcome.RETURNED))
            if d.handover_method == HandoverMethod.ONLINE:
                out.append((_day(d.returned_at), Outcome.RETURNED_ONLINE))
    elif status in (DossierStatus.CANCELLED, DossierStatus.INVALID) and closed_day:
        left_day = closed_day
        out.append((left_day, Outcome.STOPPED))
        out.append((closed_day, Outcome.CANCELLED if status == DossierStatus.CANCELLED else Outcome.INVALID))

    paused = status == DossierStatus.NEEDS_SUPPLEMENT
    if due_day is not None and not paused:
        out.append((due_day, Outcome.DUE))
        if left_day is not None:
            out.append((max(left_day, due_day), Outcome.SETTLED))
    return out


# --- the dimensions, as counted ------------------------------------------------------------------


class DefaultCopies:
    """Maps an agency or procedure id to its default-locale copy's id, so a
    dossier made on a translation counts with the original.

    An object's locale and translation key never change, so the answers are
    kept in the cache for a day; only an id with no default-locale copy yet
    is asked again next time. They are written to the cache once the
    dossier's transaction commits: with the database cache, a write inside
    it would hold the cache row of that agency or procedure until then, and
    every other dossier of theirs would wait for it."""

    TIMEOUT = 24 * 60 * 60

    def __init__(self) -> None:
        self.default_locale_id = cache.get("reports.default_locale")
        if self.default_locale_id is None:
            self.default_locale_id = Locale.get_default().pk
            self._cache_later("reports.default_locale", self.default_locale_id)
        self.known: dict[str, int] = {}

    def _cache_later(self, key: str, value: int) -> None:
        transaction.on_commit(lambda: cache.set(key, value, self.TIMEOUT))

    def _remember(self, key: str, value: int) -> None:
        self.known[key] = value
        self._cache_later(key, value)

    def _map(self, model, pk: int | None) -> int | None:
        if pk is None:
            return None
        key = f"reports.copy.{model.__name__}.{pk}"
        known = self.known.get(key) or cache.get(key)
        if known is not None:
            return known
        row = model.objects.filter(pk=pk).values("locale_id", "translation_key").first()
        if row is None or row["locale_id"] == self.default_locale_id:
            self._remember(key, pk)
            return pk
        original = model.objects.filter(
            translation_key=row["translation_key"], locale_id=self.default_locale_id
        ).values_list("pk", flat=True).first()
        if original is not None:
            self._remember(key, original)
        return original or pk

    def agency(self, pk: int | None) -> int | None:
        return self._map(Agency, pk)

    def procedure(self, pk: int) -> int:
        return self._map(ProcedurePage, pk)

    def preload(self) -> None:
        """Learn every id in two queries (for a rebuild)."""
        for model in (Agency, ProcedurePage):
            rows = list(model.objects.values_list("pk", "locale_id", "translation_key"))
            originals = {key: pk for pk, locale_id, key in rows if locale_id == self.default_locale_id}
            for pk, locale_id, key in rows:
                original = pk if locale_id == self.default_locale_id else originals.get(key)
                if original is not None:
                    self.known[f"reports.copy.{model.__name__}.{pk}"] = original


# --- applying counts -----------------------------------------------------------------------------


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _year(day: dt.date) -> dt.date:
    return day.replace(month=1, day=1)


def apply_delta(delta: Counter) -> bool:
    """Append `delta` ({(key, day, outcome): n}) to the daily, monthly and
    yearly facts: one INSERT per table, rows marked `delta`, no row read or
    updated (see the module's docstring)."""
    daily: Counter = Counter()
    monthly: Counter = Counter()
    yearly: Counter = Counter()
    for (key, day, outcome), n in delta.items():
        if n:
            daily[(key, day, outcome)] += n
            monthly[(key, _month(day), outcome)] += n
            yearly[(key, _year(day), outcome)] += n
    for model, counts in ((DailyFact, daily), (MonthlyFact, monthly), (YearlyFact, yearly)):
        rows = [model(**{model.PERIOD: period}, agency_id=key[0], procedure_id=key[1], channel=key[2],
                      outcome=outcome, count=n, delta=True)
                for (key, period, outcome), n in counts.items() if n]
        if rows:
            model.objects.bulk_create(rows)
    return bool(daily)


def _facts_of(key: Key, pairs: Iterable) -> Counter:
    return Counter((key, day if isinstance(day, dt.date) else dt.date.fromisoformat(day), outcome)
                   for day, outcome in pairs)


def upkeep(dossier: Dossier, copies: DefaultCopies | None = None) -> bool:
    """Bring the facts in line with `dossier` as saved; True if they moved."""
    with transaction.atomic():
        return _upkeep(dossier, copies or DefaultCopies())


def _upkeep(dossier: Dossier, copies: DefaultCopies) -> bool:
    pairs = contributions(DossierDates.of(dossier)) if dossier.procedure_id else []
    key = (copies.agency(dossier.agency_id), copies.procedure(dossier.procedure_id), dossier.channel)
    tally = DossierTally.objects.select_for_update().filter(dossier_id=dossier.pk).first()
    new = _facts_of(key, pairs)
    old = Counter()
    if tally is not None:
        old = _facts_of((tally.agency_id_counted, tally.procedure_id_counted, tally.channel), tally.facts)
    delta = Counter(new)
    delta.subtract(old)
    if not any(delta.values()):
        return False
    apply_delta(delta)
    stored = [[day.isoformat(), outcome] for day, outcome in pairs]
    if not pairs:
        DossierTally.objects.filter(dossier_id=dossier.pk).delete()
    elif tally is None:
        DossierTally.objects.create(dossier_id=dossier.pk, agency_id_counted=key[0], procedure_id_counted=key[1],
                                    channel=key[2], facts=stored)
    else:
        DossierTally.objects.filter(pk=tally.pk).update(
            agency_id_counted=key[0], procedure_id_counted=key[1], channel=key[2], facts=stored)
    transaction.on_commit(statistics_cache.invalidate)
    return True


def forget(dossier: Dossier) -> None:
    """Take a deleted dossier's counts out."""
    with transaction.atomic():
        tally = DossierTally.objects.select_for_update().filter(dossier_id=dossier.pk).first()
        if tally is None:
            return
        delta = Counter()
        delta.subtract(_facts_of((tally.agency_id_counted, tally.procedure_id_counted, tally.channel),
                                 tally.facts))
        apply_delta(delta)
        tally.delete()
    transaction.on_commit(statistics_cache.invalidate)


def dossier_saved(sender, instance: Dossier, raw: bool = False, **kwargs) -> None:
    if raw or instance.status == DossierStatus.DRAFT and instance.received_at is None:
        # Fixtures load as they are; a draft adds nothing and had nothing.
        return
    upkeep(instance)


def dossier_deleted(sender, instance: Dossier, **kwargs) -> None:
    forget(instance)


def signed_document_saved(sender, instance: SignedDocument, raw: bool = False, **kwargs) -> None:
    """A result signed after its dossier was saved still counts."""
    if raw or instance.kind != SignedKind.RESULT or not instance.dossier_code:
        return
    dossier = Dossier.objects.filter(code=instance.dossier_code).select_related("procedure").first()
    if dossier is not None:
        upkeep(dossier)


def connect() -> None:
    post_save.connect(dossier_saved, sender=Dossier, dispatch_uid="reports_facts_upkeep")
    post_save.connect(signed_document_saved, sender=SignedDocument, dispatch_uid="reports_facts_signed")
    pre_delete.connect(dossier_deleted, sender=Dossier, dispatch_uid="reports_facts_forget")


# --- rebuilding ----------------------------------------------------------------------------------


def _moment(value) -> dt.datetime | None:
    """A datetime column as read by the raw cursor, aware in UTC (SQLite
    gives the stored UTC text, PostgreSQL an aware datetime), as the ORM
    would return it."""
    if value is None or isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC)


def _stream(chunk: int) -> Iterator[tuple]:
    """Every dossier that may count, as value tuples in `DOSSIER_FIELDS`
    order (the code replaced by whether its result is signed), in
    primary-key order: read in keyset pages with a raw cursor
    (one table, no model instances, no per-value converters), the
    procedure's processing unit from a map read once."""
    from django.db import connection

    units = dict(ProcedurePage.objects.values_list("pk", "processing_unit"))
    meta = Dossier._meta
    quote = connection.ops.quote_name
    names = [name for name in DOSSIER_FIELDS if name != "procedure__processing_unit"]
    signed = set(signed_results().exclude(dossier_code="").values_list("dossier_code", flat=True))
    columns = ", ".join(quote(meta.pk.column if name == "pk" else meta.get_field(name).column) for name in names)
    pk = quote(meta.pk.column)
    sql = (f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('status').column)} <> %s "
           f"AND {pk} > %s ORDER BY {pk} LIMIT %s")
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [DossierStatus.DRAFT, last, chunk])
            batch = cursor.fetchall()
        if not batch:
            return
        for pk_value, status, agency_id, procedure_id, channel, handover, code, *moments in batch:
            yield (pk_value, status, agency_id, procedure_id, channel, handover or "", code in signed,
                   *(_moment(m) for m in moments), units.get(procedure_id))
        last = batch[-1][0]


def _insert(model, fields: list[str], rows: Iterable[tuple], batch: int) -> None:
    """Insert plain value tuples (already prepared for the database) in
    batches with one statement each, without making model instances."""
    from django.db import connection

    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    pending: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                pending = []
        if pending:
            cursor.executemany(sql, pending)


@dataclass
class RebuildResult:
    dossiers: int
    daily_rows: int
    monthly_rows: int


def rebuild(chunk: int = 20_000) -> RebuildResult:
    """Recompute every tally and fact from the dossiers, in one transaction
    (readers see the old facts until it commits). The counts are the ones
    `upkeep` reaches, one row per key as `compact` leaves them; they are
    inserted as plain values (a million dossiers would otherwise make
    millions of model instances)."""
    from django.db import connection

    copies = DefaultCopies()
    copies.preload()
    daily: Counter = Counter()
    counted = 0
    facts_field = DossierTally._meta.get_field("facts")
    prepare_date = connection.ops.adapt_datefield_value
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Plain deletes: nothing points at these rows, and the ORM's
            # delete would load every row for the signals other apps listen to.
            for model in (DossierTally, DailyFact, MonthlyFact, YearlyFact):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")

        def tallies() -> Iterator[tuple]:
            nonlocal counted
            for (pk, status, agency_id, procedure_id, channel, handover, signed, received_at, appointment_at,
                 original_at, completed_at, returned_at, closed_at, unit) in _stream(chunk):
                pairs = contributions(DossierDates(
                    status=status, received_at=received_at, appointment_at=appointment_at,
                    original_appointment_at=original_at, completed_at=completed_at, returned_at=returned_at,
                    closed_at=closed_at, unit=unit or "", handover_method=handover,
                    signed_result=signed and status in (DossierStatus.COMPLETED, DossierStatus.RETURNED)))
                if not pairs:
                    continue
                counted += 1
                key = (copies.agency(agency_id), copies.procedure(procedure_id), channel)
                for day, outcome in pairs:
                    daily[(key, day, outcome)] += 1
                stored = [[day.isoformat(), o] for day, o in pairs]
                yield (pk, key[0], key[1], channel, facts_field.get_db_prep_save(stored, connection))

        _insert(DossierTally, ["dossier", "agency_id_counted", "procedure_id_counted", "channel", "facts"],
                tallies(), chunk)
        monthly: Counter = Counter()
        yearly: Counter = Counter()
        for (key, day, outcome), n in daily.items():
            monthly[(key, _month(day), outcome)] += n
            yearly[(key, _year(day), outcome)] += n
        for model, counts in ((DailyFact, daily), (MonthlyFact, monthly), (YearlyFact, yearly)):
            _insert(model, [model.PERIOD, "agency", "procedure", "channel", "outcome", "count", "delta"],
                    ((prepare_date(period), key[0], key[1], key[2], outcome, n, False)
                     for (key, period, outcome), n in counts.items()), chunk)
        transaction.on_commit(statistics_cache.invalidate)
    return RebuildResult(dossiers=counted, daily_rows=len(daily), monthly_rows=len(monthly))


# --- compacting ----------------------------------------------------------------------------------


@dataclass
class CompactResult:
    keys: int = 0
    rows_read: int = 0
    rows_written: int = 0

    def __iadd__(self, other: CompactResult) -> CompactResult:
        self.keys += other.keys
        self.rows_read += other.rows_read
        self.rows_written += other.rows_written
        return self


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def compact(keys_per_transaction: int = 200) -> CompactResult:
    """Merge each key's fact rows into one row holding their sum, for every
    key changed since the last compaction (those with a `delta` row), while
    `upkeep` goes on appending; the sums, hence every figure, stay the same.

    Per table: the highest id now is the ceiling; the keys of the `delta`
    rows at or under it come from a small partial index. Then, for a batch
    of keys in one short transaction, the rows of those keys at or under the
    ceiling are read and locked (SELECT … FOR UPDATE, in id order), deleted
    by id and replaced by one row per key with their sum (no row when it is
    0). The rows read are exactly the rows deleted: a change appended
    meanwhile (above the ceiling, or not yet committed) is left for the next
    run, and of two compactions at once (or a compaction and a rebuild) the
    second waits for the first's row locks, then skips the rows it deleted:
    nothing is counted twice or lost. Appending never waits for these locks
    (no row is updated, and no unique key is shared)."""
    total = CompactResult()
    for model in FACT_MODELS:
        ceiling = model.objects.aggregate(top=Max("pk"))["top"]
        if ceiling is None:
            continue
        keys = list(model.objects.filter(delta=True, pk__lte=ceiling).values_list(*model.key_fields())
                    .distinct().order_by())
        for batch in _chunks(keys, keys_per_transaction):
            total += _compact_keys(model, batch, ceiling)
    return total


def _delete_ids(model: type[FactBase], ids: list[int]) -> None:
    """A plain DELETE by id (as in `rebuild`: the ORM's delete would load
    every row for the delete signals other apps listen to)."""
    from django.db import connection

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for part in _chunks(ids, 900):  # within SQLite's bound parameters
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} "
                           f"IN ({', '.join(['%s'] * len(part))})", part)


def _compact_keys(model: type[FactBase], keys: list[tuple], ceiling: int) -> CompactResult:
    """Merge the rows of `keys` at or under `ceiling`, in one transaction.
    Plain SQL: the ORM would spend milliseconds per key building the
    condition, more than the database spends on the rows."""
    from django.db import connection

    quote = connection.ops.quote_name
    meta = model._meta
    names = [model.PERIOD, "agency", "procedure", "channel", "outcome"]
    columns = [quote(meta.get_field(name).column) for name in names]
    terms, params = [], [ceiling]
    for period, *rest in keys:
        parts = [f"{columns[0]} = %s"]
        params.append(connection.ops.adapt_datefield_value(period))
        for column, value in zip(columns[1:], rest, strict=True):
            if value is None:
                parts.append(f"{column} IS NULL")
            else:
                parts.append(f"{column} = %s")
                params.append(value)
        terms.append(f"({' AND '.join(parts)})")
    pk = quote(meta.pk.column)
    sql = (f"SELECT {pk}, {', '.join(columns)}, {quote(meta.get_field('count').column)} "
           f"FROM {quote(meta.db_table)} WHERE {pk} <= %s AND ({' OR '.join(terms)}) ORDER BY {pk}")
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        sums: Counter = Counter()
        for _pk, *key, count in rows:
            sums[tuple(key)] += count
        _delete_ids(model, [row[0] for row in rows])
        merged = [(*key, n, False) for key, n in sums.items() if n]
        _insert(model, [*names, "count", "delta"], merged, 1000)
    return CompactResult(keys=len(sums), rows_read=len(rows), rows_written=len(merged))
