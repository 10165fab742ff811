"""Builders for the message tests: a submitted dossier whose applicant gave
an email, a phone and (or not) their consent to SMS."""

from __future__ import annotations

import json

from django.conf import settings

from eforms import lifecycle
from eforms.services import applicant_snapshot
from tests.dossier_factories import make_citizen, make_procedure, make_staff, submit


def make_dossier(*, language: str = "vi", consent: bool | None = True, username: str = "an", procedure=None):
    procedure = procedure or make_procedure()
    citizen = make_citizen(username)
    snapshot = applicant_snapshot(citizen)
    if consent is not None:
        snapshot["sms_consent"] = consent
    dossier = submit(procedure, citizen, snapshot=snapshot, language=language)
    staff = make_staff(f"{username}-receiver", procedure.agency, "receiver", "handler")
    return dossier, lifecycle.Actor.staff(staff)


def sms_lines() -> list[dict]:
    """What the file backend wrote."""
    path = settings.PORTAL_SMS_FILE_DIR / "sms.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def clear_sms_file() -> None:
    (settings.PORTAL_SMS_FILE_DIR / "sms.jsonl").unlink(missing_ok=True)
