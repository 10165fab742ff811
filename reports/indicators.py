"""Decision 766/QĐ-TTg indicators the portal can compute from its own data.

Decision 766 scores a province's service to citizens in five groups
(publicity and transparency, progress and results, digitisation, online
provision, satisfaction). The official index is computed by the
Government Office from national systems; what this module gives are the
portal's own figures for the same questions, each with its formula, and
the list of those the portal's data cannot answer.

The small functions count from plain values (and are tested against
hand-made data); `compute` reads the database for one period and scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from feedback.models import Rating
from procedures.models import Agency, Field, ProcedurePage

from .figures import Figures, Period, Scope

PUBLICITY = _("Publicity and transparency")
PROGRESS = _("Progress and results")
DIGITISATION = _("Digitisation")
ONLINE = _("Online provision")
SATISFACTION = _("Satisfaction")


@dataclass
class Indicator:
    group: str
    label: str
    formula: str
    numerator: int
    denominator: int
    note: str = ""

    @property
    def value(self) -> Decimal | None:
        return rate(self.numerator, self.denominator)


def rate(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- counting from plain values ------------------------------------------------------------------

#: The parts of a procedure's page a citizen needs to apply without asking.
PUBLISHED_PARTS = ("steps", "applicants", "result", "submission_methods", "components", "legal_basis")


def published_completely(values: dict) -> bool:
    """True when every part of `PUBLISHED_PARTS` is filled in: the steps,
    who may apply, the result, how to submit, at least one document of the
    dossier and at least one legal basis (counts or texts)."""
    for part in PUBLISHED_PARTS:
        value = values.get(part)
        if isinstance(value, str):
            value = value.strip()
        if not value:
            return False
    return True


def publicity(procedures: Iterable[dict]) -> tuple[int, int]:
    """(procedures published completely, procedures)."""
    rows = list(procedures)
    return sum(1 for row in rows if published_completely(row)), len(rows)


def online_levels(levels: Iterable[int]) -> tuple[int, int, int]:
    """(levels 3 or 4, level 4, all) among procedures' online service levels."""
    levels = list(levels)
    return sum(1 for level in levels if level in (3, 4)), sum(1 for level in levels if level == 4), len(levels)


def satisfied(scores: Iterable[tuple[int, int, int]]) -> tuple[int, int]:
    """(ratings whose three scores average 4 or more, ratings), the rule of
    `feedback.models.Rating.satisfied`."""
    rows = list(scores)
    return sum(1 for scores_ in rows if sum(scores_) >= 12), len(rows)


# --- reading the database ------------------------------------------------------------------------


def _all_copies(model, ids: Iterable[int]) -> list[int]:
    """Every locale's copy of the given default-locale rows."""
    keys = model.objects.filter(pk__in=list(ids)).values("translation_key")
    return list(model.objects.filter(translation_key__in=keys).values_list("pk", flat=True))


def dossier_filter(scope: Scope, prefix: str = "") -> Q:
    """The scope as a filter on dossiers (or on rows with `agency` and
    `procedure`, such as ratings): dossiers may point to any language's
    copy of an agency or procedure, the scope names the default-locale ones."""
    q = Q()
    if scope.agency_ids is not None:
        q &= Q(**{f"{prefix}agency_id__in": _all_copies(Agency, scope.agency_ids)})
    if scope.procedure_ids is not None:
        q &= Q(**{f"{prefix}procedure_id__in": _all_copies(ProcedurePage, scope.procedure_ids)})
    if scope.field_id is not None:
        q &= Q(**{f"{prefix}procedure__field_id__in": _all_copies(Field, [scope.field_id])})
    if scope.tier:
        q &= Q(**{f"{prefix}procedure__tier": scope.tier})
    return q


def live_procedures(scope: Scope):
    """The published default-locale procedures the scope covers (by their
    implementing agency)."""
    pages = ProcedurePage.objects.live().filter(locale=Locale.get_default())
    if scope.agency_ids is not None:
        pages = pages.filter(agency_id__in=scope.agency_ids)
    if scope.procedure_ids is not None:
        pages = pages.filter(pk__in=scope.procedure_ids)
    if scope.field_id is not None:
        pages = pages.filter(field_id=scope.field_id)
    if scope.tier:
        pages = pages.filter(tier=scope.tier)
    return pages


def procedure_values(pages) -> list[dict]:
    """What `publicity` reads of each procedure page."""
    rows = []
    for page in pages.prefetch_related("components", "legal_basis"):
        rows.append({
            "steps": page.steps, "applicants": page.applicants, "result": page.result,
            "submission_methods": page.submission_methods, "components": len(page.components.all()),
            "legal_basis": len(page.legal_basis.all()),
        })
    return rows


def _moment_range(period: Period) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def ratings(period: Period, scope: Scope) -> tuple[int, int]:
    """(satisfied ratings, ratings) given in the period."""
    start, end = _moment_range(period)
    given = Rating.objects.filter(dossier_filter(scope), created_at__gte=start, created_at__lt=end)
    total = given.count()
    happy = given.annotate(score=F("timeliness") + F("attitude") + F("ease")).filter(score__gte=12).count()
    return happy, total


def compute(period: Period, scope: Scope, figures: Figures) -> list[Indicator]:
    """Every indicator the portal computes, for the period and scope."""
    pages = live_procedures(scope)
    complete, procedures = publicity(procedure_values(pages))
    online, full, levels = online_levels(pages.values_list("level", flat=True))
    online_results, returned = figures.returned_online, figures.returned
    signed, completed = figures.signed_results, figures.resolved
    happy, rated = ratings(period, scope)
    return [
        Indicator(PUBLICITY, _("Procedures published with complete information"),
                  _("published procedures with steps, who may apply, result, how to submit, the dossier's "
                    "documents and the legal basis all filled in ÷ published procedures"),
                  complete, procedures),
        Indicator(PROGRESS, _("Dossiers resolved on time"),
                  _("(resolved early + resolved on time) ÷ resolved, in the period"),
                  figures.early + figures.on_time, figures.resolved),
        Indicator(PROGRESS, _("Open dossiers overdue"),
                  _("open and overdue at the end of the period ÷ open at the end of the period"),
                  figures.open_overdue, figures.open),
        Indicator(DIGITISATION, _("Results issued as digitally signed documents"),
                  _("dossiers resolved in the period whose result file the portal signed ÷ dossiers resolved "
                    "in the period"),
                  signed, completed),
        Indicator(DIGITISATION, _("Results handed over online"),
                  _("results handed over online in the period ÷ results handed over in the period"),
                  online_results, returned),
        Indicator(ONLINE, _("Procedures offered online (level 3 or 4)"),
                  _("published procedures at level 3 or 4 ÷ published procedures"), online, levels),
        Indicator(ONLINE, _("Procedures offered fully online (level 4)"),
                  _("published procedures at level 4 ÷ published procedures"), full, levels),
        Indicator(ONLINE, _("Dossiers received online"),
                  _("dossiers received online ÷ dossiers received, in the period"),
                  figures.received_online, figures.received),
        Indicator(SATISFACTION, _("Satisfied applicants"),
                  _("ratings whose three scores (on time, staff attitude, ease) average 4 or more out of 5 ÷ "
                    "ratings given in the period"),
                  happy, rated, note="" if rated else _("No ratings were given in this period.")),
    ]


def not_computed() -> list[tuple[str, str, str]]:
    """(group, indicator, why) for the parts of Decision 766 the portal's
    data cannot answer."""
    return [
        (PUBLICITY, _("Procedures published on the National Public Service Portal"),
         _("The portal does not know what the national portal publishes.")),
        (PROGRESS, _("Late dossiers with a written apology"),
         _("An apology (form 04) is recorded only with an extension; late dossiers finished without one "
           "cannot be told apart from those whose apology was given on paper.")),
        (DIGITISATION, _("Dossiers digitised at receipt and digitised data reused"),
         _("The desk does not record which paper documents it scanned, nor which data came from national "
           "databases.")),
        (ONLINE, _("Fees paid online"),
         _("The portal records the payments made online but not the fees paid in cash at the desk.")),
        (SATISFACTION, _("Feedback and petitions handled on time"),
         _("Feedback and petitions are not yet received through the portal.")),
    ]
