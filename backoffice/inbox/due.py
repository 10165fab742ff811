"""When a dossier is due, in the words of the inbox's filter and badges.

The clock runs only while the agency holds the dossier: received or being
processed. A dossier waiting for the applicant's supplement has its clock
stopped (its appointment moves when the answer comes), a submitted one has
no appointment yet, and a completed one is judged by its completion date,
so none of them is ever "overdue" here. "Within 2 working days" reaches
the end of the second working day after today on the agency calendar
(procedures.calendar: holidays and make-up Saturdays count as they are
kept there)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from eforms.models import DossierStatus
from procedures.calendar import WorkingCalendar

RUNNING = (DossierStatus.RECEIVED, DossierStatus.PROCESSING)
OVERDUE, TODAY, SOON = "overdue", "today", "soon"
SOON_WORKING_DAYS = 2


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())


def day_after_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(end of today, end of the 2nd working day after today), both as the
    following midnight in the portal's time zone."""
    today = timezone.localdate(now)
    calendar = WorkingCalendar()
    last = today
    for _i in range(SOON_WORKING_DAYS):
        last = calendar.next_working_day(last)
    return _midnight(today + dt.timedelta(days=1)), _midnight(last + dt.timedelta(days=1))


def due_condition(kind: str, now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    running = Q(status__in=RUNNING)
    if kind == OVERDUE:
        return running & Q(appointment_at__lt=now)
    end_of_today, end_of_soon = day_after_window(now)
    if kind == TODAY:
        return running & Q(appointment_at__gte=now, appointment_at__lt=end_of_today)
    if kind == SOON:
        return running & Q(appointment_at__gte=now, appointment_at__lt=end_of_soon)
    raise ValueError(f"Unknown due filter {kind!r}")


def badge(dossier, now: dt.datetime, end_of_today: dt.datetime) -> str | None:
    """OVERDUE, TODAY or None for one row of the listing."""
    if dossier.status not in RUNNING or dossier.appointment_at is None:
        return None
    if dossier.appointment_at < now:
        return OVERDUE
    if dossier.appointment_at < end_of_today:
        return TODAY
    return None
