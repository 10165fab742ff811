"""Staff reports in the admin: who may see which agency's figures, and the
figures per agency and per handler for a period.

Who sees what (the back office's roles, `accounts.StaffMembership`, read
through `accounts.services.agencies_for` and `backoffice.scope`):

* receivers and agency administrators: their agencies;
* leaders: their agencies and every agency below them in the tree (a
  leader of the province sees the whole province: the provincial reporting
  officer);
* superusers: every agency;
* handlers alone, citizens and anyone else: none (a handler's own work is
  in the inbox). Every screen and export of `reports.admin_views` filters by
  `report_scope`, and an agency outside it is a 404 whichever way it is
  asked for.

Per agency the figures are sums over the facts (`reports.figures`): received
in the period; done (resolved early, on time or late in the period); on time
(early or on time); late; pending (received and still being processed at
the end of the period). Satisfaction counts the ratings made in the period.

Per handler (`Dossier.assigned_to`) the facts have no handler dimension, so
the same figures are computed from the dossiers themselves, with the facts'
own rule (`reports.facts.contributions`): only the dossiers that can matter
are read (the scope's agencies on the agency/received index, received
before the period ended and not closed before it began).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone
from wagtail.models import Locale

from accounts.models import StaffRole
from accounts.services import agencies_for
from backoffice.scope import with_sub_agencies
from eforms.models import Dossier
from feedback.models.ratings import Rating
from procedures.models import Agency, Tier

from .facts import DOSSIER_FIELDS, DossierDates, contributions
from .figures import Figures, Period, Scope, figures_by
from .models import LEAVES_PROCESSING, RESOLVED, Outcome

#: The roles whose agencies' figures a staff member sees (leaders with the agencies below).
REPORT_ROLES = (StaffRole.RECEIVER, StaffRole.AGENCY_ADMIN, StaffRole.LEADER)


def _keys(agencies) -> set:
    return set(agencies.values_list("translation_key", flat=True))


@dataclass(frozen=True)
class ReportScope:
    """The agencies (by translation key) whose figures one user may see;
    `everything` for superusers."""

    keys: frozenset = frozenset()
    everything: bool = False

    @property
    def empty(self) -> bool:
        return not self.everything and not self.keys

    def agencies(self):
        """The default-locale agencies in scope (the facts count those)."""
        agencies = Agency.objects.filter(locale=Locale.get_default())
        return agencies if self.everything else agencies.filter(translation_key__in=self.keys)

    def agency_ids(self) -> list[int]:
        """Every locale copy's pk of the agencies in scope (dossiers may
        point at any copy)."""
        if self.everything:
            return list(Agency.objects.values_list("pk", flat=True))
        return list(Agency.objects.filter(translation_key__in=self.keys).values_list("pk", flat=True))

    def contains(self, agency: Agency) -> bool:
        return self.everything or agency.translation_key in self.keys

    def narrowed_to(self, agency: Agency) -> ReportScope:
        """`agency` and the agencies below it, within this scope."""
        keys = with_sub_agencies(Agency.objects.filter(pk=agency.pk))
        return ReportScope(keys=frozenset(keys if self.everything else keys & self.keys))


def report_scope(user) -> ReportScope:
    if not user.is_authenticated or not user.is_active:
        return ReportScope()
    if user.is_superuser:
        return ReportScope(everything=True)
    keys = _keys(agencies_for(user, StaffRole.RECEIVER)) | _keys(agencies_for(user, StaffRole.AGENCY_ADMIN))
    keys |= with_sub_agencies(agencies_for(user, StaffRole.LEADER))
    return ReportScope(keys=frozenset(keys))


def may_see_reports(user) -> bool:
    return not report_scope(user).empty


def may_see_province(user) -> bool:
    """Province-wide tables (the ministry's): superusers and leaders of a
    province-tier agency."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or agencies_for(user, StaffRole.LEADER).filter(tier=Tier.PROVINCE).exists()


def agency_in_scope(scope: ReportScope, pk) -> Agency:
    """The default-locale copy of agency `pk` if the scope holds it, else 404."""
    try:
        agency = Agency.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        agency = None
    if agency is None or not scope.contains(agency):
        raise Http404
    return Agency.objects.filter(translation_key=agency.translation_key,
                                 locale=Locale.get_default()).first() or agency


# ---------------------------------------------------------------- per agency


def _rate(part: int, whole: int) -> Decimal | None:
    """A percentage to one decimal, rounded half up as the statistics do."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ReportRow:
    """One line of a staff report: an agency or a handler."""

    label: str
    received: int = 0
    done: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    overdue: int = 0
    ratings: int | None = None
    satisfied: int | None = None
    key: object = None

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.done)

    @property
    def satisfaction_rate(self):
        return _rate(self.satisfied or 0, self.ratings) if self.ratings else None

    def add(self, other: ReportRow) -> None:
        for name in ("received", "done", "on_time", "late", "pending", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.ratings is not None:
            self.ratings = (self.ratings or 0) + other.ratings
            self.satisfied = (self.satisfied or 0) + (other.satisfied or 0)


@dataclass
class Report:
    rows: list[ReportRow] = field(default_factory=list)
    total: ReportRow | None = None
    with_ratings: bool = False


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    return start, end


def ratings_by_agency(scope: ReportScope, period: Period) -> dict[str, tuple[int, int]]:
    """{agency translation key: (ratings, satisfied)} of the ratings made in `period`."""
    start, end = _bounds(period)
    ratings = Rating.objects.filter(created_at__gte=start, created_at__lt=end, agency__isnull=False)
    if not scope.everything:
        ratings = ratings.filter(agency__translation_key__in=scope.keys)
    rows = (ratings.alias(score=F("timeliness") + F("attitude") + F("ease"))
            .values("agency__translation_key")
            .annotate(n=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=12))).order_by())
    return {row["agency__translation_key"]: (row["n"], row["satisfied"]) for row in rows}


def agency_report(scope: ReportScope, period: Period) -> Report:
    """One row per agency in scope with any dossier or rating in the period
    (or still pending), by name; and their total."""
    agencies = {a.pk: a for a in scope.agencies()}
    if not agencies:
        return Report(total=ReportRow(label=""))
    by_agency = figures_by(period, "agency", Scope(agency_ids=tuple(agencies)))
    ratings = ratings_by_agency(scope, period)
    rows = []
    for pk, agency in agencies.items():
        figures = by_agency.get(pk)
        rated = ratings.get(agency.translation_key)
        if figures is None and rated is None:
            continue
        figures = figures or Figures()
        rows.append(ReportRow(
            label=agency.name, key=pk, received=figures.received, done=figures.resolved,
            on_time=figures.early + figures.on_time, late=figures.late, pending=figures.open,
            overdue=figures.open_overdue, ratings=rated[0] if rated else None,
            satisfied=rated[1] if rated else None,
        ))
    rows.sort(key=lambda row: row.label)
    total = ReportRow(label="")
    for row in rows:
        total.add(row)
    return Report(rows=rows, total=total, with_ratings=bool(ratings))


# ---------------------------------------------------------------- per handler


def handler_dossiers(scope: ReportScope, period: Period):
    """The assigned dossiers of the scope that may count in `period`."""
    start, end = _bounds(period)
    return (
        Dossier.objects.filter(agency_id__in=scope.agency_ids(), received_at__lt=end, assigned_to__isnull=False)
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=start))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
    )


def _handler_name(user) -> str:
    return user.get_full_name() or user.get_username()


def handler_report(scope: ReportScope, period: Period) -> Report:
    """One row per handler with any dossier of the scope received, done or
    pending in the period, by name; and their total."""
    from accounts.models import User

    rows: dict[int, ReportRow] = defaultdict(lambda: ReportRow(label=""))
    fields = (*DOSSIER_FIELDS, "assigned_to_id")
    for values in handler_dossiers(scope, period).values_list(*fields).iterator(chunk_size=2000):
        (_pk, status, _agency, _procedure, _channel, _handover, _code, received_at, appointment_at, original_at,
         completed_at, returned_at, closed_at, unit, handler) = values
        pairs = contributions(DossierDates(
            status=status, received_at=received_at, appointment_at=appointment_at,
            original_appointment_at=original_at, completed_at=completed_at, returned_at=returned_at,
            closed_at=closed_at, unit=unit or ""))
        row = rows[handler]
        received_on = next((day for day, outcome in pairs if outcome == Outcome.RECEIVED), None)
        left_on = next((day for day, outcome in pairs if outcome in LEAVES_PROCESSING), None)
        due_on = next((day for day, outcome in pairs if outcome == Outcome.DUE), None)
        if received_on is not None and period.start <= received_on <= period.end:
            row.received += 1
        for day, outcome in pairs:
            if outcome in RESOLVED and period.start <= day <= period.end:
                row.done += 1
                if outcome == Outcome.LATE:
                    row.late += 1
                else:
                    row.on_time += 1
        if received_on is not None and received_on <= period.end and (left_on is None or left_on > period.end):
            row.pending += 1
            if due_on is not None and due_on <= period.end:  # the facts' rule: due up to the day
                row.overdue += 1
    users = {user.pk: user for user in User.objects.filter(pk__in=list(rows))}
    out = []
    for pk, row in rows.items():
        if not (row.received or row.done or row.pending):
            continue
        row.key = pk
        row.label = _handler_name(users[pk]) if pk in users else str(pk)
        out.append(row)
    out.sort(key=lambda row: row.label)
    total = ReportRow(label="")
    for row in out:
        total.add(row)
    return Report(rows=out, total=total)
