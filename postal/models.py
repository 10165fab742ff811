"""The postal home service (dịch vụ công tại nhà, seed 003 §4.4): postal
units, their officers, and one job per home-service dossier.

Only data lives here. How a job moves is `postal.steps` (the one writer of
`HomeServiceJob.state`); who sees which job is `postal.scope`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eforms.file_kinds import CONTENT_TYPES
from eforms.models.attachments import ScanStatus, private_storage

__all__ = ["HomeServiceJob", "JobPhoto", "JobState", "PostalMembership", "PostalUnit", "PhotoStep"]

#: The Wagtail group every postal officer is in (admin access, nothing else).
OFFICERS_GROUP = "Postal officers"


class PostalUnit(models.Model):
    """A post office (bưu cục) that collects papers at applicants' homes for
    the agencies it serves and brings the results back. Its fees are its own
    tariff, entered by an administrator."""

    name = models.CharField(_("name"), max_length=255)
    code = models.CharField(_("code"), max_length=40, unique=True,
                            help_text=_("The post office's own code, e.g. its postcode."))
    phone = models.CharField(_("phone"), max_length=50, blank=True,
                             help_text=_("Told to applicants when a pickup is accepted."))
    address = models.CharField(_("address"), max_length=255, blank=True)
    agencies = models.ManyToManyField(
        "procedures.Agency", verbose_name=_("agencies served"), related_name="postal_units", blank=True,
        help_text=_("Home-service dossiers submitted to these agencies are offered to this unit."),
    )
    pickup_fee_vnd = models.PositiveIntegerField(
        _("pickup fee (VND)"), default=0,
        help_text=_("Charged for collecting the papers at home; 0 for none."),
    )
    delivery_fee_vnd = models.PositiveIntegerField(
        _("result delivery fee (VND)"), default=0,
        help_text=_("Charged, with the pickup fee, when the applicant asked for the result by post; 0 for none."),
    )
    demo_fees = models.BooleanField(
        _("demo amounts"), default=False,
        help_text=_("The fees are made-up demo values, not a real tariff: screens say so."),
    )
    delivery_working_days = models.PositiveSmallIntegerField(
        _("delivery commitment (working days)"), default=2,
        help_text=_("A result delivered within this many working days of the dossier's completion is on time."),
    )
    active = models.BooleanField(pgettext_lazy("postal unit", "active"), default=True,
                                 help_text=_("Only active units are offered new pickups."))

    class Meta:
        verbose_name = _("postal unit")
        verbose_name_plural = _("postal units")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PostalMembership(models.Model):
    """A user works as a postal officer of a unit: they see and act on the
    jobs of the agencies it serves (`postal.scope`) and are in the "Postal
    officers" Wagtail group while they hold one (`postal.signals`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="postal_memberships")
    unit = models.ForeignKey(PostalUnit, verbose_name=_("postal unit"), on_delete=models.CASCADE,
                             related_name="memberships")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("postal officer")
        verbose_name_plural = _("postal officers")
        ordering = ["unit__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unique_postal_membership")]

    def __str__(self) -> str:
        return f"{self.user} – {self.unit}"


class JobState(models.TextChoices):
    """waiting → pickup_accepted → collected → handed_over → result_collected → delivered;
    `cancelled` when the dossier closed before the papers reached the agency."""

    WAITING = "waiting", _("Waiting for a postal officer")
    PICKUP_ACCEPTED = "pickup_accepted", _("Pickup accepted")
    COLLECTED = "collected", _("Papers collected")
    HANDED_OVER = "handed_over", _("Handed over at the agency's desk")
    RESULT_COLLECTED = "result_collected", _("Result collected from the desk")
    DELIVERED = "delivered", _("Result delivered at home")
    CANCELLED = "cancelled", pgettext_lazy("postal job", "Cancelled")


class HomeServiceJob(models.Model):
    """The post's work for one home-service dossier: created when it is
    submitted (`postal.jobs.ensure_job`), moved by `postal.steps`."""

    dossier = models.OneToOneField("eforms.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE,
                                   related_name="home_service_job")
    unit = models.ForeignKey(
        PostalUnit, verbose_name=_("postal unit"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="jobs",
        help_text=_("Set when one unit serves the agency, or by the first officer who accepts the pickup."),
    )
    state = models.CharField(pgettext_lazy("postal job", "state"), max_length=20, choices=JobState.choices,
                             default=JobState.WAITING, db_index=True)

    pickup_accepted_at = models.DateTimeField(_("pickup accepted at"), null=True, blank=True)
    pickup_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pickup accepted by"),
                                           on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    fee_notice = models.ForeignKey(
        "payments.FeeNotice", verbose_name=_("postal fee notice"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    collected_at = models.DateTimeField(_("papers collected at"), null=True, blank=True, db_index=True)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("papers collected by"),
                                     on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # [{"name": "Tờ khai", "count": 1}, …]
    collected_items = models.JSONField(_("papers collected"), default=list, blank=True)
    collected_note = models.TextField(_("note at collection"), blank=True)

    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True, db_index=True)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handed over by"),
                                       on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    handover_note = models.TextField(_("note at handover"), blank=True)
    desk_confirmed_at = models.DateTimeField(_("receipt confirmed at the desk at"), null=True, blank=True)
    desk_receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("receiver at the desk"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+", help_text=_("The agency's receiver who confirmed the papers arrived."),
    )
    desk_note = models.TextField(_("receiver's note"), blank=True)

    result_collected_at = models.DateTimeField(_("result collected at"), null=True, blank=True)
    result_collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("result collected by"),
                                            on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    result_note = models.TextField(_("note at result collection"), blank=True)

    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, db_index=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("delivered by"),
                                     on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    delivered_to = models.CharField(_("result received by"), max_length=255, blank=True)
    delivery_note = models.TextField(_("note at delivery"), blank=True)

    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("home-service job")
        verbose_name_plural = _("home-service jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.dossier)

    @property
    def awaits_desk(self) -> bool:
        """Handed over by the officer, not yet confirmed by the agency's receiver."""
        return self.state == JobState.HANDED_OVER and self.desk_confirmed_at is None

    @property
    def result_by_post(self) -> bool:
        return self.dossier.result_delivery == "post"

    @property
    def stage_label(self) -> str:
        if self.awaits_desk:
            return str(_("Handed over, waiting for the desk's confirmation"))
        if self.state == JobState.HANDED_OVER:
            return str(_("Received at the agency's desk"))
        return JobState(self.state).label


class PhotoStep(models.TextChoices):
    COLLECTED = "collected", _("Papers collected")
    HANDED_OVER = "handed_over", _("Handed over at the desk")
    DELIVERED = "delivered", _("Result delivered at home")


def photo_file_name(instance: JobPhoto, filename: str) -> str:
    """`postal/YYYY/MM/<32 random hex>`: nothing of the uploader's name on disk."""
    now = timezone.now()
    return f"postal/{now:%Y/%m}/{secrets.token_hex(16)}"


class JobPhoto(models.Model):
    """A photo an officer took at a step (the papers, the receipt signed at
    the door), checked by content (`eforms.uploads.check_file`: JPEG or PNG
    only) and kept in private storage; served only to those who see the job."""

    job = models.ForeignKey(HomeServiceJob, verbose_name=_("home-service job"), on_delete=models.CASCADE, related_name="photos")
    step = models.CharField(_("step"), max_length=16, choices=PhotoStep.choices)
    file = models.FileField(_("file"), storage=private_storage, upload_to=photo_file_name, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    scan_status = models.CharField(_("virus scan"), max_length=12, choices=ScanStatus.choices,
                                   default=ScanStatus.NOT_REQUIRED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("job photo")
        verbose_name_plural = _("job photos")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.kind, "application/octet-stream")
