"""Dossiers (hồ sơ), their events and the per-unit daily code counter.

Only data lives here. How a dossier is created is `eforms.services`; how its
status may change is `eforms.lifecycle` (the one place that changes
`Dossier.status`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import fold
from eforms.extensions import public_step_actions, step_label

__all__ = [
    "ActorKind",
    "Channel",
    "Dossier",
    "DossierCodeCounter",
    "DossierEvent",
    "DossierStatus",
    "HandoverMethod",
    "DueState",
    "ResultDelivery",
    "search_text_for",
]

#: The fields the back office's folded search column is made from.
SEARCH_SOURCE_FIELDS = frozenset({"code", "applicant_name", "applicant_id_number"})


def search_text_for(code: str | None, name: str | None, id_number: str | None) -> str:
    """The folded text staff search dossiers by: typed with or without
    accents, a name, an ID number or a (part of a) code all match one
    lowercase ASCII column, so the search is a plain LIKE on SQLite and
    PostgreSQL alike."""
    return " ".join(part for part in (fold(code), fold(name), fold(id_number)) if part)[:400]


class DossierStatus(models.TextChoices):
    """DESIGN.md's statuses (seed 003, "Thông tin trạng thái xử lý"), plus
    `draft` for a dossier the applicant has not submitted yet (no code)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted online")
    RECEIVED = "received", _("Received")
    REJECTED = "rejected", _("Refused")
    PROCESSING = "processing", _("Being processed")
    NEEDS_SUPPLEMENT = "needs_supplement", _("Needs more documents")
    COMPLETED = "completed", _("Completed")
    RETURNED = "returned", _("Result returned")
    CANCELLED = "cancelled", _("Cancelled")
    INVALID = "invalid", _("Invalid data")


#: Statuses after which nothing more happens to a dossier.
FINAL_STATUSES = frozenset(
    {DossierStatus.REJECTED, DossierStatus.RETURNED, DossierStatus.CANCELLED, DossierStatus.INVALID}
)


class DueState(models.TextChoices):
    """How close an open dossier is to its appointment date, as the daily
    scan (`manage.py flag_due_dossiers`) last found it. Stored so the inbox
    and the dashboard filter and count by an indexed column instead of
    walking the working-day calendar per row. Closed dossiers and those
    waiting for a supplement (the clock is paused) are `on_time`."""

    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    DESK = "desk", _("At the desk")
    POST = "post", _("By post")
    HOME_SERVICE = "home_service", _("Home service (the post collects the documents)")


class ResultDelivery(models.TextChoices):
    OFFICE = "office", _("At the office")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class HandoverMethod(models.TextChoices):
    """How the result was actually handed over (recorded by "return the result")."""

    DESK = "desk", _("At the desk")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class ActorKind(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    STAFF = "staff", _("Agency staff")
    API = "api", _("API client")
    SYSTEM = "system", _("System")


class Dossier(models.Model):
    """One application for one procedure at one receiving agency."""

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        _("dossier code"), max_length=64, unique=True, null=True, blank=True, editable=False,
        help_text=_("Given on submission: receiving unit, date and sequence, e.g. 000.00.00.H30-261122-0001."),
    )
    procedure = models.ForeignKey(
        "procedures.ProcedurePage", verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="dossiers"
    )
    agency = models.ForeignKey(
        "procedures.Agency", verbose_name=_("receiving agency"), on_delete=models.PROTECT, related_name="dossiers",
        null=True, blank=True,
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.SET_NULL, null=True,
        related_name="dossiers",
    )
    # What the applicant's identity was when they applied; the profile may change later.
    applicant_snapshot = models.JSONField(_("applicant at submission"), default=dict, blank=True)
    # Copied out of the snapshot so the public look-up is an indexed query.
    applicant_name = models.CharField(_("applicant's full name"), max_length=255, blank=True)
    applicant_id_number = models.CharField(_("applicant's ID number"), max_length=20, blank=True, db_index=True)
    applicant_phone = models.CharField(_("applicant's phone"), max_length=20, blank=True, db_index=True)
    applicant_date_of_birth = models.DateField(_("applicant's date of birth"), null=True, blank=True)

    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    # Which version of the e-form produced form_data (the e-form app decides
    # what it stores: a revision id, a number or a small dict).
    form_version = models.JSONField(_("form version"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)

    channel = models.CharField(_("how it was submitted"), max_length=16, choices=Channel.choices,
                               default=Channel.ONLINE)
    pickup_address = models.TextField(_("pickup address"), blank=True)
    pickup_from = models.DateTimeField(_("pickup window from"), null=True, blank=True)
    pickup_until = models.DateTimeField(_("pickup window until"), null=True, blank=True)
    result_delivery = models.CharField(_("result delivery"), max_length=16, choices=ResultDelivery.choices,
                                       default=ResultDelivery.OFFICE)
    delivery_address = models.TextField(_("delivery address"), blank=True)
    source = models.CharField(
        _("referring site"), max_length=200, blank=True,
        help_text=_("Which site sent the applicant (the embed code's src parameter), if any."),
    )
    login_method = models.CharField(
        _("sign-in method"), max_length=64, blank=True,
        help_text=_('How the applicant signed in: "email" or the social/OpenID Connect provider id.'),
    )

    status = models.CharField(_("status"), max_length=20, choices=DossierStatus.choices,
                              default=DossierStatus.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    expected_appointment_at = models.DateTimeField(
        _("expected appointment"), null=True, blank=True,
        help_text=_("The appointment if the agency receives it on the next working moment after submission."),
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    # Set once, by the first extension (Circular 03/2025 form 04): the date
    # promised at receipt, against which the statistics count the dossier late.
    original_appointment_at = models.DateTimeField(
        _("original appointment"), null=True, blank=True,
        help_text=_("The appointment given at receipt, kept when the appointment is extended."),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handler"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_dossiers",
    )
    # The open supplement request, if any (the history is in the events).
    supplement_items = models.JSONField(_("missing items"), default=list, blank=True)
    supplement_deadline = models.DateField(_("supplement deadline"), null=True, blank=True)
    supplement_requested_at = models.DateTimeField(_("supplement requested at"), null=True, blank=True)
    supplement_remaining = models.DecimalField(
        _("processing time left when the supplement was requested"), max_digits=8, decimal_places=2,
        null=True, blank=True,
    )
    # Set by `manage.py flag_supplement_deadlines` when the open request's
    # deadline passed unanswered; cleared by a new request or the answer.
    supplement_overdue_at = models.DateTimeField(_("supplement overdue since"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    handover_method = models.CharField(_("result handed over"), max_length=8, choices=HandoverMethod.choices,
                                       blank=True)
    courier = models.CharField(_("courier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    # Internal steps (no public status of their own; the history is in the events).
    co_handling_agency = models.ForeignKey(
        "procedures.Agency", verbose_name=_("co-handling agency"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="co_handled_dossiers",
        help_text=_("Another agency the dossier was sent to for its opinion; it sees the dossier until it "
                    "sends it back."),
    )
    approval_requested_at = models.DateTimeField(_("submitted for approval at"), null=True, blank=True)
    # Kept by save(); written directly only by bulk loaders (bench/inbox.py).
    search_text = models.CharField(_("search text"), max_length=400, blank=True, editable=False)
    due_state = models.CharField(_("due state"), max_length=16, choices=DueState.choices, default=DueState.ON_TIME)
    due_state_at = models.DateTimeField(_("due state since"), null=True, blank=True)

    idempotency_key = models.CharField(
        _("idempotency key"), max_length=80, unique=True, null=True, blank=True, editable=False,
        help_text=_("One submission attempt; a repeated key returns the dossier it already made."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant_recent"),
            # The inbox: one agency's dossiers in a status, by due date.
            models.Index(fields=["agency", "status", "appointment_at"], name="dossier_agency_status_due"),
            models.Index(fields=["agency", "received_at"], name="dossier_agency_received"),
            models.Index(fields=["due_state", "agency", "assigned_to"], name="dossier_due_state"),
        ]

    def __str__(self) -> str:
        return self.code or str(_("Draft %(id)s") % {"id": str(self.public_id)[:8]})

    def save(self, *args, **kwargs):
        self.search_text = search_text_for(self.code, self.applicant_name, self.applicant_id_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SEARCH_SOURCE_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == DossierStatus.DRAFT

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def appointment_date(self):
        """The appointment date (ngày hẹn trả) in the portal's time zone."""
        moment = self.appointment_at or self.expected_appointment_at
        return timezone.localdate(moment) if moment else None

    @property
    def counted_due_at(self):
        """The appointment statistics count against: the one first promised,
        so an extended dossier finished by its new date is still late."""
        return self.original_appointment_at or self.appointment_at

    @property
    def status_label(self) -> str:
        return DossierStatus(self.status).label

    def is_applicant(self, user) -> bool:
        return bool(getattr(user, "is_authenticated", False) and self.applicant_id == user.pk)


class DossierEventQuerySet(models.QuerySet):
    def public(self):
        """The events the applicant and the public look-up show: status
        changes, and the steps other apps registered as public
        (`eforms.extensions.register_step`: a fee notice, the postal
        officer's pickup). Internal steps (assigning a handler and the like)
        keep the status and stay between staff."""
        changes = ~models.Q(to_status="") & ~models.Q(to_status=models.F("from_status"))
        steps = public_step_actions()
        return self.filter(changes | models.Q(action__in=steps)) if steps else self.filter(changes)


class DossierEvent(models.Model):
    """One thing that happened to a dossier: every status change (and only
    `eforms.lifecycle` writes them), with who did it and why."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=32)
    actor_kind = models.CharField(_("actor"), max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="dossier_events",
    )
    actor_label = models.CharField(
        _("actor name"), max_length=255, blank=True,
        help_text=_('The API client\'s name, "system", or the user\'s name at the time.'),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=DossierStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=DossierStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # What the action required: reason, missing items and deadline, result…
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = DossierEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.action} {self.from_status}→{self.to_status}"

    @property
    def public_label(self) -> str:
        """What the applicant's history says of it: the new status, or the
        label another app registered for its step."""
        if self.to_status:
            return self.get_to_status_display()
        return str(step_label(self.action) or "")


class DossierCodeCounter(models.Model):
    """The last sequence number given out for one receiving unit on one day.

    `eforms.services.dossier_code` takes the next number with one UPDATE
    (`last_value + 1`: the database's row lock orders simultaneous ones) in a
    short transaction of its own, before the submission's transaction, so
    simultaneous submissions never get the same code and never wait for each
    other's submission; never max()+1 over the dossiers. A number taken by a
    submission that then fails is not given again (a gap)."""

    unit_code = models.CharField(max_length=40)
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dossier code counter")
        verbose_name_plural = _("dossier code counters")
        constraints = [models.UniqueConstraint(fields=["unit_code", "day"], name="unique_code_counter_per_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.day}: {self.last_value}"
