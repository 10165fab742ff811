"""Making and closing jobs as dossiers come and go (called by
`postal.signals` once the dossier's change has committed, and by the demo).

Which unit: a home-service dossier is offered to the active units that
serve its agency. When exactly one does, the job is that unit's at once;
when several do, it waits in each unit's list until an officer accepts the
pickup, which gives it to their unit (`postal.steps.accept_pickup`); when
none does yet, it waits until an administrator makes a unit serve the
agency (no job is lost).

Only home-service dossiers get a job: a result posted for a dossier
submitted online or at the desk is sent by the agency itself and recorded
with the courier and tracking number when it returns the result
(`eforms.lifecycle.return_result`).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from eforms.models import Channel, Dossier, DossierStatus

from .models import HomeServiceJob, JobState
from .scope import units_serving

#: A dossier that ends with one of these before the post brought the papers
#: in has nothing left for the post to do.
CLOSING_ACTIONS = frozenset({"withdraw", "reject", "cancel", "mark_invalid"})
#: States in which the papers have not left the applicant yet.
BEFORE_COLLECTION = (JobState.WAITING, JobState.PICKUP_ACCEPTED)


def ensure_job(dossier_id: int) -> HomeServiceJob | None:
    """The job of a submitted home-service dossier, made once (a second
    call, a repeated signal or a race returns the same row)."""
    dossier = Dossier.objects.select_related("agency").filter(pk=dossier_id).first()
    if dossier is None or dossier.channel != Channel.HOME_SERVICE or dossier.status == DossierStatus.DRAFT:
        return None
    existing = HomeServiceJob.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    units = list(units_serving(dossier.agency)[:2])
    try:
        with transaction.atomic():
            job, _created = HomeServiceJob.objects.get_or_create(
                dossier=dossier, defaults={"unit": units[0] if len(units) == 1 else None,
                                           "created_at": dossier.submitted_at or timezone.now()})
    except IntegrityError:  # another worker made it first
        job = HomeServiceJob.objects.get(dossier=dossier)
    return job


def close_job(dossier_id: int, now: dt.datetime | None = None) -> bool:
    """Cancel the job of a dossier closed (withdrawn, refused, cancelled,
    invalid) while the papers were still with the applicant. Returns
    whether it did. A job whose papers the post already holds stays as it
    is: the officer brings them back, outside the portal."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
        if dossier is None or not dossier.is_final:
            return False
        job = HomeServiceJob.objects.select_for_update().filter(dossier=dossier).first()
        if job is None or job.state not in BEFORE_COLLECTION:
            return False
        job.state = JobState.CANCELLED
        job.cancelled_at = now or timezone.now()
        job.save(update_fields=["state", "cancelled_at", "updated_at"])
    return True
