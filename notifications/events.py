"""Which dossier events are announced to the applicant, and by which channel.

The one table: `ANNOUNCEMENTS` maps a `DossierEvent.action` (written by
`eforms.lifecycle`) to the kind of message and its channels. An action that
is not listed (the back office's internal steps: forwarding, co-handling,
approval) is not announced.

* `submit` is the applicant's own act and eforms already emails the receipt
  (with the PDF), so it gets an SMS only.
* `issue_document` is the event the back office writes when it issues a
  Circular 03/2025 document (its title in the event's note).
* `fee_notice`, `payment_*` are written by the payments app and `postal_*`
  by the postal home service, as steps (no status change); their default
  wording is in those apps' data migrations.
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
    # level 4: fees and payments (payments app)
    FEE_NOTICE = "fee_notice", _("Fee notice issued")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    PAYMENT_REFUNDED = "payment_refunded", _("Payment refunded")
    # the postal home service (postal app)
    POSTAL_PICKUP_ACCEPTED = "postal_pickup_accepted", _("Pickup accepted by the post")
    POSTAL_COLLECTED = "postal_collected", _("Documents collected by the post")
    POSTAL_HANDED_OVER = "postal_handed_over", _("Documents handed over to the agency")
    POSTAL_RESULT_COLLECTED = "postal_result_collected", _("Result collected by the post")
    POSTAL_DELIVERED = "postal_delivered", _("Result delivered at home")


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
    "fee_notice": (EventKind.FEE_NOTICE, BOTH),
    "payment_paid": (EventKind.PAYMENT_RECEIVED, BOTH),
    "payment_refunded": (EventKind.PAYMENT_REFUNDED, BOTH),
    "postal_accept_pickup": (EventKind.POSTAL_PICKUP_ACCEPTED, BOTH),
    "postal_collect": (EventKind.POSTAL_COLLECTED, BOTH),
    "postal_hand_over": (EventKind.POSTAL_HANDED_OVER, BOTH),
    "postal_collect_result": (EventKind.POSTAL_RESULT_COLLECTED, BOTH),
    "postal_deliver": (EventKind.POSTAL_DELIVERED, BOTH),
}


def announcement(action: str) -> tuple[str, tuple[str, ...]] | None:
    return ANNOUNCEMENTS.get(action)
