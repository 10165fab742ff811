"""Reading the figures: sums over the facts for a period and a scope.

A period is read from `MonthlyFact` for its whole months and from
`DailyFact` for the days at its edges, so a year costs a few queries over
month rows whatever the number of dossiers. Everything before a period
(what it carries over) is one more such sum.

The definitions (DESIGN.md; written on the statistics page) are in
`reports.models.Outcome` and `reports.facts.contributions`:

- carried over: received before the period and still being processed when
  it began;
- received: taken in by the agency during the period, by channel;
- resolved early / on time / late: completed during the period, against
  the appointment first promised;
- open within time / overdue: received and still being processed at the
  end of the period, with the appointment day not passed / passed (a
  dossier waiting for a supplement is within time: its clock is paused);
- refused, cancelled, invalid, returned: during the period;
- on-time rate: (early + on time) / resolved; online rate: received online
  / received.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from eforms.models import Channel

from .models import LEAVES_PROCESSING, DailyFact, MonthlyFact, Outcome, YearlyFact

#: Dimensions a figure can be broken down by, as fact lookups.
DIMENSIONS = {
    "agency": "agency_id",
    "procedure": "procedure_id",
    "field": "procedure__field_id",
    "tier": "procedure__tier",
    "channel": "channel",
}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")


@dataclass(frozen=True)
class Scope:
    """Which dossiers count: agencies (already widened to their sub-agencies
    by the caller; default-locale ids), a field, a tier, procedures."""

    agency_ids: tuple[int, ...] | None = None
    field_id: int | None = None
    tier: str | None = None
    procedure_ids: tuple[int, ...] | None = None

    def lookups(self) -> dict:
        out = {}
        if self.agency_ids is not None:
            out["agency_id__in"] = self.agency_ids
        if self.field_id is not None:
            out["procedure__field_id"] = self.field_id
        if self.tier:
            out["procedure__tier"] = self.tier
        if self.procedure_ids is not None:
            out["procedure_id__in"] = self.procedure_ids
        return out


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """The counts of one period and scope (see the module's definitions)."""

    carried_over: int = 0
    received_by_channel: dict[str, int] = field(default_factory=dict)
    early: int = 0
    on_time: int = 0
    late: int = 0
    open_within: int = 0
    open_overdue: int = 0
    refused: int = 0
    cancelled: int = 0
    invalid: int = 0
    returned: int = 0
    returned_online: int = 0
    signed_results: int = 0

    @property
    def received(self) -> int:
        return sum(self.received_by_channel.values())

    @property
    def received_online(self) -> int:
        return self.received_by_channel.get(Channel.ONLINE, 0)

    @property
    def resolved(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def open(self) -> int:
        return self.open_within + self.open_overdue

    @property
    def on_time_rate(self) -> Decimal | None:
        """Percentage of resolved dossiers resolved early or on time."""
        return _rate(self.early + self.on_time, self.resolved)

    @property
    def online_rate(self) -> Decimal | None:
        """Percentage of received dossiers received online."""
        return _rate(self.received_online, self.received)

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in (
            "carried_over", "received", "early", "on_time", "late", "resolved", "open_within", "open_overdue",
            "refused", "cancelled", "invalid", "returned", "on_time_rate", "online_rate")}
        data["received_by_channel"] = {c: self.received_by_channel.get(c, 0) for c in Channel.values}
        return data


# --- sums over the facts -------------------------------------------------------------------------


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _sum(model, period_field: str, start: dt.date | None, end: dt.date, scope: Scope,
         group: tuple[str, ...], outcomes: Iterable[str] | None = None) -> Counter:
    filters = {f"{period_field}__lte": end, **scope.lookups()}
    if start is not None:
        filters[f"{period_field}__gte"] = start
    if outcomes is not None:
        filters["outcome__in"] = tuple(outcomes)
    rows = (model.objects.filter(**filters).values(*group, "outcome", "channel")
            .annotate(n=Sum("count")).order_by())
    return Counter({(tuple(row[g] for g in group), row["outcome"], row["channel"]): row["n"] for row in rows})


def _month_end(day: dt.date) -> dt.date:
    return _next_month(day) - dt.timedelta(days=1)


def pieces(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Cut the days `start`..`end` into the fewest fact rows to read: whole
    years from the yearly facts, whole months from the monthly ones, the
    other days from the daily ones. Each piece is (level, first key, last
    key), keys being the first day of the year, month or the day itself."""
    out: list[tuple[str, dt.date, dt.date]] = []
    cur = start
    while cur <= end:
        if cur.month == 1 and cur.day == 1 and dt.date(cur.year, 12, 31) <= end:
            last = end.year if end == dt.date(end.year, 12, 31) else end.year - 1
            out.append(("year", cur, dt.date(last, 1, 1)))
            cur = dt.date(last + 1, 1, 1) if last < dt.MAXYEAR else end + dt.timedelta(days=1)
        elif cur.day == 1 and _month_end(cur) <= end:
            last = _first_of_month(end) if _month_end(end) == end else _first_of_month(
                _first_of_month(end) - dt.timedelta(days=1))
            last = min(last, dt.date(cur.year, 12, 1))
            out.append(("month", cur, last))
            cur = _next_month(last)
        else:
            last = min(_month_end(cur), end)
            out.append(("day", cur, last))
            cur = last + dt.timedelta(days=1)
    return out


#: The facts each level of `pieces` reads, and their period field.
LEVELS = {"year": (YearlyFact, "year"), "month": (MonthlyFact, "month"), "day": (DailyFact, "day")}


def sums(start: dt.date | None, end: dt.date, scope: Scope, group: tuple[str, ...] = (),
         outcomes: Iterable[str] | None = None) -> Counter:
    """{(group values, outcome, channel): count} for the days `start`..`end`
    (from the beginning when `start` is None), read from the yearly,
    monthly and daily facts as `pieces` cuts the period; `outcomes` limits
    the outcomes read."""
    total: Counter = Counter()
    if start is None:
        # Everything before `end`: one read of the yearly facts up to the
        # last whole year, then `end`'s own year as any period.
        first_year = dt.date(end.year, 1, 1)
        if end == dt.date(end.year, 12, 31):
            total += _sum(YearlyFact, "year", None, first_year, scope, group, outcomes)
            return total
        total += _sum(YearlyFact, "year", None, dt.date(end.year - 1, 1, 1), scope, group, outcomes)
        start = first_year
    for level, first, last in pieces(start, end):
        model, field_name = LEVELS[level]
        total += _sum(model, field_name, first, last, scope, group, outcomes)
    return total


#: What the days before a period contribute to its figures: the carry-over
#: (received − left processing) and the overdue balance (due − settled).
HISTORY = (Outcome.RECEIVED, *LEAVES_PROCESSING, Outcome.DUE, Outcome.SETTLED)


def _fill(out: Figures, before: Counter, during: Counter) -> Figures:
    """Figures from the counts before the period and during it (both
    {(outcome, channel): n} for one group)."""

    def total(counter: Counter, outcomes: Iterable[str]) -> int:
        wanted = set(outcomes)
        return sum(n for (outcome, _channel), n in counter.items() if outcome in wanted)

    received_before = total(before, [Outcome.RECEIVED])
    left_before = total(before, LEAVES_PROCESSING)
    out.carried_over = received_before - left_before
    by_channel: dict[str, int] = defaultdict(int)
    for (outcome, channel), n in during.items():
        if outcome == Outcome.RECEIVED:
            by_channel[channel] += n
    out.received_by_channel = dict(by_channel)
    out.early = total(during, [Outcome.EARLY])
    out.on_time = total(during, [Outcome.ON_TIME])
    out.late = total(during, [Outcome.LATE])
    out.refused = total(during, [Outcome.REFUSED])
    out.cancelled = total(during, [Outcome.CANCELLED])
    out.invalid = total(during, [Outcome.INVALID])
    out.returned = total(during, [Outcome.RETURNED])
    out.returned_online = total(during, [Outcome.RETURNED_ONLINE])
    out.signed_results = total(during, [Outcome.SIGNED_RESULT])
    open_at_end = out.carried_over + out.received - total(during, LEAVES_PROCESSING)
    overdue = (total(before, [Outcome.DUE]) + total(during, [Outcome.DUE])
               - total(before, [Outcome.SETTLED]) - total(during, [Outcome.SETTLED]))
    out.open_overdue = overdue
    out.open_within = open_at_end - overdue
    return out


def _split(counter: Counter) -> dict[tuple, Counter]:
    groups: dict[tuple, Counter] = defaultdict(Counter)
    for (key, outcome, channel), n in counter.items():
        groups[key][(outcome, channel)] += n
    return groups


def figures(period: Period, scope: Scope = Scope()) -> Figures:
    """The figures of one period and scope."""
    before = _split(sums(None, period.start - dt.timedelta(days=1), scope, outcomes=HISTORY))
    during = _split(sums(period.start, period.end, scope))
    return _fill(Figures(), before.get((), Counter()), during.get((), Counter()))


def figures_by(period: Period, by: str, scope: Scope = Scope()) -> dict:
    """{value of the dimension `by` (see DIMENSIONS): Figures} for every
    value with any count."""
    group = (DIMENSIONS[by],)
    before = _split(sums(None, period.start - dt.timedelta(days=1), scope, group, outcomes=HISTORY))
    during = _split(sums(period.start, period.end, scope, group))
    return {
        key[0]: _fill(Figures(), before.get(key, Counter()), during.get(key, Counter()))
        for key in set(before) | set(during)
    }


def month_periods(last: dt.date, months: int = 6) -> list[Period]:
    """The `months` calendar months ending with the one holding `last`
    (the last one cut at `last`), oldest first."""
    out = []
    month_start = _first_of_month(last)
    end = last
    for _ in range(months):
        out.append(Period(month_start, end))
        end = month_start - dt.timedelta(days=1)
        month_start = _first_of_month(end)
    return list(reversed(out))


def monthly_series(last: dt.date, scope: Scope = Scope(), months: int = 6) -> list[tuple[Period, Figures]]:
    """The figures of each of the last `months` months (the chart's data):
    history read once, before the first month, then each month's own
    counts, each month carrying over what the previous one left."""
    periods = month_periods(last, months)
    before = _split(sums(None, periods[0].start - dt.timedelta(days=1), scope, outcomes=HISTORY)).get((), Counter())
    out = []
    for period in periods:
        during = _split(sums(period.start, period.end, scope)).get((), Counter())
        out.append((period, _fill(Figures(), before, during)))
        before = before + Counter({key: n for key, n in during.items() if key[0] in HISTORY})
    return out
