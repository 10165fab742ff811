"""Which dossiers a staff member sees: the one rule every back-office
screen, download and export filters by (README, "Who sees which dossiers").

* receivers see every dossier of their agencies;
* leaders see every dossier of their agencies and of the agencies below
  them in the tree (a department's units, a province's communes);
* handlers see the dossiers assigned to them and the unassigned ones of
  their agencies;
* receivers, handlers and leaders of an agency a dossier was sent to for
  co-handling see it while it is there (`Dossier.co_handling_agency`);
* superusers see everything; anyone else nothing.

Agencies are matched by translation key, so a dossier is found whichever
language's copy of its agency it points at.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import StaffRole
from accounts.services import agencies_for
from eforms.models import Dossier, DossierStatus
from procedures.models import Agency


def with_sub_agencies(agencies: QuerySet[Agency]) -> set:
    """Translation keys of `agencies` and of every agency below them."""
    keys = set(agencies.values_list("translation_key", flat=True))
    frontier = set(keys)
    while frontier:
        children = set(
            Agency.objects.filter(parent__translation_key__in=frontier).values_list("translation_key", flat=True)
        )
        frontier = children - keys
        keys |= children
    return keys


def _agency_ids(keys: set) -> list[int]:
    """Every locale copy's pk: the dossier filter is then `agency_id IN (…)`
    on the (agency, status, appointment_at) index, with no join."""
    if not keys:
        return []
    return list(Agency.objects.filter(translation_key__in=keys).values_list("pk", flat=True))


def visible_dossiers(user) -> QuerySet[Dossier]:
    """The dossiers `user` may see in the back office (never drafts)."""
    dossiers = Dossier.objects.exclude(status=DossierStatus.DRAFT)
    if not user.is_authenticated or not user.is_active:
        return dossiers.none()
    if user.is_superuser:
        return dossiers
    whole_agency = set(agencies_for(user, StaffRole.RECEIVER).values_list("translation_key", flat=True))
    whole_agency |= with_sub_agencies(agencies_for(user, StaffRole.LEADER))
    handled = set(agencies_for(user, StaffRole.HANDLER).values_list("translation_key", flat=True))
    if not whole_agency and not handled:
        return dossiers.none()
    condition = Q(agency_id__in=_agency_ids(whole_agency))
    if handled:
        condition |= Q(agency_id__in=_agency_ids(handled)) & (Q(assigned_to=user) | Q(assigned_to__isnull=True))
    # While a dossier is with a co-handling agency, that agency's staff see
    # it too. Those are few: fetched by their own indexed query and added by
    # key, so the agency index still serves the inbox's counts and pages (an
    # OR on a second column would make the database scan by status instead).
    co_handled = list(
        Dossier.objects.filter(co_handling_agency_id__in=_agency_ids(whole_agency | handled)).values_list(
            "pk", flat=True)
    )
    if co_handled:
        condition |= Q(pk__in=co_handled)
    return dossiers.filter(condition)


def may_see(user, dossier: Dossier) -> bool:
    return visible_dossiers(user).filter(pk=dossier.pk).exists()
