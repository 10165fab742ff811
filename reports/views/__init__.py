"""/statistics/ (and /en/statistics/): public statistics from the facts.

A GET form chooses the period and the scope; its canonical query string
is the view's permalink. What the page shows is built once per language
and filter set and kept by `reports.facts.cached_view`: refreshed when the
facts change, at most once per `PORTAL_STATISTICS_REFRESH_SECONDS`. Each table downloads as CSV or XLSX at
`/statistics/download/<table>.<csv|xlsx>?<the same filters>`.

Anonymous visitors need no cookie: the form is a GET form and the view
touches no session. The page cache (core.pagecache) and browsers keep the
page and its downloads no longer than the figures themselves are kept:
`max-age=PORTAL_STATISTICS_REFRESH_SECONDS` (0: not kept).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from procedures.models import ProcedurePage

from ..exports import csv_response, xlsx_response
from ..facts import cached_view
from ..figures import Scope
from ..forms import StatisticsForm, agency_with_descendants, localized_names
from . import tables

TEMPLATE = "reports/statistics.html"
FORMATS = ("csv", "xlsx")


def scope_of(form: StatisticsForm) -> Scope:
    agency = form.agency_object()
    field = form.field_object()
    procedure = form.cleaned_data.get("procedure")
    return Scope(
        agency_ids=agency_with_descendants(agency.pk) if agency is not None else None,
        field_id=field.pk if field is not None else None,
        tier=form.cleaned_data.get("tier") or None,
        procedure_ids=(procedure.pk,) if procedure is not None else None,
    )


def page_data(form: StatisticsForm) -> dict:
    """The cached content of one valid filter set in the active language."""
    period = form.period_value
    # the end too: this month's figures count up to today, a new key tomorrow
    name = f"page.{translation.get_language()}.{period.end:%Y%m%d}.{form.canonical_query()}"
    return cached_view(name, lambda: tables.build(period, scope_of(form)))


def chosen_filters(form: StatisticsForm) -> list[tuple[str, str]]:
    """(label, value) of each scope filter in use, as the page states them."""
    out = []
    for name in ("agency", "field", "tier"):
        value = form.cleaned_data.get(name)
        if value:
            out.append((str(form.fields[name].label), str(dict(form.fields[name].choices).get(value, value))))
    procedure = form.cleaned_data.get("procedure")
    if procedure is not None:
        title = localized_names(ProcedurePage, [procedure.pk], "title").get(procedure.pk, procedure.title)
        out.append((str(form.fields["procedure"].label), f"{procedure.code} – {title}"))
    return out


def fresh_as_the_facts(view):
    """The answer may be kept as long as a statistics view is (new facts
    show after at most `PORTAL_STATISTICS_REFRESH_SECONDS`), no longer."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, max_age=settings.PORTAL_STATISTICS_REFRESH_SECONDS)
        return response

    return wrapper


@require_safe
@fresh_as_the_facts
def statistics(request):
    form = StatisticsForm(request.GET)
    context = {"form": form}
    if not form.is_valid():
        # the form with its messages, and no figures
        return render(request, TEMPLATE, context, status=400)
    query = form.canonical_query()
    context.update(page_data(form))
    context.update({
        "query": query,
        "permalink": request.build_absolute_uri(f"{request.path}?{query}"),
        "cut_at_today": form.cleaned_data["cut_at_today"],
        "chosen": chosen_filters(form),
    })
    return render(request, TEMPLATE, context)


@require_safe
@fresh_as_the_facts
def statistics_download(request, table: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    form = StatisticsForm(request.GET)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    data = page_data(form)
    found = data["tables"].get(table)
    if found is None:
        raise Http404
    period = form.period_value
    filename = f"statistics-{table}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, found.header, found.rows)
    return xlsx_response(filename, found.caption, found.header, found.rows)
