"""The exceptions of the working-day calendar; the dates that follow from
them are computed in procedures.calendar."""

from __future__ import annotations

from django.db import models
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class CalendarDay(models.Model):
    """An exception to the weekly rhythm: a day off on a weekday (a public
    holiday, a swapped day off) or a working day on a weekend (a make-up
    Saturday). Days without a row follow the rule "Monday to Friday work"."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DAY_OFF)
    name = models.CharField(
        _("name"), max_length=255, help_text=_("For example: Tết Nguyên đán, or: làm bù cho ngày 31/8.")
    )

    panels = [FieldPanel("date"), FieldPanel("kind"), FieldPanel("name")]

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    @property
    def is_working(self) -> bool:
        return self.kind == self.Kind.WORKING_DAY

    def weekday_name(self) -> str:
        return str(WEEKDAYS[self.date.weekday()])

    weekday_name.short_description = _("weekday")
