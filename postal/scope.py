"""Who sees which home-service job: the one rule every postal screen,
photo and export filters by.

* a postal officer sees the jobs of the agencies their active units serve:
  those taken by one of their units, and those no unit has taken yet;
  never a job another unit took, nor one of an agency their units do not
  serve (404, as if it did not exist);
* a superuser sees every job (and acts on none: acting takes a unit);
* the agency's own staff see a dossier's job on the back office's dossier
  screen (`postal.sections`), and its receivers confirm the handover there.

Agencies are matched by translation key, so a dossier is found whichever
language's copy of its agency it points at.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from eforms import lifecycle
from procedures.models import Agency

from .models import HomeServiceJob, PostalUnit


def officer_units(user) -> QuerySet[PostalUnit]:
    """The active units `user` is an officer of."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return PostalUnit.objects.none()
    return PostalUnit.objects.filter(active=True, memberships__user=user).distinct()


def is_officer(user) -> bool:
    return officer_units(user).exists()


def may_use_postal_screens(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and (user.is_superuser or is_officer(user)))


def served_agency_ids(units: QuerySet[PostalUnit]) -> list[int]:
    """Every locale copy's pk of the agencies these units serve."""
    keys = Agency.objects.filter(postal_units__in=units).values("translation_key")
    return list(Agency.objects.filter(translation_key__in=keys).values_list("pk", flat=True))


def units_serving(agency) -> QuerySet[PostalUnit]:
    """The active units that serve `agency` (any locale's copy of it)."""
    if agency is None:
        return PostalUnit.objects.none()
    return PostalUnit.objects.filter(active=True, agencies__translation_key=agency.translation_key).distinct()


def visible_jobs(user) -> QuerySet[HomeServiceJob]:
    jobs = HomeServiceJob.objects.select_related("dossier", "dossier__procedure", "dossier__agency", "unit")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return jobs.none()
    if user.is_superuser:
        return jobs
    units = officer_units(user)
    agencies = served_agency_ids(units)
    if not agencies:
        return jobs.none()
    return jobs.filter(dossier__agency_id__in=agencies).filter(Q(unit__isnull=True) | Q(unit__in=units))


def officer_unit_for(user, job: HomeServiceJob) -> PostalUnit | None:
    """The unit `user` acts for on this job: the job's own unit if they are
    its officer, or (for a job no unit has taken yet) the first of theirs
    that serves the dossier's agency. None: they may not act on it."""
    units = officer_units(user)
    if job.unit_id is not None:
        return units.filter(pk=job.unit_id).first()
    return units.filter(pk__in=units_serving(job.dossier.agency)).order_by("name", "pk").first()


def is_desk_receiver(user, dossier) -> bool:
    """May `user` confirm that the post handed this dossier's papers in: a
    receiver or leader of its receiving agency (the roles that may receive it)."""
    return bool(lifecycle.staff_roles(user, dossier) & {lifecycle.RECEIVER, lifecycle.LEADER})


def is_agency_staff(user, dossier) -> bool:
    return bool(lifecycle.staff_roles(user, dossier))
