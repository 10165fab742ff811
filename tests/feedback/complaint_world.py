"""Builders for the feedback tests (no tests here)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from feedback import complaints as services
from tests.dossier_factories import WARD_CODE, make_agency, make_citizen, make_procedure, make_staff, submit


def monday_morning() -> dt.datetime:
    """09:00 on Monday 5 January 2026, local time (a working day)."""
    return timezone.make_aware(dt.datetime(2026, 1, 5, 9, 0))


def world():
    procedure = make_procedure()
    other_agency = make_agency(WARD_CODE, "Phường Tân Lập")
    citizen = make_citizen("feedback-citizen")
    dossier = submit(procedure, citizen)
    return {
        "procedure": procedure,
        "agency": procedure.agency,
        "other_agency": other_agency,
        "citizen": citizen,
        "other_citizen": make_citizen("feedback-other", id_number="001099099999", phone="0987654321"),
        "dossier": dossier,
        "staff": make_staff("feedback-receiver", procedure.agency, "receiver"),
        "other_staff": make_staff("feedback-other-receiver", other_agency, "receiver"),
    }


def complaint(w, *, agency=None, email="an@example.vn", phone="", **kwargs):
    fields = {"subject": "agency", "title": "Chờ lâu", "body": "Tôi phải chờ hai giờ.", "name": "Nguyễn Văn An",
              "email": email, "phone": phone, "agency": agency or w["agency"]}
    fields.update(kwargs)
    return services.submit(**fields)
