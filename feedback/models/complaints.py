"""Feedback and complaints (phản ánh, kiến nghị) about a procedure, an
agency or one dossier, and the steps taken on them.

A submission gets a tracking code the citizen keeps (random, not a
sequence), a status that moves through a small state machine
(`feedback.complaints.TRANSITIONS`), and a deadline in working days from
its arrival. Staff of the agency concerned answer it in the Wagtail admin;
editors route those without an agency and may publish a public version
written without personal details.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ComplaintKind(models.TextChoices):
    FEEDBACK = "feedback", _("Feedback (phản ánh)")
    PETITION = "petition", _("Petition (kiến nghị)")


class ComplaintSubject(models.TextChoices):
    PROCEDURE = "procedure", _("A procedure")
    AGENCY = "agency", _("An agency")
    DOSSIER = "dossier", _("One of my dossiers")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    HANDLING = "handling", _("Being handled")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


#: While one of these, the deadline runs.
OPEN_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.HANDLING)


class ComplaintQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        """Still open after their deadline: the overdue flag is this query,
        always current (`manage.py list_overdue_feedback` prints it)."""
        return self.open().filter(due_at__lt=now or timezone.now())

    def published(self):
        return self.filter(published_at__isnull=False, status__in=(ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED))

    def unassigned(self):
        return self.filter(agency__isnull=True)


class Complaint(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=ComplaintKind.choices, default=ComplaintKind.FEEDBACK)
    subject = models.CharField(_("about"), max_length=16, choices=ComplaintSubject.choices)
    procedure = models.ForeignKey("procedures.ProcedurePage", verbose_name=_("procedure"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    dossier = models.ForeignKey("eforms.Dossier", verbose_name=_("dossier"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="complaints")
    # The agency that handles it; empty until an editor routes it.
    agency = models.ForeignKey("procedures.Agency", verbose_name=_("agency"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), max_length=5000)
    # Who sent it and how to reach them: never shown to the public.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("full name"), max_length=255)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    may_publish = models.BooleanField(_("may be published without personal details"), default=False)
    language = models.CharField(_("language"), max_length=8, default="vi")

    status = models.CharField(_("status"), max_length=16, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.RECEIVED)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=10000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    # The public version, written by an editor without personal details.
    public_title = models.CharField(_("public title"), max_length=200, blank=True)
    public_body = models.TextField(_("public question"), blank=True, max_length=5000)
    public_answer = models.TextField(_("public answer"), blank=True, max_length=10000)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback or complaint")
        verbose_name_plural = _("feedback and complaints")
        ordering = ["-received_at", "-pk"]
        permissions = [("route_complaint", _("Route feedback to agencies and publish it"))]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="complaint_agency_status_due"),
            models.Index(fields=["-published_at"], name="complaint_published",
                         condition=Q(published_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ComplaintEvent(models.Model):
    """One step: a change of status, a routing, a publication."""

    complaint = models.ForeignKey(Complaint, verbose_name=_("feedback"), on_delete=models.CASCADE,
                                  related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback step")
        verbose_name_plural = _("feedback steps")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"
