"""What the statistics page shows, built once per language and filter set
and cached in `reports.facts.statistics_cache` (refreshed whenever the
facts change): the tables (the page and its downloads read the same rows),
the chart and the indicators.

Everything here is plain data (text, numbers), so it pickles into any
cache backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from eforms.models import Channel
from procedures.models import Agency, Field

from .. import indicators
from ..charts import Series, bar_chart
from ..figures import Figures, Period, Scope, figures, figures_by, monthly_series
from ..forms import localized_names

#: An agency needs this many resolved dossiers in the period to be ranked:
#: below it one dossier moves its rate by several points, so 1 of 1 on time
#: (100 %) would rank above 980 of 1,000 (98 %).
MIN_RESOLVED_TO_RANK = 20

ON_TIME_COLOUR, LATE_COLOUR, RECEIVED_COLOUR = "#2b6e3f", "#b3261e", "#1d4e89"


@dataclass
class Table:
    key: str
    caption: str
    header: list[str]
    rows: list[list]
    #: per column: "text", "number" or "rate" (how the page shows a cell)
    kinds: list[str] = field(default_factory=list)

    @property
    def display(self) -> list[list[dict]]:
        """The rows as the page shows them: the first text column heads its
        row; a rate (a Decimal) shows one decimal wherever it stands."""
        header_column = self.kinds.index("text") if "text" in self.kinds else 0
        return [[{"value": value, "kind": "rate" if isinstance(value, Decimal) else kind, "header": i == header_column}
                 for i, (value, kind) in enumerate(zip(row, self.kinds, strict=True))] for row in self.rows]


def _month_label(period: Period) -> str:
    return f"{period.start:%m/%Y}"


def figures_table(data: Figures) -> Table:
    rows = [
        [_("Carried over from before the period"), data.carried_over],
        [_("Received in the period"), data.received],
    ]
    channel_labels = {
        Channel.ONLINE: _("– online"), Channel.DESK: _("– at the desk"), Channel.POST: _("– by post"),
        Channel.HOME_SERVICE: _("– home service (collected by the post)"),
    }
    for channel in Channel.values:
        rows.append([channel_labels[channel], data.received_by_channel.get(channel, 0)])
    rows += [
        [_("Resolved in the period"), data.resolved],
        [_("– early"), data.early],
        [_("– on time"), data.on_time],
        [_("– late"), data.late],
        [_("Still open at the end of the period"), data.open],
        [_("– within time"), data.open_within],
        [_("– overdue"), data.open_overdue],
        [_("Refused"), data.refused],
        [_("Cancelled"), data.cancelled],
        [_("Found invalid"), data.invalid],
        [_("Results handed over"), data.returned],
        [_("On-time rate (%)"), data.on_time_rate],
        [_("Online rate (%)"), data.online_rate],
    ]
    return Table("figures", _("Dossiers in the period"), [_("Figure"), _("Dossiers")], rows,
                 ["text", "number"])


def months_table(series: list[tuple[Period, Figures]]) -> Table:
    rows = [[_month_label(period), data.received, data.early + data.on_time, data.late, data.on_time_rate]
            for period, data in series]
    return Table("months", _("The last six months"),
                 [_("Month"), pgettext("statistics", "Received"), _("Resolved early or on time"), _("Resolved late"),
                  _("On-time rate (%)")], rows, ["text", "number", "number", "number", "rate"])


def months_chart(table: Table, first: Period, last: Period):
    series = [
        Series("received", pgettext("statistics", "Received"), RECEIVED_COLOUR),
        Series("on_time", _("Resolved early or on time"), ON_TIME_COLOUR),
        Series("late", _("Resolved late"), LATE_COLOUR),
    ]
    description = _(
        "Bar chart of the dossiers received, resolved early or on time, and resolved late in each month from "
        "%(first)s to %(last)s. The same numbers are in the table beside the chart."
    ) % {"first": _month_label(first), "last": _month_label(last)}
    return bar_chart(chart_id="months-chart", title=table.caption, description=description,
                     groups=[row[0] for row in table.rows], series=series,
                     values=[row[1:4] for row in table.rows])


def _breakdown_rows(by: dict, names: dict[int, str]) -> list[list]:
    rows = []
    for key, data in by.items():
        rows.append([names.get(key, _("(none)")), data.received, data.early + data.on_time, data.late,
                     data.open_overdue, data.on_time_rate])
    rows.sort(key=lambda row: str(row[0]).casefold())
    return rows


def field_table(period: Period, scope: Scope) -> Table:
    by = figures_by(period, "field", scope)
    names = localized_names(Field, [k for k in by if k is not None])
    return Table("fields", _("By field"),
                 [_("Field"), pgettext("statistics", "Received"), _("Resolved early or on time"), _("Resolved late"),
                  _("Open and overdue"), _("On-time rate (%)")],
                 _breakdown_rows(by, names), ["text", "number", "number", "number", "number", "rate"])


def ranking_tables(period: Period, scope: Scope) -> tuple[Table, Table]:
    by = figures_by(period, "agency", scope)
    names = localized_names(Agency, [k for k in by if k is not None])
    ranked, unranked = [], []
    for key, data in by.items():
        entry = (names.get(key, _("(no agency)")), data)
        (ranked if data.resolved >= MIN_RESOLVED_TO_RANK else unranked).append(entry)
    ranked.sort(key=lambda e: (-(e[1].on_time_rate or Decimal(0)), -e[1].resolved, e[0].casefold()))
    rows, previous, rank = [], None, 0
    for position, (name, data) in enumerate(ranked, start=1):
        if data.on_time_rate != previous:
            rank, previous = position, data.on_time_rate
        rows.append([rank, name, data.resolved, data.early + data.on_time, data.late, data.on_time_rate])
    header = [pgettext("ranking", "Rank"), _("Agency"), _("Resolved"), _("Resolved early or on time"),
              _("Resolved late"), _("On-time rate (%)")]
    kinds = ["number", "text", "number", "number", "number", "rate"]
    unranked.sort(key=lambda e: (-e[1].resolved, e[0].casefold()))
    return (
        Table("ranking", _("Agencies ranked by on-time rate"), header, rows, kinds),
        Table("unranked", _("Agencies not ranked: fewer resolved dossiers than the minimum"), header[1:],
              [[name, data.resolved, data.early + data.on_time, data.late, data.on_time_rate]
               for name, data in unranked], kinds[1:]),
    )


def indicator_tables(period: Period, scope: Scope, data: Figures) -> tuple[Table, Table]:
    rows = [[str(i.label), str(i.group), str(i.formula), i.numerator, i.denominator, i.value, str(i.note)]
            for i in indicators.compute(period, scope, data)]
    computed = Table("indicators", _("Decision 766 indicators: the portal's own figures"),
                     [_("Indicator"), _("Group"), _("Formula"), _("Numerator"), _("Denominator"),
                      _("Value (%)"), _("Note")], rows,
                     ["text", "text", "text", "number", "number", "rate", "text"])
    missing = Table("not_computed", _("Decision 766 indicators the portal cannot compute"),
                    [_("Indicator"), _("Group"), _("Why not")],
                    [[str(label), str(g), str(why)] for g, label, why in indicators.not_computed()],
                    ["text", "text", "text"])
    return computed, missing


def build(period: Period, scope: Scope) -> dict:
    """Everything the page shows for one period and scope (in the active
    language)."""
    data = figures(period, scope)
    series = monthly_series(period.end, scope)
    months = months_table(series)
    ranking, unranked = ranking_tables(period, scope)
    computed, missing = indicator_tables(period, scope, data)
    tables = [figures_table(data), months, field_table(period, scope), ranking, unranked, computed, missing]
    return {
        "period_label": _("%(start)s to %(end)s") % {
            "start": date_format(period.start, "SHORT_DATE_FORMAT"),
            "end": date_format(period.end, "SHORT_DATE_FORMAT")},
        "tables": {table.key: table for table in tables},
        "chart": str(months_chart(months, series[0][0], series[-1][0])),
        "min_resolved": MIN_RESOLVED_TO_RANK,
        "has_figures": bool(data.carried_over or data.received or data.resolved or data.refused
                            or data.cancelled or data.invalid),
    }
