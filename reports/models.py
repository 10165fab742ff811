"""The facts the statistics are read from.

Every figure on `/statistics/` and in the staff reports is a sum over
`DailyFact` (one row per day × agency × procedure × channel × outcome, with
a count), or over `MonthlyFact` and `YearlyFact`, the same counts rolled up
by month and by year, so a period is read from a few rows per year and per
month plus the days at its edges, whatever the number of dossiers. Both are
kept current from dossier changes (`reports.facts`) and can be rebuilt
from the dossiers at any time (`manage.py rebuild_statistics`).

The fact tables are append-only between compactions: a change to a
dossier inserts rows holding the difference (`delta`, counts may be
negative) instead of updating a shared row, so two dossiers of one agency,
procedure and day never wait for each other's transaction. A key (period ×
agency × procedure × channel × outcome) may therefore have several rows;
every read sums them, and `manage.py compact_statistics` (scheduled) merges
each key's rows back into one.

`DossierTally` remembers what each dossier last contributed, so a change
to a dossier moves its counts instead of adding them twice.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
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
    """Dimensions shared by the daily, monthly and yearly facts. The agency
    and the procedure are the default-locale copies (a dossier made on the
    English page counts with the Vietnamese one). Not unique by key: a key's
    count is the sum of its rows (see the module's docstring)."""

    agency = models.ForeignKey("procedures.Agency", verbose_name=_("agency"), on_delete=models.CASCADE,
                               related_name="+", null=True, blank=True)
    procedure = models.ForeignKey("procedures.ProcedurePage", verbose_name=_("procedure"),
                                  on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=16)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    count = models.IntegerField(_("count"), default=0)
    delta = models.BooleanField(
        _("change not yet merged"), default=False,
        help_text=_("Appended by a dossier's change; merged into one row per key by the compaction."))

    #: The name of the period field of each concrete fact model.
    PERIOD = ""

    class Meta:
        abstract = True

    @classmethod
    def key_fields(cls) -> tuple[str, ...]:
        """The fields whose values make a key: one count per key."""
        return (cls.PERIOD, "agency_id", "procedure_id", "channel", "outcome")


def fact_indexes(period: str, prefix: str) -> list[models.Index]:
    """A fact table's indexes: the key (what the unique constraint gave the
    reads before the tables became append-only), the outcome by period, and
    the rows not yet merged (a small partial index the compaction starts from)."""
    return [
        models.Index(fields=[period, "agency", "procedure", "channel", "outcome"], name=f"{prefix}_key"),
        models.Index(fields=["outcome", period], name=f"{prefix}_outcome_{period}"),
        models.Index(fields=["id"], condition=Q(delta=True), name=f"{prefix}_delta"),
    ]


class DailyFact(FactBase):
    PERIOD = "day"

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("daily fact")
        verbose_name_plural = _("daily facts")
        indexes = fact_indexes("day", "reports_daily")

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id} {self.channel} {self.outcome}: {self.count}"


class MonthlyFact(FactBase):
    PERIOD = "month"

    month = models.DateField(_("month"), help_text=_("The first day of the month."))

    class Meta:
        verbose_name = _("monthly fact")
        verbose_name_plural = _("monthly facts")
        indexes = fact_indexes("month", "reports_monthly")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id} {self.procedure_id} {self.channel} {self.outcome}: {self.count}"


class YearlyFact(FactBase):
    """The same counts rolled up by year: what came before a period (its
    carry-over) is a few rows per year of history."""

    PERIOD = "year"

    year = models.DateField(_("year"), help_text=_("The first day of the year."))

    class Meta:
        verbose_name = _("yearly fact")
        verbose_name_plural = _("yearly facts")
        indexes = fact_indexes("year", "reports_yearly")

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
