"""Supplement requests seen from the agency's side: what the applicant
changed since the request, and the requests left unanswered past their
deadline. The request and the answer themselves are `eforms.lifecycle`'s
(`request_supplement`, `answer_supplement`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from eforms.models import Attachment, Dossier, DossierEvent, DossierStatus

GENERAL = "files"


def supplement_field(index: int) -> str:
    """The upload field (and the attachments' `field_name`) answering item
    number `index` of a supplement request."""
    return f"supplement_item_{index}"


@dataclass
class SupplementChange:
    """One requested item (or, with `item` empty, whatever came without an
    item: other files and the applicant's message) and what answered it."""

    item: str
    index: int | None
    files: list[Attachment] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.files or self.answers)


def last_request(dossier: Dossier) -> DossierEvent | None:
    return dossier.events.filter(action="request_supplement").order_by("-created_at", "-pk").first()


def supplement_changes(dossier: Dossier) -> list[SupplementChange]:
    """What reached the dossier since its last supplement request: for each
    requested item the files uploaded for it, then one entry (item "") with
    the files sent without an item and the answers' messages. Empty when no
    supplement was ever requested. The handler's screen shows it, so they
    need not diff the attachments by hand."""
    request = last_request(dossier)
    if request is None:
        return []
    items = [str(i) for i in (request.data or {}).get("items") or []]
    changes = [SupplementChange(item, index) for index, item in enumerate(items)]
    general = SupplementChange("", None)
    by_field = {supplement_field(i): change for i, change in enumerate(changes)}
    answers = dossier.events.filter(action="answer_supplement", created_at__gte=request.created_at).exclude(
        pk__lte=request.pk
    )
    files = Attachment.objects.filter(dossier=dossier).filter(
        event__in=answers
    ) | Attachment.objects.filter(dossier=dossier, event__isnull=True, created_at__gt=request.created_at)
    for attachment in files.distinct().order_by("created_at", "pk"):
        by_field.get(attachment.field_name, general).files.append(attachment)
    for event in answers.order_by("created_at", "pk"):
        if event.note.strip():
            general.answers.append(event.note.strip())
    return changes + ([general] if general.answered else [])


def overdue_supplements(now: dt.datetime | None = None) -> QuerySet[Dossier]:
    """Dossiers waiting for a supplement whose deadline (a date, inclusive)
    has passed, not flagged yet."""
    today = timezone.localdate(now or timezone.now())
    return Dossier.objects.filter(
        status=DossierStatus.NEEDS_SUPPLEMENT, supplement_deadline__lt=today, supplement_overdue_at__isnull=True
    ).order_by("supplement_deadline", "pk")
