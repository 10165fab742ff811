"""The statistics page's filter form: a plain GET form, checked on the server.

Its values are codes that stay the same across databases and languages
(agency unit codes, field codes, procedure codes), so a filtered address is
a permalink; `canonical_query` writes them in one fixed order.
"""

from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Locale

from procedures.models import Agency, Field, ProcedurePage
from procedures.models.choices import PROCEDURE_TIER_CHOICES

from .figures import Period

MONTH, QUARTER, YEAR, RANGE = "month", "quarter", "year", "range"
PERIOD_CHOICES = [
    (MONTH, _("A month")),
    (QUARTER, _("A quarter")),
    (YEAR, _("A year")),
    (RANGE, _("Between two dates")),
]
FIRST_YEAR = 2000
#: The parameters of a permalink, in their canonical order.
PARAMETERS = ("period", "year", "month", "quarter", "start", "end", "agency", "field", "tier", "procedure")
#: Which period parameters each kind of period uses.
PERIOD_PARAMETERS = {MONTH: ("year", "month"), QUARTER: ("year", "quarter"), YEAR: ("year",),
                     RANGE: ("start", "end")}


def default_locale() -> Locale:
    return Locale.get_default()


def localized_names(model, ids, attribute: str = "name") -> dict[int, str]:
    """{default-locale id: name in the active language} for agencies, fields
    or procedures: the translation's name where one exists, else the
    original's."""
    rows = list(model.objects.filter(pk__in=list(ids)).values_list("pk", "translation_key", attribute))
    names = {pk: name for pk, _key, name in rows}
    try:
        active = Locale.get_active()
    except Locale.DoesNotExist:
        return names
    keys = {key: pk for pk, key, _name in rows}
    translated = model.objects.filter(translation_key__in=list(keys), locale=active)
    if model is ProcedurePage:
        translated = translated.live()
    for key, name in translated.values_list("translation_key", attribute):
        names[keys[key]] = name
    return names


def agency_with_descendants(agency_id: int) -> tuple[int, ...]:
    """The agency and every agency below it in the tree (default locale)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Agency.objects.filter(locale=default_locale()).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, queue = [], [agency_id]
    seen = set()
    while queue:
        pk = queue.pop()
        if pk in seen:
            continue
        seen.add(pk)
        found.append(pk)
        queue.extend(children.get(pk, ()))
    return tuple(sorted(found))


class StatisticsForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, widget=forms.RadioSelect)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR,
                              error_messages={"invalid": _("Enter a year as four digits, e.g. 2025.")})
    month = forms.TypedChoiceField(label=_("Month"), required=False, coerce=int, empty_value=None,
                                   choices=[("", "–")] + [(m, m) for m in range(1, 13)])
    quarter = forms.TypedChoiceField(label=_("Quarter"), required=False, coerce=int, empty_value=None,
                                     choices=[("", "–")] + [(q, q) for q in range(1, 5)])
    start = forms.DateField(label=pgettext_lazy("period", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                            help_text=_("Only for a period between two dates."),
                            error_messages={"invalid": _("Enter a date as day/month/year, e.g. 01/03/2025.")})
    end = forms.DateField(label=pgettext_lazy("period", "To"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                          error_messages={"invalid": _("Enter a date as day/month/year, e.g. 31/03/2025.")})
    agency = forms.ChoiceField(label=_("Agency"), required=False,
                               help_text=_("Counts the agency and the agencies under it."))
    field = forms.ChoiceField(label=_("Field"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    procedure = forms.CharField(label=_("Procedure code"), required=False, max_length=40,
                                help_text=_("As in the national procedure database, e.g. 1.001193."))

    def __init__(self, data=None, *, today: dt.date | None = None, **kwargs):
        self.today = today or timezone.localdate()
        if data is not None and not any(data.get(name) for name in PARAMETERS):
            # The page's first view: this month so far.
            data = {"period": MONTH, "year": str(self.today.year), "month": str(self.today.month)}
        elif data is not None and not data.get("period"):
            data = data.copy()
            data["period"] = MONTH
        super().__init__(data, **kwargs)
        self.fields["year"].validators.append(_max_year(self.today.year))
        self.fields["year"].widget.attrs.update({"min": FIRST_YEAR, "max": self.today.year, "inputmode": "numeric"})
        locale = default_locale()
        agencies = Agency.objects.filter(locale=locale).order_by("name")
        names = localized_names(Agency, [a.pk for a in agencies])
        self.agencies = {a.unit_code: a for a in agencies}
        self.fields["agency"].choices = [("", _("All agencies"))] + sorted(
            ((a.unit_code, names.get(a.pk, a.name)) for a in agencies), key=lambda choice: choice[1].casefold())
        fields = Field.objects.filter(locale=locale)
        field_names = localized_names(Field, [f.pk for f in fields])
        self.field_objects = {f.code: f for f in fields}
        self.fields["field"].choices = [("", _("All fields"))] + sorted(
            ((f.code, field_names.get(f.pk, f.name)) for f in fields), key=lambda choice: choice[1].casefold())
        self.fields["tier"].choices = [("", _("All tiers")), *PROCEDURE_TIER_CHOICES]

    # -------------------------------------------------------------- checks

    def clean_procedure(self) -> ProcedurePage | None:
        code = (self.cleaned_data.get("procedure") or "").strip()
        if not code:
            return None
        procedure = ProcedurePage.objects.filter(code=code, locale=default_locale()).first()
        if procedure is None:
            raise forms.ValidationError(_("No procedure has the code %(code)s."), params={"code": code},
                                        code="unknown")
        return procedure

    def clean(self):
        data = super().clean()
        kind = data.get("period")
        year, month, quarter = data.get("year"), data.get("month"), data.get("quarter")
        start = end = None
        if kind in (MONTH, QUARTER, YEAR) and year is None and "year" not in self.errors:
            self.add_error("year", _("Enter the year."))
        if kind == MONTH and month is None:
            self.add_error("month", _("Choose the month."))
        if kind == QUARTER and quarter is None:
            self.add_error("quarter", _("Choose the quarter."))
        if kind == RANGE:
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Enter the first day of the period."))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Enter the last day of the period."))
            if start and end and end < start:
                self.add_error("end", _("The last day must be on or after the first day."))
                start = end = None
            if start and start.year < FIRST_YEAR:
                self.add_error("start", _("Statistics start in %(year)s.") % {"year": FIRST_YEAR})
                start = None
        elif year is not None and "year" not in self.errors:
            if kind == MONTH and month is not None:
                start = dt.date(year, month, 1)
                end = dt.date(year, month, calendar.monthrange(year, month)[1])
            elif kind == QUARTER and quarter is not None:
                start = dt.date(year, 3 * quarter - 2, 1)
                last_month = 3 * quarter
                end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
            elif kind == YEAR:
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if start and end and not self.errors:
            if start > self.today:
                self.add_error(None, _("This period has not begun yet: choose one that starts today or earlier."))
            else:
                data["period_dates"] = Period(start, min(end, self.today))
                data["cut_at_today"] = end > self.today
        return data

    # -------------------------------------------------------------- results

    @property
    def period_value(self) -> Period:
        return self.cleaned_data["period_dates"]

    def values(self) -> dict[str, str]:
        """The valid filters as permalink parameters, only those that apply."""
        data = self.cleaned_data
        kind = data["period"]
        out = {"period": kind}
        for name in PERIOD_PARAMETERS[kind]:
            value = data[name]
            out[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        if data.get("agency"):
            out["agency"] = data["agency"]
        if data.get("field"):
            out["field"] = data["field"]
        if data.get("tier"):
            out["tier"] = data["tier"]
        if data.get("procedure") is not None:
            out["procedure"] = data["procedure"].code
        return out

    def canonical_query(self) -> str:
        values = self.values()
        return urlencode([(name, values[name]) for name in PARAMETERS if name in values])

    def agency_object(self) -> Agency | None:
        code = self.cleaned_data.get("agency")
        return self.agencies.get(code) if code else None

    def field_object(self) -> Field | None:
        code = self.cleaned_data.get("field")
        return self.field_objects.get(code) if code else None


def _max_year(limit: int):
    def check(value):
        if value is not None and value > limit:
            raise forms.ValidationError(_("Statistics go up to %(year)s."), params={"year": limit}, code="future")

    return check
