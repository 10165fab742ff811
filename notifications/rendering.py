"""Placeholders in message templates, and the values a dossier event gives them.

Templates are edited by administrators, so rendering never evaluates more
than a plain `{name}`: no attribute or index look-ups (`{code.__class__}`),
no format specs. An unknown name is refused when the template is saved and
left as it is if it ever reaches rendering.
"""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from eforms.models import DossierStatus

PLACEHOLDERS = {
    "code": _("the dossier code"),
    "procedure": _("the procedure's name"),
    "agency": _("the receiving agency"),
    "status": _("the dossier's new status"),
    "note": _("the agency's note (reason, result, document title)"),
    "items": _("the missing documents, for a supplement request"),
    "deadline": _("the supplement deadline"),
    "appointment": _("the appointment date for the result"),
    "url": _("the dossier's page in My dossiers"),
    "name": _("the applicant's name"),
}

_FIELD = re.compile(r"\{([^{}]*)\}")


def placeholders_in(text: str) -> set[str]:
    return {match.group(1) for match in _FIELD.finditer(text or "")}


def unknown_placeholders(text: str) -> list[str]:
    return sorted(name for name in placeholders_in(text) if name not in PLACEHOLDERS)


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each known `{name}` replaced by its value."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return str(values.get(name, "")) if name in PLACEHOLDERS else match.group(0)

    return _FIELD.sub(replace, text or "")


def _day(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return formats.date_format(value, "d/m/Y")


def _in_language(obj, language: str):
    """The translation of a translatable page or snippet, else itself."""
    if obj is None or not hasattr(obj, "get_translation_or_none"):
        return obj
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None or getattr(obj, "locale_id", None) == locale.pk:
        return obj
    return obj.get_translation_or_none(locale) or obj


def event_values(dossier, event, language: str, base_url: str) -> dict[str, str]:
    """What each placeholder stands for in this event, in `language`."""
    data = event.data or {}
    with translation.override(language):
        deadline = data.get("deadline") or ""
        if deadline:
            try:
                deadline = _day(dt.date.fromisoformat(deadline))
            except ValueError:
                pass
        procedure = _in_language(dossier.procedure, language)
        agency = _in_language(dossier.agency, language)
        status = str(DossierStatus(event.to_status).label) if event.to_status in DossierStatus.values else ""
        url = base_url.rstrip("/") + reverse("my_dossier", args=[dossier.code]) if dossier.code else base_url
        return {
            "code": dossier.code or "",
            "procedure": getattr(procedure, "title", "") or "",
            "agency": getattr(agency, "name", "") or "",
            "status": status,
            "note": event.note or "",
            "items": "; ".join(str(i) for i in data.get("items") or []),
            "deadline": deadline,
            "appointment": _day(dossier.appointment_at or dossier.expected_appointment_at),
            "url": url,
            "name": dossier.applicant_name or (dossier.applicant_snapshot or {}).get("full_name", ""),
        }


def sample_values(language: str) -> dict[str, str]:
    """Made-up values for the template preview in the admin."""
    with translation.override(language):
        return {
            "code": "000.00.10.H30-250714-0042",
            "procedure": str(_("Issuing a judicial record certificate")),
            "agency": str(_("Department of Justice")),
            "status": str(_("Being processed")),
            "note": str(_("Please bring the original ID card when you collect the result.")),
            "items": str(_("Copy of the household registration; 2 photos 4×6")),
            "deadline": "25/07/2025",
            "appointment": "30/07/2025",
            "url": "https://dichvucong.example.vn/ho-so-cua-toi/000.00.10.H30-250714-0042/",
            "name": "Nguyễn Văn An",
        }
