"""Fees owed and paid for a dossier.

* A `FeeNotice` is what the applicant owes, item by item: made at submission
  from the procedure's items owed then, or issued by the agency during
  processing (and for the home service's postal fee).
* A `Payment` is one attempt to pay one notice through one provider. It is
  marked paid only by the provider's verified server-to-server notification
  (or a verified query answer during reconciliation), never by the
  browser's return.
* `PaymentNotification` keeps every message a provider sent us, raw,
  verified or not; `PaymentEvent` is the audit trail of a payment's states.

How these change is `payments.services`; providers are `payments.providers`.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eforms.models import private_storage

__all__ = [
    "FeeNotice",
    "FeeNoticeItem",
    "NoticeKind",
    "Payment",
    "PaymentEvent",
    "PaymentNotification",
    "PaymentReceipt",
    "PaymentState",
    "Reconciliation",
    "ReconciliationMode",
]


class NoticeKind(models.TextChoices):
    SUBMISSION = "submission", _("Fees owed at submission")
    PROCESSING = "processing", _("Fee notice during processing")
    POSTAL = "postal", _("Postal fee of the home service")


class FeeNotice(models.Model):
    """What the applicant owes for a dossier at one time (thông báo phí)."""

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(
        "eforms.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="fee_notices"
    )
    number = models.CharField(
        _("number"), max_length=96, unique=True,
        help_text=_("The dossier code and a sequence: 000.00.10.H30-250714-0001/TB-1."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices, default=NoticeKind.PROCESSING)
    total_vnd = models.PositiveBigIntegerField(_("total (VND)"))
    note = models.TextField(_("note"), blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="issued_fee_notices",
    )
    issued_by_label = models.CharField(_("issued by (name)"), max_length=255, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee notice")
        verbose_name_plural = _("fee notices")
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        """Owed and not settled: the applicant may pay it."""
        return self.paid_at is None and self.cancelled_at is None and self.total_vnd > 0


class FeeNoticeItem(models.Model):
    notice = models.ForeignKey(FeeNotice, verbose_name=_("fee notice"), on_delete=models.CASCADE,
                               related_name="items")
    name = models.CharField(_("fee or charge"), max_length=255)
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    payer = models.CharField(_("who pays"), max_length=255, blank=True)
    exemptions = models.TextField(_("exemptions and reductions"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("fee notice item")
        verbose_name_plural = _("fee notice items")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount_vnd}"


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Waiting for the payment")
    PAID = "paid", _("Paid")
    # in context: "Failed" and "Cancelled" alone are a message's and a dossier's
    FAILED = "failed", pgettext_lazy("payment state", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("payment state", "Cancelled")
    REFUNDED = "refunded", _("Refunded")


#: States a payment does not leave, except a paid one by its refund.
FINAL_PAYMENT_STATES = frozenset({PaymentState.PAID, PaymentState.FAILED, PaymentState.CANCELLED,
                                  PaymentState.REFUNDED})


class Payment(models.Model):
    """One attempt to pay one fee notice through one provider."""

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    notice = models.ForeignKey(FeeNotice, verbose_name=_("fee notice"), on_delete=models.PROTECT,
                               related_name="payments")
    dossier = models.ForeignKey(
        "eforms.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(pgettext_lazy("payment", "provider"), max_length=32, db_index=True)
    reference = models.CharField(
        _("our reference"), max_length=40, unique=True,
        help_text=_("Sent to the provider as the transaction reference (vnp_TxnRef); unique."),
    )
    provider_reference = models.CharField(_("provider's reference"), max_length=64, blank=True, db_index=True)
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    state = models.CharField(pgettext_lazy("payment", "state"), max_length=16, choices=PaymentState.choices,
                             default=PaymentState.PENDING, db_index=True)
    bank_code = models.CharField(_("bank"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    returned_at = models.DateTimeField(
        _("browser returned at"), null=True, blank=True,
        help_text=_("When the applicant's browser came back from the provider (for display only)."),
    )
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    refunded_vnd = models.PositiveBigIntegerField(_("refunded (VND)"), default=0)
    receipt_number = models.CharField(_("e-receipt number"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="payments_started",
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        # No "one paid payment per notice" constraint: if the applicant paid
        # a notice twice (two tabs), the bank took the money twice and the
        # second payment must be recorded as paid too, flagged for a refund.
        indexes = [models.Index(fields=["provider", "created_at"], name="payment_provider_day")]
        # Given to a group or user in the admin; always within the agencies
        # the user's staff memberships reach (payments.payment_scope).
        permissions = [("reconcile_payment", _("Can reconcile payments with the provider's records"))]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_PAYMENT_STATES


class PaymentNotification(models.Model):
    """Every message a provider sent about a payment, as it came."""

    class Source(models.TextChoices):
        IPN = "ipn", _("Server-to-server notification")
        RETURN = "return", _("Browser return")
        QUERY = "query", _("Transaction query")
        STATEMENT = "statement", _("Uploaded statement")
        REFUND = "refund", _("Refund answer")

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="notifications")
    provider = models.CharField(pgettext_lazy("payment", "provider"), max_length=32)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    raw = models.JSONField(_("as received"), default=dict)
    verified = models.BooleanField(_("signature verified"), default=False)
    answer = models.CharField(
        _("our answer"), max_length=32, blank=True,
        help_text=_("What we made of it (payments.providers.base.Outcome); the provider's own answer code "
                    "follows from it, e.g. VNPay's RspCode."),
    )
    remote_addr = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.source} {self.received_at:%Y-%m-%d %H:%M:%S}"


class PaymentEvent(models.Model):
    """The audit trail: every state a payment took, and why."""

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.CASCADE,
                                related_name="events")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=16, choices=PaymentState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=PaymentState.choices, blank=True)
    actor_label = models.CharField(_("by"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.payment} {self.action} {self.from_state}→{self.to_state}"


def receipt_file_name(instance: PaymentReceipt, filename: str) -> str:
    now = timezone.now()
    return f"receipts/{now:%Y/%m}/{secrets.token_hex(16)}.pdf"


class PaymentReceipt(models.Model):
    """The e-receipt (biên lai điện tử) of a paid payment, made once
    (`payments.receipts`): the facts it printed and its PDF in private
    storage with its SHA-256, so every download is the same file."""

    payment = models.OneToOneField(Payment, verbose_name=_("payment"), on_delete=models.PROTECT,
                                   related_name="receipt")
    number = models.CharField(_("number"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    language = models.CharField(_("language"), max_length=8)
    data = models.JSONField(_("facts printed"), default=dict)
    file = models.FileField(_("PDF"), storage=private_storage, upload_to=receipt_file_name, max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("e-receipt")
        verbose_name_plural = _("e-receipts")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def filename(self) -> str:
        return "bien-lai-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in self.number) + ".pdf"


class ReconciliationMode(models.TextChoices):
    QUERY = "query", _("Asked the provider")
    STATEMENT = "statement", _("Uploaded statement")


class Reconciliation(models.Model):
    """One comparison of our payments of a day with a provider's word
    (`payments.reconciliation`), kept so it can be read and exported later.
    Its lines hold only what the person who ran it could see."""

    provider = models.CharField(_("provider"), max_length=32)
    day = models.DateField(_("day"))
    mode = models.CharField(_("compared with"), max_length=16, choices=ReconciliationMode.choices)
    created_at = models.DateTimeField(_("run at"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("run by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="payment_reconciliations",
    )
    created_by_label = models.CharField(_("run by (name)"), max_length=255, blank=True)
    statement_name = models.CharField(_("statement file"), max_length=255, blank=True)
    statement_sha256 = models.CharField(_("statement SHA-256"), max_length=64, blank=True)
    totals = models.JSONField(_("totals"), default=dict)
    lines = models.JSONField(_("lines"), default=list)
    mismatches = models.PositiveIntegerField(_("mismatches"), default=0)

    class Meta:
        verbose_name = _("payment reconciliation")
        verbose_name_plural = _("payment reconciliations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.day:%Y-%m-%d} {self.mode}"
