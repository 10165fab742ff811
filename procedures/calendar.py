"""The working-day calendar: which days the agencies work, and the dates that
follow from it (DESIGN.md, "Dossier statuses" → appointment date).

Working days are not a formula. Weekends are off; public holidays
(Labour Code Art. 112: 1 January, five days of Tết, the Hùng Kings' day on
10/3 lunar, 30 April, 1 May, 2 September and one day beside it) are off; the
yearly swaps announced by the Ministry of Home Affairs move a working day
into a holiday and make a Saturday a working day. Administrators keep those
exceptions as `CalendarDay` rows in the Wagtail admin (Snippets → Working-day
calendar); `manage.py seed_calendar YEAR` seeds a year from the `holidays`
package as a starting point they correct.

Services (pure functions over the calendar, usable from any app):

* `is_working_day(date)`
* `next_working_moment(datetime)`: a dossier arriving outside working hours
  counts from the next working moment (07:00 on the next working day).
* `add_processing_time(received_at, amount, unit)`: the appointment moment.
* `processing_time_between(start, end, unit)`: how much of a processing
  time lies between two moments (to pause the clock during a supplement).

The working hours are the setting `PORTAL_WORKING_HOURS`, a list of
"HH:MM-HH:MM" intervals (default 07:00–11:30 and 13:30–17:00).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .models import CalendarDay, ProcessingUnit

__all__ = [
    "CalendarDay",
    "add_processing_time",
    "is_working_day",
    "next_working_moment",
    "processing_time_between",
    "working_hours",
]

#: Saturday and Sunday (date.weekday() numbers) are off unless a CalendarDay says otherwise.
WEEKEND = frozenset({5, 6})


# How a procedure's processing time is counted.
WORKING_DAYS = ProcessingUnit.WORKING_DAYS.value
CALENDAR_DAYS = ProcessingUnit.CALENDAR_DAYS.value
HOURS = ProcessingUnit.HOURS.value


# ---------------------------------------------------------------- working hours


@lru_cache(maxsize=8)
def _parse_hours(spec: tuple[str, ...]) -> tuple[tuple[dt.time, dt.time], ...]:
    intervals = []
    for item in spec:
        try:
            start_text, end_text = item.split("-")
            start = dt.time.fromisoformat(start_text.strip())
            end = dt.time.fromisoformat(end_text.strip())
        except ValueError:
            raise ImproperlyConfigured(f"PORTAL_WORKING_HOURS: {item!r} is not HH:MM-HH:MM") from None
        if end <= start:
            raise ImproperlyConfigured(f"PORTAL_WORKING_HOURS: {item!r} ends before it starts")
        intervals.append((start, end))
    intervals.sort()
    for (_s1, e1), (s2, _e2) in zip(intervals, intervals[1:], strict=False):
        if s2 < e1:
            raise ImproperlyConfigured("PORTAL_WORKING_HOURS: intervals overlap")
    if not intervals:
        raise ImproperlyConfigured("PORTAL_WORKING_HOURS is empty")
    return tuple(intervals)


def working_hours() -> tuple[tuple[dt.time, dt.time], ...]:
    """The working intervals of a working day, sorted, from the setting."""
    spec = getattr(settings, "PORTAL_WORKING_HOURS", ["07:00-11:30", "13:30-17:00"])
    if isinstance(spec, str):
        spec = spec.split(",")
    return _parse_hours(tuple(spec))


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _day_minutes() -> int:
    return sum(_minutes(end) - _minutes(start) for start, end in working_hours())


# ---------------------------------------------------------------- the calendar


class WorkingCalendar:
    """The calendar as read from the database, loaded one year at a time and
    kept for the life of this object (one computation), so adding 30
    working days costs one or two queries rather than one per day."""

    def __init__(self) -> None:
        self._years: dict[int, dict[dt.date, bool]] = {}

    def _exceptions(self, year: int) -> dict[dt.date, bool]:
        if year not in self._years:
            rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
            self._years[year] = {day: kind == CalendarDay.Kind.WORKING_DAY for day, kind in rows}
        return self._years[year]

    def is_working_day(self, day: dt.date) -> bool:
        override = self._exceptions(day.year).get(day)
        if override is not None:
            return override
        return day.weekday() not in WEEKEND

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += dt.timedelta(days=1)
        for _i in range(3660):  # ten years without a working day means a broken calendar
            if self.is_working_day(day):
                return day
            day += dt.timedelta(days=1)
        raise ImproperlyConfigured("The working-day calendar has no working day in ten years.")

    def _opening(self, day: dt.date, tz) -> dt.datetime:
        return dt.datetime.combine(day, working_hours()[0][0], tzinfo=tz)

    def _closing(self, day: dt.date, tz) -> dt.datetime:
        return dt.datetime.combine(day, working_hours()[-1][1], tzinfo=tz)

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        local = _local(moment)
        tz = local.tzinfo
        if self.is_working_day(local.date()):
            clock = local.time().replace(tzinfo=None)
            for start, end in working_hours():
                if clock < start:
                    return dt.datetime.combine(local.date(), start, tzinfo=tz)
                if start <= clock < end:
                    return local
        return self._opening(self.next_working_day(local.date()), tz)

    def add_working_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """Walk forward through working intervals only."""
        moment = self.next_working_moment(start)
        tz = moment.tzinfo
        remaining = minutes
        while True:
            day = moment.date()
            clock = _minutes(moment.time())
            for begin, end in working_hours():
                b, e = _minutes(begin), _minutes(end)
                if clock >= e:
                    continue
                clock = max(clock, b)
                available = e - clock
                if remaining <= available:
                    return dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(minutes=clock + remaining)
                remaining -= available
                clock = e
            moment = self._opening(self.next_working_day(day), tz)

    def add_processing_time(self, received_at: dt.datetime, amount, unit: str) -> dt.datetime:
        amount = Decimal(str(amount))
        if amount < 0:
            raise ValueError("A processing time cannot be negative.")
        start = self.next_working_moment(received_at)
        tz = start.tzinfo
        if unit == WORKING_DAYS:
            whole = int(amount)
            fraction = amount - whole
            day = start.date()
            for _i in range(whole):
                day = self.next_working_day(day)
            result = dt.datetime.combine(day, start.time(), tzinfo=tz)
            if fraction:
                result = self.add_working_minutes(result, int(fraction * _day_minutes()))
            return result
        if unit == HOURS:
            return self.add_working_minutes(start, int(amount * 60))
        if unit == CALENDAR_DAYS:
            end = start + dt.timedelta(days=float(amount))
            if self.is_working_day(end.date()):
                return end
            # Civil Code Art. 148: a period whose last day is a day off ends
            # at the close of the next working day.
            return self._closing(self.next_working_day(end.date()), tz)
        raise ValueError(f"Unknown processing unit {unit!r}")

    def processing_time_between(self, start: dt.datetime, end: dt.datetime, unit: str) -> Decimal:
        """How much processing time (in `unit`) runs from `start` to `end`;
        zero when `end` is not later. The inverse of add_processing_time,
        to the minute for hours and to the day for days."""
        start, end = _local(start), _local(end)
        if end <= start:
            return Decimal(0)
        if unit == CALENDAR_DAYS:
            return Decimal((end.date() - start.date()).days)
        if unit == WORKING_DAYS:
            # A request made after hours or on a day off counts from the next working moment.
            start = self.next_working_moment(start)
            if end <= start:
                return Decimal(0)
            count = 0
            day = start.date()
            while day < end.date():
                day += dt.timedelta(days=1)
                if self.is_working_day(day):
                    count += 1
            return Decimal(count)
        if unit == HOURS:
            minutes = 0
            day = start.date()
            while day <= end.date():
                if self.is_working_day(day):
                    for begin, finish in working_hours():
                        lo = max(dt.datetime.combine(day, begin, tzinfo=start.tzinfo), start)
                        hi = min(dt.datetime.combine(day, finish, tzinfo=start.tzinfo), end)
                        if hi > lo:
                            minutes += int((hi - lo).total_seconds() // 60)
                day += dt.timedelta(days=1)
            return (Decimal(minutes) / 60).quantize(Decimal("0.01"))
        raise ValueError(f"Unknown processing unit {unit!r}")


def _local(moment: dt.datetime) -> dt.datetime:
    """The moment in the portal's time zone (TIME_ZONE); naive values are
    taken as already local."""
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return timezone.localtime(moment)


def is_working_day(day: dt.date) -> bool:
    """True when the agencies work on `day` (calendar exceptions first, then
    Monday–Friday)."""
    return WorkingCalendar().is_working_day(day)


def next_working_moment(moment: dt.datetime) -> dt.datetime:
    """`moment` itself when it falls in working hours on a working day,
    otherwise the start of the next working interval (after lunch, or 07:00 on
    the next working day). Returned in the portal's time zone."""
    return WorkingCalendar().next_working_moment(moment)


def add_processing_time(received_at: dt.datetime, amount, unit: str = WORKING_DAYS) -> dt.datetime:
    """The appointment moment for a dossier received at `received_at` whose
    procedure takes `amount` `unit`s (`working_days`, `calendar_days`,
    `hours`); the clock starts at the next working moment.

    * working days: the same clock time, `amount` working days later; a
      fraction of a day is counted in working hours (half a day = 4 hours).
    * hours: working hours, walking through working intervals only.
    * calendar days: every day counts, but a period ending on a day off ends
      at the close of the next working day (Civil Code Art. 148).

    Use `.date()` of the result for the appointment date (ngày hẹn trả).
    """
    return WorkingCalendar().add_processing_time(received_at, amount, unit)


def processing_time_between(start: dt.datetime, end: dt.datetime, unit: str = WORKING_DAYS) -> Decimal:
    """The processing time (in `unit`) between two moments."""
    return WorkingCalendar().processing_time_between(start, end, unit)
