"""The facts the statistics are read from.

Every figure on `/statistics/` and in the staff reports is a sum over
`DailyFact` (one row per day × agency × procedure × channel × outcome, with
a count), or over `MonthlyFact` and `YearlyFact`, the same counts rolled up
by month and by year, so a period is read from a few rows per year and per
month plus the days at its edges, whatever the number of dossiers. Both are
kept current from dossier changes (`reports.facts`) and can be rebuilt
from the dossiers at any time (`manage.py rebuild_statistics`).

`DossierTally` remembers what each dossier last contributed, so a change
to a dossier moves its counts instead of adding them twice.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """What a fact counts. The day of each is in DESIGN.md's terms:

    - `received`: the day the agency took the dossier in (its clock started);
    - `early`, `on_time`, `late`: the day a received dossier was completed,
      judged against the appointment first promised (an extension by
      Circular 03/2025 form 04 does not make a late dossier on time);
    - `stopped`: the day a received dossier left processing without a
      result (cancelled, or found invalid);
    - `refused`: the day the agency refused to take a dossier in;
    - `cancelled`, `invalid`: the day a dossier was cancelled (withdrawn
      before receipt, or stopped during processing) or found invalid;
    - `returned`: the day the result was handed over; `returned_online`
      as well when it was handed over online;
    - `signed_result`: the day a dossier was completed, when its result
      file is a document the portal signed (Decree 45/2020);
    - `due` and `settled`: the pair that says how many open dossiers were
      overdue on a given day: `due` on a received dossier's appointment day
      (none while it waits for a supplement: its clock is paused), and
      `settled` on the later of its appointment day and the day it left
      processing. Overdue at the end of day D = due up to D − settled up to D.
    """

    RECEIVED = "received", _("Received")
    EARLY = "early", _("Resolved early")
    ON_TIME = "on_time", _("Resolved on time")
    LATE = "late", _("Resolved late")
    STOPPED = "stopped", _("Stopped without a result")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")
    INVALID = "invalid", _("Invalid")
    RETURNED = "returned", _("Result returned")
    RETURNED_ONLINE = "returned_online", _("Result returned online")
    SIGNED_RESULT = "signed_result", _("Result signed digitally")
    DUE = "due", _("Appointment day")
    SETTLED = "settled", _("Settled against the appointment")


#: Outcomes that take a received dossier out of the open ones.
LEAVES_PROCESSING = (Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE, Outcome.STOPPED)
RESOLVED = (Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE)


class FactBase(models.Model):
    """Dimensions shared by the daily and monthly facts. The agency and the
    procedure are the default-locale copies (a dossier made on the English
    page counts with the Vietnamese one)."""

    agency = models.ForeignKey("procedures.Agency", verbose_name=_("agency"), on_delete=models.CASCADE,
                               related_name="+", null=True, blank=True)
    procedure = models.ForeignKey("procedures.ProcedurePage", verbose_name=_("procedure"),
                                  on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=16)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        abstract = True


class DailyFact(FactBase):
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("daily fact")
        verbose_name_plural = _("daily facts")
        constraints = [
            models.UniqueConstraint(fields=["day", "agency", "procedure", "channel", "outcome"],
                                    name="reports_daily_fact_unique"),
        ]
        indexes = [models.Index(fields=["outcome", "day"], name="reports_daily_outcome_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id} {self.channel} {self.outcome}: {self.count}"


class MonthlyFact(FactBase):
    month = models.DateField(_("month"), help_text=_("The first day of the month."))

    class Meta:
        verbose_name = _("monthly fact")
        verbose_name_plural = _("monthly facts")
        constraints = [
            models.UniqueConstraint(fields=["month", "agency", "procedure", "channel", "outcome"],
                                    name="reports_monthly_fact_unique"),
        ]
        indexes = [models.Index(fields=["outcome", "month"], name="reports_monthly_outcome_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id} {self.procedure_id} {self.channel} {self.outcome}: {self.count}"


class YearlyFact(FactBase):
    """The same counts rolled up by year: what came before a period (its
    carry-over) is a few rows per year of history."""

    year = models.DateField(_("year"), help_text=_("The first day of the year."))

    class Meta:
        verbose_name = _("yearly fact")
        verbose_name_plural = _("yearly facts")
        constraints = [
            models.UniqueConstraint(fields=["year", "agency", "procedure", "channel", "outcome"],
                                    name="reports_yearly_fact_unique"),
        ]
        indexes = [models.Index(fields=["outcome", "year"], name="reports_yearly_outcome_year")]

    def __str__(self) -> str:
        return f"{self.year:%Y} {self.agency_id} {self.procedure_id} {self.channel} {self.outcome}: {self.count}"


class DossierTally(models.Model):
    """What one dossier adds to the facts now: its dimensions and a list of
    `[ISO day, outcome]` pairs."""

    dossier = models.OneToOneField("eforms.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE,
                                   primary_key=True, related_name="+")
    agency_id_counted = models.BigIntegerField(_("agency counted"), null=True)
    procedure_id_counted = models.BigIntegerField(_("procedure counted"))
    channel = models.CharField(_("channel"), max_length=16)
    facts = models.JSONField(_("facts"), default=list)

    class Meta:
        verbose_name = _("dossier tally")
        verbose_name_plural = _("dossier tallies")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.facts}"
