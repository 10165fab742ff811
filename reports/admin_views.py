"""The reports' admin screens and downloads, under "Reports" in the admin.

* The ministry's tables (`reports.ministry`): a year, the general figures
  on the screen, the workbook to download. Province-wide figures: for
  superusers and leaders of a province-tier agency.
* Per agency and per handler (`reports.staff`) for a period, with CSV and
  XLSX exports.
* The reception desk's log book (`reports.desk_log`) for an agency and a
  day or range: on the screen, as a printable page, as CSV and XLSX.

Every view asks `reports.staff.report_scope` first: nobody without a scope
gets anything (403), and an agency outside the scope named in the address
is a 404 on the screens and on the downloads alike.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale

from core.exports import safe_cell

from . import desk_log, ministry
from .figures import Period
from .staff import ReportScope, agency_in_scope, agency_report, handler_report, may_see_province, report_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")
#: The longest period a staff report covers.
MAX_PERIOD_DAYS = 5 * 366


# ---------------------------------------------------------------- forms


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=ministry.FIRST_YEAR,
                              max_value=ministry.LAST_YEAR)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("Choose this year or an earlier one."))
        return year


class PeriodForm(forms.Form):
    """A period, and optionally one agency of the user's scope (with the
    agencies below it)."""

    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), required=False)
    max_days = MAX_PERIOD_DAYS

    def __init__(self, *args, scope: ReportScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All my agencies"))] + [
            (str(a.pk), a.name) for a in scope.agencies().order_by("name")]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date must be on or after the start date."))
            elif (end - start).days >= self.max_days:
                self.add_error("end", _("Choose a period of at most %(days)s days.") % {"days": self.max_days})
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


class DeskLogForm(PeriodForm):
    agency = forms.ChoiceField(label=gettext_lazy("Agency"))
    max_days = desk_log.MAX_DAYS

    def __init__(self, *args, scope: ReportScope, **kwargs):
        super().__init__(*args, scope=scope, **kwargs)
        self.fields["agency"].choices = self.fields["agency"].choices[1:]


def _initial_period() -> dict:
    today = timezone.localdate()
    return {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}


def _scope_or_403(request) -> ReportScope:
    scope = report_scope(request.user)
    if scope.empty:
        raise PermissionDenied
    return scope


def _bound(request, form_class, scope: ReportScope, initial: dict):
    """The form bound to the query (or to `initial` when there is none);
    an agency outside the scope in the query is a 404 before anything else."""
    data = request.GET if any(name in request.GET for name in ("start", "end", "agency")) else initial
    if data.get("agency"):
        agency_in_scope(scope, data.get("agency"))
    return form_class(data, scope=scope)


def _narrowed(scope: ReportScope, form) -> ReportScope:
    pk = form.cleaned_data.get("agency")
    return scope.narrowed_to(agency_in_scope(scope, pk)) if pk else scope


# ---------------------------------------------------------------- exports


def csv_response(filename: str, headers, rows) -> HttpResponse:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([safe_cell(str(h)) for h in headers])
    for row in rows:
        writer.writerow([safe_cell("" if value is None else value) for value in row])
    response = HttpResponse(("\ufeff" + text.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, sheet: str, title: str, subtitle: str, headers, rows, widths) -> HttpResponse:
    workbook = ministry.new_workbook()
    ministry.add_sheet(workbook, sheet, title, subtitle, tuple(str(h) for h in headers), rows, widths)
    response = HttpResponse(ministry.save(workbook), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export(fmt: str, filename: str, sheet: str, title: str, subtitle: str, headers, rows, widths):
    if fmt == "csv":
        return csv_response(filename, headers, rows)
    return xlsx_response(filename, sheet, title, subtitle, headers, rows, widths)


def _period_text(period: Period) -> str:
    return f"{period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}"


class ReportView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


# ---------------------------------------------------------------- the ministry's tables


def _require_province(request) -> None:
    if not may_see_province(request.user):
        raise PermissionDenied


class MinistryView(ReportView):
    template_name = "reports/admin/ministry.html"
    page_title = gettext_lazy("Tables for the Ministry")

    def dispatch(self, request, *args, **kwargs):
        _require_province(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = YearForm(self.request.GET if "year" in self.request.GET else {"year": timezone.localdate().year})
        context["form"] = form
        if form.is_valid():
            year = form.cleaned_data["year"]
            context["year"] = year
            context.update(ministry.general_figures(year))
            context["general_headers"] = ministry.GENERAL_HEADERS
            context["level_headers"] = ministry.LEVEL_HEADERS
        return context


def ministry_xlsx(request):
    _require_province(request)
    form = YearForm(request.GET)
    if not form.is_valid():
        return HttpResponse(_("Choose a year between 2000 and this year."), status=400,
                            content_type="text/plain; charset=utf-8")
    year = form.cleaned_data["year"]
    response = HttpResponse(ministry.ministry_workbook(year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-bo-{year}.xlsx"'
    return response


# ---------------------------------------------------------------- per agency, per handler


def _report_headers(first: str, with_ratings: bool) -> list[str]:
    headers = [first, _("Received"), _("Done"), _("On time"), _("Late"), _("Pending"), _("of which overdue"),
               _("On-time rate (%)")]
    if with_ratings:
        headers += [_("Ratings"), _("Satisfied (%)")]
    return headers


def _report_cells(report, with_ratings: bool) -> list[tuple]:
    rows = []
    for row in [*report.rows, report.total] if report.rows else []:
        cells = [row.label or _("Total"), row.received, row.done, row.on_time, row.late, row.pending, row.overdue,
                 row.on_time_rate]
        if with_ratings:
            cells += [row.ratings, row.satisfaction_rate]
        rows.append(tuple(float(c) if c is not None and not isinstance(c, (int, str)) else c for c in cells))
    return rows


class StaffReportView(ReportView):
    template_name = "reports/admin/staff_report.html"
    kind = ""  # "agencies" or "handlers"

    def dispatch(self, request, *args, **kwargs):
        self.scope = _scope_or_403(request)
        self.form = _bound(request, PeriodForm, self.scope, _initial_period())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, kind=self.kind, export_url=reverse(f"reports_{self.kind}_export",
                                                                          args=["csv"]))
        if self.form.is_valid():
            report, with_ratings = build_report(self.kind, self.scope, self.form)
            context.update(report=report, headers=_report_headers(self.first_column(), with_ratings),
                           cells=_report_cells(report, with_ratings), query=self.request.GET.urlencode(),
                           period=self.form.period)
        return context

    def first_column(self) -> str:
        return _("Agency") if self.kind == "agencies" else _("Handler")


class AgencyReportView(StaffReportView):
    kind = "agencies"
    page_title = gettext_lazy("Report by agency")


class HandlerReportView(StaffReportView):
    kind = "handlers"
    page_title = gettext_lazy("Report by handler")


def build_report(kind: str, scope: ReportScope, form):
    scope = _narrowed(scope, form)
    if kind == "agencies":
        report = agency_report(scope, form.period)
        return report, report.with_ratings
    return handler_report(scope, form.period), False


def staff_report_export(request, kind: str, fmt: str):
    if kind not in ("agencies", "handlers") or fmt not in EXPORT_FORMATS:
        raise Http404
    scope = _scope_or_403(request)
    form = _bound(request, PeriodForm, scope, _initial_period())
    if not form.is_valid():
        return HttpResponse(_("Choose a valid period."), status=400, content_type="text/plain; charset=utf-8")
    report, with_ratings = build_report(kind, scope, form)
    first = _("Agency") if kind == "agencies" else _("Handler")
    headers = _report_headers(first, with_ratings)
    title = _("Report by agency") if kind == "agencies" else _("Report by handler")
    period = form.period
    return export(fmt, f"bao-cao-{kind}-{period.start:%Y%m%d}-{period.end:%Y%m%d}", str(title)[:31], str(title),
                  _period_text(period), headers, _report_cells(report, with_ratings),
                  [40] + [12] * (len(headers) - 1))


# ---------------------------------------------------------------- the desk's log book


def _desk_log_initial(scope: ReportScope) -> dict:
    today = timezone.localdate().isoformat()
    first = scope.agencies().order_by("name").first()
    return {"start": today, "end": today, "agency": str(first.pk) if first else ""}


def _desk_log(request):
    scope = _scope_or_403(request)
    form = _bound(request, DeskLogForm, scope, _desk_log_initial(scope))
    if not form.is_valid():
        return form, None, None
    agency = agency_in_scope(scope, form.cleaned_data["agency"])
    with translation.override(Locale.get_default().language_code):
        lines = desk_log.lines(agency, form.period)
    return form, agency, lines


class DeskLogView(ReportView):
    template_name = "reports/admin/desk_log.html"
    page_title = gettext_lazy("Reception desk log book")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, agency, lines = _desk_log(self.request)
        context.update(form=form, agency=agency, lines=lines, headers=desk_log.LOG_HEADERS,
                       query=self.request.GET.urlencode() if agency else "")
        return context


def desk_log_print(request):
    form, agency, lines = _desk_log(request)
    if agency is None:
        raise Http404
    return render(request, "reports/admin/desk_log_print.html", {
        "agency": agency, "lines": lines, "headers": desk_log.LOG_HEADERS, "period": form.period,
        "title": desk_log.LOG_TITLE, "query": request.GET.urlencode(),
    })


def desk_log_export(request, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    form, agency, lines = _desk_log(request)
    if agency is None:
        return HttpResponse(_("Choose an agency and a valid period."), status=400,
                            content_type="text/plain; charset=utf-8")
    period = form.period
    return export(fmt, f"so-theo-doi-ho-so-{agency.unit_code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}",
                  "Sổ theo dõi hồ sơ", f"{desk_log.LOG_TITLE} — {agency.name}", _period_text(period),
                  desk_log.LOG_HEADERS, [line.cells() for line in lines],
                  [5, 24, 40, 8, 24, 30, 24, 16, 16, 16, 16, 16, 12, 24])

