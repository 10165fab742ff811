"""The API's own records: clients, the change feed, acknowledgements,
idempotent writes and files uploaded through the API.

Dossiers themselves stay `eforms`'s: nothing here changes what a dossier
or its events mean. One `ApiClient` per django-oauth-toolkit application,
bound to one agency; later parts of the API (webhook endpoints, their
deliveries, connection health) hang off the client.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings


class Scope(models.TextChoices):
    DOSSIERS_READ = "dossiers:read", _("Read the agency's dossiers")
    DOSSIERS_WRITE = "dossiers:write", _("Act on the agency's dossiers")
    CATALOGUE_READ = "catalogue:read", _("Read the procedure catalogue")


class ApiClientQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(active=True, revoked_at__isnull=True)


class ApiClient(models.Model):
    """An agency's software (its one-stop software, "phần mềm một cửa điện
    tử") that calls the API with OAuth 2.0 client credentials. The client id
    and the hashed secret live in the DOT application; the scopes it may
    ask for, its agency and its state live here."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, verbose_name=_("OAuth application"), on_delete=models.CASCADE,
        related_name="api_client", editable=False,
    )
    agency = models.ForeignKey(
        "procedures.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="api_clients",
        help_text=_("The client sees and acts on this agency's dossiers only."),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. the one-stop software of the department."))
    scopes = models.CharField(
        _("scopes"), max_length=200, default="",
        help_text=_("What the client may do, space-separated: dossiers:read dossiers:write catalogue:read."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive client gets no token, and its tokens are refused."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    rotated_at = models.DateTimeField(_("secret last changed"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split() if s in Scope.values]

    @property
    def is_usable(self) -> bool:
        return self.active and self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list


class DossierChange(models.Model):
    """The change feed: one row per change of a dossier, written by the
    receivers in `api.changes` in the transaction that changed it. `seq`
    only grows; on PostgreSQL `txid` is the writing transaction's id, so the
    feed can wait for every transaction that might still add a row before
    its position (see `api.changes`). A dossier's older rows are deleted
    when it changes again: the feed says "this dossier changed", and its
    newest row says it."""

    seq = models.BigAutoField(primary_key=True)
    dossier = models.ForeignKey("eforms.Dossier", on_delete=models.CASCADE, related_name="+", db_index=False)
    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="+", null=True,
                               db_index=False)
    txid = models.BigIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dossier change")
        verbose_name_plural = _("dossier changes")
        indexes = [
            models.Index(fields=["agency", "txid", "seq"], name="api_change_feed"),
            models.Index(fields=["dossier", "txid", "seq"], name="api_change_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.dossier_id}"


class Acknowledgement(models.Model):
    """An API client said it has taken a dossier into its own software."""

    client = models.ForeignKey(ApiClient, verbose_name=_("API client"), on_delete=models.CASCADE,
                               related_name="acknowledgements")
    dossier = models.ForeignKey("eforms.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE,
                                related_name="api_acknowledgements")
    at = models.DateTimeField(_("acknowledged at"), default=timezone.now)
    reference = models.CharField(_("reference in the client's software"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["client", "dossier"], name="api_one_ack_per_client")]

    def __str__(self) -> str:
        return f"{self.client} {self.dossier_id} {self.at:%Y-%m-%d %H:%M}"


class IdempotencyRecord(models.Model):
    """One write sent with an Idempotency-Key: what was asked (its
    fingerprint) and the first answer, replayed for a repeat."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.key}"


class UploadPurpose(models.TextChoices):
    RESULT = "result", _("result document")
    SUPPLEMENT = "supplement", _("supplement handed in at the desk")


class ApiUpload(models.Model):
    """A file an API client uploaded for a dossier, waiting for the action
    that uses it (complete, answer_supplement)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey("eforms.Dossier", on_delete=models.CASCADE, related_name="+")
    attachment = models.OneToOneField("eforms.Attachment", on_delete=models.CASCADE, related_name="api_upload")
    purpose = models.CharField(max_length=16, choices=UploadPurpose.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("file uploaded through the API")
        verbose_name_plural = _("files uploaded through the API")

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.purpose} {self.attachment_id}"


# ---------------------------------------------------------------- webhooks


class WebhookEvent(models.TextChoices):
    DOSSIER_SUBMITTED = "dossier.submitted", _("A dossier was submitted")
    DOSSIER_SUPPLEMENTED = "dossier.supplemented", _("A supplement was handed in")
    DOSSIER_WITHDRAWN = "dossier.withdrawn", _("A dossier was withdrawn")
    DOSSIER_STATUS_CHANGED = "dossier.status_changed", _("A dossier's status changed")
    PAYMENT_PAID = "payment.paid", _("A fee was paid")
    FEE_NOTICE_ISSUED = "fee_notice.issued", _("A fee notice was issued")


class WebhookEndpoint(models.Model):
    """Where an API client wants to be told of its agency's events. The
    secret signs every delivery (HMAC-SHA256), so it is kept as given: it is
    shown once, when the endpoint is registered, and never again."""

    client = models.ForeignKey(ApiClient, verbose_name=_("API client"), on_delete=models.CASCADE,
                               related_name="webhook_endpoints")
    url = models.URLField(_("address"), max_length=500,
                          help_text=_("An https address of the client's software that accepts POST requests."))
    events = models.CharField(_("events"), max_length=500, default="",
                              help_text=_("The events sent to this address, space-separated."))
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Nothing new is sent to an inactive endpoint."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"),
                                   on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["client__name", "url", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split() if e in WebhookEvent.values]

    def wants(self, event_type: str) -> bool:
        return event_type in self.event_list


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Given up")


class WebhookDelivery(models.Model):
    """The outbox: one event for one endpoint, written in the transaction
    of the event itself, sent by `manage.py deliver_webhooks` until the
    receiver answers 2xx or the retry window has passed (README, "Webhooks").
    A worker holds a row while it sends (`leased_until`, `lease`); a worker
    that dies leaves the lease to run out, and the row is taken again."""

    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE,
                                 related_name="deliveries")
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"), default=dict)
    dossier_code = models.CharField(_("dossier"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=16, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    lease = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="api_one_delivery_per_event")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="api_webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One try of a delivery: what the receiver answered, or why not."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["delivery", "at"], name="api_webhook_attempt_at")]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
