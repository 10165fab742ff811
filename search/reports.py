"""The editors' report: what people search for, and what finds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.template.response import TemplateResponse
from django.utils import timezone

from .models import SearchQueryStat

PERIODS = (7, 30, 90)
REPORT_PERMISSION = "search.view_searchquerystat"


def report_rows(days: int, limit: int = 50) -> dict[str, list[dict]]:
    """Top queries over the last ``days`` days, summed over languages'
    same folded query, and the queries that most often found nothing."""
    since = timezone.localdate() - timedelta(days=days - 1)
    base = (
        SearchQueryStat.objects.filter(day__gte=since)
        .values("query", "language")
        .annotate(total=Sum("searches"), empty=Sum("zero_results"))
    )
    examples = dict(
        SearchQueryStat.objects.filter(day__gte=since).order_by("day").values_list("query", "example")
    )
    def rows(qs):
        return [{**row, "example": examples.get(row["query"], row["query"])} for row in qs[:limit]]

    return {
        "not_found": rows(base.filter(empty__gt=0).order_by("-empty", "-total", "query")),
        "popular": rows(base.order_by("-total", "query")),
    }


def search_report(request):
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    if days not in PERIODS:
        days = 30
    return TemplateResponse(
        request,
        "search/admin/report.html",
        {"days": days, "periods": PERIODS, **report_rows(days)},
    )
