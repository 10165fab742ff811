"""Ratings of returned dossiers: who may rate, recording a rating, who sees
which in the admin, and the satisfaction figures the statistics and the
agency report read (Decision 766, satisfaction group).

* Only the dossier's applicant rates it, once, and only after the result
  was handed over (status `returned`).
* `satisfaction(start, end, agency_ids)` counts, for the ratings made
  between two dates, each score of each question, how many ratings there
  are, and the share of satisfied ones.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import StaffMembership, StaffRole
from accounts.services import agencies_for
from backoffice.scope import with_sub_agencies
from eforms.models import Dossier, DossierStatus
from procedures.models import Agency

from .models import SATISFIED_SCORES, Rating, Satisfaction

SCOPED_ROLES = (StaffRole.RECEIVER, StaffRole.HANDLER, StaffRole.LEADER)
#: The questions, as Rating's fields.
QUESTIONS = ("timeliness", "attitude", "ease")
QUESTION_LABELS = {
    "timeliness": gettext_lazy("Result on time"),
    "attitude": gettext_lazy("Staff attitude"),
    "ease": gettext_lazy("Ease of the online service"),
}


class RatingRefused(Exception):
    """The rating cannot be recorded; the message says why, to the applicant."""


def refusal(user, dossier: Dossier) -> str | None:
    """Why `user` may not rate `dossier` now, or None when they may."""
    if not dossier.is_applicant(user):
        return _("Only the applicant of this dossier can rate it.")
    if dossier.status != DossierStatus.RETURNED:
        return _("You can rate the service once the result has been handed over.")
    if Rating.objects.filter(dossier=dossier).exists():
        return _("You have already rated this dossier. Each dossier is rated once.")
    return None


def may_rate(user, dossier: Dossier) -> bool:
    return refusal(user, dossier) is None


def rate(dossier: Dossier, user, *, timeliness: int, attitude: int, ease: int, comment: str = "") -> Rating:
    """Record the applicant's one rating; RatingRefused otherwise (a second
    rating is refused by the database too, so two tabs cannot both rate)."""
    problem = refusal(user, dossier)
    if problem:
        raise RatingRefused(problem)
    scores = {"timeliness": timeliness, "attitude": attitude, "ease": ease}
    for value in scores.values():
        if int(value) not in Satisfaction.values:
            raise RatingRefused(_("Choose a score from 1 to 5 for each question."))
    try:
        with transaction.atomic():
            return Rating.objects.create(
                dossier=dossier, applicant=user, agency=dossier.agency, procedure=dossier.procedure,
                comment=(comment or "").strip(), **{k: int(v) for k, v in scores.items()})
    except IntegrityError:
        raise RatingRefused(_("You have already rated this dossier. Each dossier is rated once.")) from None


# ---------------------------------------------------------------- the figures


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `start` to the end of `end`, local time."""
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def satisfaction(start: dt.date, end: dt.date, agency_ids=None) -> dict:
    """The satisfaction figures of the ratings made from `start` to `end`
    (both days included, in the portal's time zone), for the agencies
    `agency_ids` (pks of any locale's copy; None: all):

        {
          "rated": 12,                     # number of ratings
          "satisfied": 9,                  # ratings whose three scores average 4 or more
          "share_satisfied": Decimal("75.0"),   # percent, None when nothing was rated
          "questions": {
            "timeliness": {"counts": {1: 0, 2: 1, 3: 2, 4: 4, 5: 5}, "satisfied": 9,
                           "share_satisfied": Decimal("75.0")},
            "attitude": {...}, "ease": {...},
          },
        }

    A question's satisfied count is the ratings scoring it 4 or 5.
    """
    if end < start:
        raise ValueError("the period ends on or after its start")
    low, high = _bounds(start, end)
    ratings = Rating.objects.filter(created_at__gte=low, created_at__lt=high)
    if agency_ids is not None:
        keys = Agency.objects.filter(pk__in=list(agency_ids)).values("translation_key")
        ratings = ratings.filter(agency__translation_key__in=keys)
    rated = ratings.count()
    questions = {}
    for question in QUESTIONS:
        counts = dict.fromkeys(Satisfaction.values, 0)
        for row in ratings.order_by().values(question).annotate(n=Count("pk")):
            counts[row[question]] = row["n"]
        happy = sum(counts[score] for score in SATISFIED_SCORES)
        questions[question] = {"counts": counts, "satisfied": happy, "share_satisfied": _share(happy, rated)}
    # satisfied overall: timeliness + attitude + ease >= 12 (Rating.satisfied)
    satisfied = sum(1 for t, a, e in ratings.values_list(*QUESTIONS).iterator() if t + a + e >= 12)
    return {"rated": rated, "satisfied": satisfied, "share_satisfied": _share(satisfied, rated),
            "questions": questions}


# ---------------------------------------------------------------- who sees which in the admin


def visible_ratings(user) -> QuerySet[Rating]:
    """Staff see the ratings of their agencies' dossiers (leaders also of
    the agencies below); superusers all; anyone else none."""
    ratings = Rating.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ratings.none()
    if user.is_superuser:
        return ratings
    keys = set(agencies_for(user, StaffRole.RECEIVER).values_list("translation_key", flat=True))
    keys |= set(agencies_for(user, StaffRole.HANDLER).values_list("translation_key", flat=True))
    keys |= with_sub_agencies(agencies_for(user, StaffRole.LEADER))
    if not keys:
        return ratings.none()
    return ratings.filter(agency__translation_key__in=keys)


def has_scope(user) -> bool:
    """Whether the admin's ratings list is for `user` at all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or StaffMembership.objects.filter(user=user, role__in=SCOPED_ROLES).exists()
