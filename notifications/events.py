"""Which dossier events are announced to the applicant, and by which channel.

The one table: `ANNOUNCEMENTS` maps a `DossierEvent.action` (written by
`eforms.lifecycle`) to the kind of message and its channels. An action that
is not listed (the back office's internal steps: forwarding, co-handling,
approval) is not announced.

* `submit` is the applicant's own act and eforms already emails the receipt
  (with the PDF), so it gets an SMS only.
* `issue_document` is the event the back office writes when it issues a
  Circular 03/2025 document (its title in the event's note).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Dossier submitted")
    RECEIVED = "received", _("Dossier received")
    REJECTED = "rejected", _("Dossier refused")
    PROCESSING = "processing", _("Processing started")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    SUPPLEMENT_ANSWERED = "supplement_answered", _("Supplement received")
    RESULT_READY = "result_ready", _("Result ready")
    RETURNED = "returned", _("Result handed over")
    WITHDRAWN = "withdrawn", _("Dossier withdrawn")
    CANCELLED = "cancelled", _("Dossier cancelled")
    INVALID = "invalid", _("Dossier data invalid")
    DOCUMENT_ISSUED = "document_issued", _("Document issued")


BOTH = (Channel.EMAIL, Channel.SMS)

#: action → (kind, channels)
ANNOUNCEMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "submit": (EventKind.SUBMITTED, (Channel.SMS,)),
    "receive": (EventKind.RECEIVED, BOTH),
    "reject": (EventKind.REJECTED, BOTH),
    "start_processing": (EventKind.PROCESSING, BOTH),
    "request_supplement": (EventKind.SUPPLEMENT_REQUESTED, BOTH),
    "answer_supplement": (EventKind.SUPPLEMENT_ANSWERED, BOTH),
    "complete": (EventKind.RESULT_READY, BOTH),
    "return_result": (EventKind.RETURNED, BOTH),
    "withdraw": (EventKind.WITHDRAWN, BOTH),
    "cancel": (EventKind.CANCELLED, BOTH),
    "mark_invalid": (EventKind.INVALID, BOTH),
    "issue_document": (EventKind.DOCUMENT_ISSUED, BOTH),
}


def announcement(action: str) -> tuple[str, tuple[str, ...]] | None:
    return ANNOUNCEMENTS.get(action)
