"""The public status look-up (seed 003, "Tra cứu thông tin trạng thái hồ
sơ"; DESIGN.md, "Cross-cutting rules"): finding dossiers, what the public
may see of them, and the throttles. The page at /lookup/ is
`eforms.views.lookup`.

Two ways in:
* the dossier code with a second fact: the applicant's ID number or phone;
* the ID number with full name and date of birth: that person's dossiers.

The answer shows status, receiving agency, dates and the history of
statuses, and nothing personal (no name, number, address, notes or files).
"Not found" and "does not match" get the same words, so the page cannot be
used to learn whether a code or a number exists. Look-ups are POSTed (ID
numbers stay out of URLs and logs) and rate-limited per client address, per
dossier code and per ID number, in the cache, with limits that end by
themselves. The QR code on the receipt lands here with `?code=` filled in.

Every query hits an index: `Dossier.code` is unique, the ID number and the
phone are indexed columns copied from the applicant's snapshot.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from accounts.validators import normalise_phone
from core.client import client_ip
from eforms.lifecycle import public_events
from eforms.localized import localized_attr
from eforms.models import Dossier, DossierStatus

#: (attempts, seconds) per client address, and per dossier code.
RATE_PER_ADDRESS = getattr(settings, "PORTAL_LOOKUP_RATE_PER_ADDRESS", (20, 600))
RATE_PER_CODE = getattr(settings, "PORTAL_LOOKUP_RATE_PER_CODE", (10, 3600))
#: Failed look-ups per ID number, from any address: the ID number gives the
#: year of birth, so name and birth date are a few hundred guesses away.
RATE_PER_ID_NUMBER = getattr(settings, "PORTAL_LOOKUP_RATE_PER_ID_NUMBER", (5, 3600))
MAX_RESULTS = 50


# ---------------------------------------------------------------- matching


def _name_key(value: str) -> str:
    """Names compare case-insensitively, with spaces tidied (diacritics kept)."""
    return " ".join(unicodedata.normalize("NFC", value or "").casefold().split())


def submitted_with_code(code: str) -> Dossier | None:
    """The submitted (not draft) dossier with this code, if any."""
    return (
        Dossier.objects.select_related("procedure", "agency").exclude(status=DossierStatus.DRAFT)
        .filter(code=code).first()
    )


def find_by_code(code: str, secret: str) -> list[Dossier]:
    """The dossier with this code whose applicant's ID number or phone is
    `secret`; [] when there is none or it does not match."""
    dossier = submitted_with_code(code)
    if dossier is None:
        return []
    digits = re.sub(r"\D", "", secret)
    matches = (
        (dossier.applicant_id_number and digits == dossier.applicant_id_number)
        or (dossier.applicant_phone and normalise_phone(secret) == dossier.applicant_phone)
    )
    return [dossier] if matches else []


def find_by_code_and_phone_ending(code: str, ending: str) -> list[Dossier]:
    """The look-up by SMS (`notifications.inbound`): the dossier with this
    code whose applicant's phone ends with the four digits `ending`; [] when
    there is none or it does not match. Four digits are a weak second fact:
    callers must apply RATE_PER_CODE to failures, as the page does."""
    if not re.fullmatch(r"\d{4}", ending or ""):
        return []
    dossier = submitted_with_code(code)
    if dossier is None or not dossier.applicant_phone:
        return []
    return [dossier] if re.sub(r"\D", "", dossier.applicant_phone).endswith(ending) else []


def find_by_person(id_number: str, full_name: str, date_of_birth: dt.date) -> list[Dossier]:
    candidates = (
        Dossier.objects.select_related("procedure", "agency").exclude(status=DossierStatus.DRAFT)
        .filter(applicant_id_number=id_number, applicant_date_of_birth=date_of_birth)
        .order_by("-submitted_at", "-pk")[: MAX_RESULTS * 2]
    )
    wanted = _name_key(full_name)
    return [d for d in candidates if _name_key(d.applicant_name) == wanted][:MAX_RESULTS]


# ---------------------------------------------------------------- what is shown


@dataclass
class PublicStep:
    status: str
    at: dt.datetime


@dataclass
class PublicDossier:
    """A dossier as the public may see it: no personal data."""

    code: str
    procedure: str
    agency: str
    status: str
    status_code: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    appointment: dt.date | None
    appointment_expected: bool
    completed_at: dt.datetime | None
    returned_at: dt.datetime | None
    supplement_deadline: dt.date | None
    history: list[PublicStep]


def public_view(dossier: Dossier) -> PublicDossier:
    # The internal steps (forwarding, co-handling, approval) are not public.
    events = public_events(dossier).values_list("to_status", "created_at")
    history = [PublicStep(DossierStatus(status).label, at) for status, at in events if status]
    return PublicDossier(
        code=dossier.code,
        procedure=localized_attr(dossier.procedure, "title"),
        agency=localized_attr(dossier.agency, "name"),
        status=str(dossier.status_label),
        status_code=dossier.status,
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        appointment=dossier.appointment_date,
        appointment_expected=dossier.appointment_at is None,
        completed_at=dossier.completed_at,
        returned_at=dossier.returned_at,
        supplement_deadline=dossier.supplement_deadline,
        history=history,
    )


# ---------------------------------------------------------------- rate limits


def client_address(request) -> str:
    return client_ip(request) or "unknown"


#: The throttles' clock; tests move it to end a window.
clock = time.time


def _key(kind: str, value: str, window: int) -> str:
    # Keyed by a keyed hash: no ID number or address sits in the cache.
    digest = salted_hmac("eforms.lookup.rate", f"{kind}:{value}").hexdigest()[:32]
    return f"lookup-rate:{kind}:{digest}:{window}"


def _window(seconds: int) -> int:
    return int(clock() // seconds)


def hit(kind: str, value: str, limit: tuple[int, int]) -> bool:
    """Count one attempt in the current fixed window; False when over the
    limit. Windows are aligned to the clock, so a limit ends by itself, and
    the count is an atomic increment, so parallel requests cannot slip by."""
    attempts, seconds = limit
    key = _key(kind, value, _window(seconds))
    cache.add(key, 0, seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 1, seconds * 2)
        count = 1
    return count <= attempts


def limited(kind: str, value: str, limit: tuple[int, int]) -> bool:
    attempts, seconds = limit
    return (cache.get(_key(kind, value, _window(seconds))) or 0) >= attempts
