"""Message templates (editable in the admin) and the delivery log.

A `Message` is one email or SMS for one dossier event: rendered once when
the event commits, then delivered by `notifications.tasks.deliver_message`.
Its `state` is the truth about delivery; tasks only wake it up
(see `notifications.delivery`).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import PreviewableMixin

from accounts.masking import mask_email, mask_phone

from .events import Channel, EventKind
from .rendering import PLACEHOLDERS, fill, sample_values, unknown_placeholders


class MessageTemplate(PreviewableMixin, models.Model):
    """The wording of one kind of message, for one channel and language."""

    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(
        _("subject"), max_length=255, blank=True, help_text=_("Email only; SMS have no subject.")
    )
    body = models.TextField(
        _("text"),
        help_text=_("Placeholders: {code}, {procedure}, {agency}, {status}, {note}, {items}, {deadline}, "
                    "{appointment}, {url}, {name}."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "channel", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel", "language"], name="unique_message_template"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()} · {self.language}"

    def clean(self) -> None:
        errors = {}
        for name in ("subject", "body"):
            unknown = unknown_placeholders(getattr(self, name))
            if unknown:
                errors[name] = _("Unknown placeholders: %(names)s. Use only: %(known)s.") % {
                    "names": ", ".join(f"{{{n}}}" for n in unknown),
                    "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
                }
        if self.channel == Channel.EMAIL and not (self.subject or "").strip():
            errors["subject"] = _("An email needs a subject.")
        if errors:
            raise ValidationError(errors)

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        subject = " ".join(fill(self.subject, values).split())
        body = re.sub(r"\n[ \t]*(\n[ \t]*)+\n", "\n\n", fill(self.body, values))  # empty placeholders
        return subject, body.strip()

    # The admin's live preview: the template filled with made-up values.
    def get_preview_template(self, request, mode_name):
        return "notifications/template_preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        subject, body = self.render(sample_values(self.language or settings.LANGUAGE_CODE))
        with translation.override(self.language or settings.LANGUAGE_CODE):
            context.update(template=self, subject=subject, body=body, is_email=self.channel == Channel.EMAIL,
                           length=len(body))
        return context


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One email or SMS announcing one dossier event: at most one per
    (event, channel), delivered at most once (see notifications.delivery)."""

    dossier = models.ForeignKey(
        "eforms.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="messages"
    )
    event = models.ForeignKey(
        "eforms.DossierEvent", verbose_name=_("event"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=8, choices=MessageState.choices, default=MessageState.QUEUED,
                             db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=255, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # The X-Request-ID of the request (or task) that caused the message: its
    # delivery runs and logs under it, and its email carries it.
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="one_message_per_event_and_channel"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="message_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.masked_recipient} ({self.get_state_display()})"

    @property
    def masked_recipient(self) -> str:
        if self.channel == Channel.EMAIL:
            return mask_email(self.recipient)
        return mask_phone(self.recipient)


class InboundOutcome(models.TextChoices):
    ANSWERED = "answered", _("Status sent")
    NOT_FOUND = "not_found", _("Not found or does not match")
    HELP = "help", _("Not understood: help sent")
    LIMITED = "limited", _("Too many messages")


class InboundSms(models.Model):
    """One text message received for the look-up by SMS
    (`notifications.inbound`) and the answer sent: for staff to follow how
    the service is used. The sender's number and the digits in the text are
    masked; the dossier code is kept (it is not personal data)."""

    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    gateway_message_id = models.CharField(_("gateway's message id"), max_length=100, blank=True)
    sender = models.CharField(_("sender"), max_length=32, help_text=_("Masked."))
    text = models.CharField(_("text"), max_length=200, help_text=_("Digits that are not a dossier code are masked."))
    dossier_code = models.CharField(_("dossier code"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=InboundOutcome.choices)
    reply = models.TextField(_("reply"), blank=True)
    reply_state = models.CharField(_("reply state"), max_length=8, choices=MessageState.choices, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=255, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("SMS received")
        verbose_name_plural = _("SMS received")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["gateway_message_id"], condition=~models.Q(gateway_message_id=""),
                                    name="one_inbound_sms_per_gateway_id"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} · {self.get_outcome_display()}"
