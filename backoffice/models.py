"""The back office's own records: digests sent, and scheduled job runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DueDigest(models.Model):
    """A late-dossier digest sent to one person on one day: the unique pair
    is what keeps it to one a day however often the job or task runs."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    dossier_count = models.PositiveIntegerField(_("dossiers"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("late-dossier digest")
        verbose_name_plural = _("late-dossier digests")
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="one_due_digest_per_day")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.day}"


class ScheduledRun(models.Model):
    """The last run of one scheduled job (`manage.py run_scheduled`). The row
    is also the job's lock: a run claims it by one conditional UPDATE from
    any state but `running`, so two schedulers never run one job at once."""

    class Status(models.TextChoices):
        RUNNING = "running", pgettext_lazy("scheduled job", "Running")
        OK = "ok", pgettext_lazy("scheduled job", "Succeeded")
        FAILED = "failed", pgettext_lazy("scheduled job", "Failed")
        MISSING = "missing", pgettext_lazy("scheduled job", "Command not installed")

    job = models.CharField(_("job"), max_length=64, unique=True)
    last_started = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_status = models.CharField(_("last status"), max_length=16, choices=Status.choices, blank=True)
    last_output = models.TextField(_("last output"), blank=True)

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")
        ordering = ["job"]

    def __str__(self) -> str:
        return self.job
