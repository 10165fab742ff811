"""Late dossiers: the daily scan that flags open dossiers due soon or
overdue, the staff they concern, and the digest each of them gets.

The clock runs only while a dossier is `received` or `processing`: one
waiting for a supplement is paused (DESIGN.md; its appointment moves when
the applicant answers), one not yet received has no appointment, and a
completed one is done. Lateness is counted in dates on the working-day
calendar, because the appointment is a date (ngày hẹn trả) and a dossier
finished on that date is on time:

* overdue: the appointment date lies before the last working day up to
  today, so a dossier due on the Friday before a holiday becomes overdue on
  the next working day, not during the holiday;
* due soon: the appointment date is at most `PORTAL_DUE_SOON_WORKING_DAYS`
  working days after today (make-up Saturdays count, days off do not).

Both limits are dates, so the scan is three UPDATEs over an index, however
many dossiers are open. The flag is what the inbox filters and the
dashboard counts; it is as fresh as the last scan, so readers also filter
on the running statuses (`flagged()`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from wagtail.users.models import UserProfile

from accounts.models import StaffMembership, StaffRole, User
from core.observability import request_id_headers
from eforms.models import Dossier, DossierStatus, DueState
from procedures.calendar import WorkingCalendar

from .models import DueDigest
from .scope import visible_dossiers

#: The statuses in which the processing clock runs.
RUNNING = (DossierStatus.RECEIVED, DossierStatus.PROCESSING)
FLAGGED = (DueState.DUE_SOON, DueState.OVERDUE)

#: The inbox's address (its filters: `due`, `handler`: a user id or `none`).


def soon_days() -> int:
    return max(0, int(getattr(settings, "PORTAL_DUE_SOON_WORKING_DAYS", 2)))


@dataclass(frozen=True)
class Limits:
    """The two dates a scan on `today` compares appointment dates with."""

    today: dt.date
    overdue_before: dt.date  # the last working day up to today
    soon_until: dt.date  # the Nth working day after today

    def state_of(self, appointment: dt.date) -> str:
        if appointment < self.overdue_before:
            return DueState.OVERDUE
        if appointment <= self.soon_until:
            return DueState.DUE_SOON
        return DueState.ON_TIME


def limits(today: dt.date, days: int | None = None, calendar: WorkingCalendar | None = None) -> Limits:
    calendar = calendar or WorkingCalendar()
    days = soon_days() if days is None else days
    last_working = today
    for _i in range(3660):
        if calendar.is_working_day(last_working):
            break
        last_working -= dt.timedelta(days=1)
    soon_until = today
    for _i in range(days):
        soon_until = calendar.next_working_day(soon_until)
    return Limits(today, last_working, soon_until)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)))


def flag_due_dossiers(now: dt.datetime | None = None, days: int | None = None) -> dict[str, int]:
    """Set every dossier's `due_state` as of `now`; returns how many changed
    to each state."""
    now = now or timezone.now()
    found = limits(timezone.localdate(now), days)
    overdue_before = _midnight(found.overdue_before)
    soon_before = _midnight(found.soon_until + dt.timedelta(days=1))
    running = Dossier.objects.filter(status__in=RUNNING, appointment_at__isnull=False)
    targets = {
        DueState.OVERDUE: running.filter(appointment_at__lt=overdue_before),
        DueState.DUE_SOON: running.filter(appointment_at__gte=overdue_before, appointment_at__lt=soon_before),
        DueState.ON_TIME: Dossier.objects.filter(
            ~Q(status__in=RUNNING) | Q(appointment_at__isnull=True) | Q(appointment_at__gte=soon_before)
        ),
    }
    return {
        str(state): queryset.exclude(due_state=state).update(due_state=state, due_state_at=now)
        for state, queryset in targets.items()
    }


# ---------------------------------------------------------------- whose they are


def flagged(dossiers: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Dossiers flagged by the last scan whose clock still runs."""
    dossiers = Dossier.objects.all() if dossiers is None else dossiers
    return dossiers.filter(status__in=RUNNING, due_state__in=FLAGGED)


def receiving_keys(user) -> set:
    """Translation keys of the agencies where `user` is a receiver."""
    return set(
        StaffMembership.objects.filter(user=user, role=StaffRole.RECEIVER).values_list(
            "agency__translation_key", flat=True
        )
    )


def theirs(user, dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The dossiers `user` answers for: assigned to them, or unassigned at an
    agency where they receive; always within their scope."""
    condition = Q(assigned_to=user)
    keys = receiving_keys(user)
    if keys:
        condition |= Q(assigned_to__isnull=True, agency__translation_key__in=keys)
    return dossiers.filter(condition).filter(pk__in=visible_dossiers(user).values("pk"))


def recipients() -> set[int]:
    """Who gets a digest: the handler of each flagged dossier, or the
    receivers of its agency while nobody handles it."""
    dossiers = flagged()
    users = set(dossiers.filter(assigned_to__isnull=False).values_list("assigned_to", flat=True))
    keys = set(dossiers.filter(assigned_to__isnull=True).values_list("agency__translation_key", flat=True))
    if keys:
        users |= set(
            StaffMembership.objects.filter(
                role=StaffRole.RECEIVER, agency__translation_key__in=keys, user__is_active=True
            ).values_list("user", flat=True)
        )
    return users


def counts_for(user) -> dict[str, int]:
    """The user's own flagged dossiers, per state (for their panel)."""
    rows = theirs(user, flagged()).values("due_state").annotate(n=Count("pk"))
    found = {row["due_state"]: row["n"] for row in rows}
    return {state: found.get(state, 0) for state in FLAGGED}


def overdue_per_handler(user) -> list[dict]:
    """Overdue dossiers in `user`'s scope per handler (None: unassigned),
    most first."""
    rows = (
        flagged(visible_dossiers(user)).filter(due_state=DueState.OVERDUE)
        .values("assigned_to").annotate(n=Count("pk")).order_by("-n", "assigned_to")
    )
    ids = [row["assigned_to"] for row in rows if row["assigned_to"] is not None]
    users = User.objects.in_bulk(ids)
    return [
        {"handler": users.get(row["assigned_to"]), "handler_id": row["assigned_to"], "count": row["n"],
         "url": inbox_url(DueState.OVERDUE, row["assigned_to"])}
        for row in rows
    ]


EVERY_HANDLER = object()


def inbox_url(due: str, handler_id=EVERY_HANDLER) -> str:
    """The inbox filtered to these dossiers: its due filter ("overdue",
    "soon"), and one handler's (a user id) or the unassigned (None); by
    default every dossier of the viewer's scope."""
    query = {"due": "overdue" if due == DueState.OVERDUE else "soon"}
    if handler_id is None:
        query["assigned"] = "unassigned"
    elif handler_id is not EVERY_HANDLER:
        query["handler"] = handler_id
    return f"{reverse('dossiers:index')}?{urlencode(query)}"


def staff_name(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


# ---------------------------------------------------------------- the digest


def send_digest(user_id: int, day: dt.date) -> str:
    """Email `user_id` their due-soon and overdue dossiers, once for `day`.

    The day's row is written in the same transaction as the mail is sent: a
    second run that day (a repeated task, the job run twice) finds the row
    and sends nothing; a failed send leaves no row, so a later run tries
    again."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "no address"
    dossiers = list(
        theirs(user, flagged()).select_related("procedure", "agency").order_by("appointment_at", "pk")
    )
    if not dossiers:
        return "nothing due"
    language = UserProfile.get_for_user(user).get_preferred_language() or settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            DueDigest.objects.create(recipient=user, day=day, dossier_count=len(dossiers))
            with translation.override(language):
                _digest_message(user, dossiers).send()
    except IntegrityError:
        return "already sent"
    return "sent"


def _digest_message(user, dossiers: list[Dossier]) -> EmailMessage:
    overdue = [d for d in dossiers if d.due_state == DueState.OVERDUE]
    soon = [d for d in dossiers if d.due_state == DueState.DUE_SOON]
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    subject = _("Dossiers to finish: %(overdue)s overdue, %(soon)s due soon") % {
        "overdue": len(overdue), "soon": len(soon)
    }
    body = render_to_string("backoffice/email/due_digest.txt", {
        "name": staff_name(user),
        "overdue": overdue,
        "soon": soon,
        "overdue_url": base + inbox_url(DueState.OVERDUE),
        "soon_url": base + inbox_url(DueState.DUE_SOON),
    })
    return EmailMessage(subject=subject, body=body, to=[user.email], headers=request_id_headers())
