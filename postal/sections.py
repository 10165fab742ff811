"""The postal progress on a dossier's pages (`eforms.extensions`):

* "applicant": on My dossiers, where the post stands with the papers and
  the result (the unit and its phone, what was collected, who received
  the result); no officer's name, no photo;
* "staff": on the back office's dossier screen, the same with the officers,
  notes and photos, and for the agency's receiver the form that confirms
  receipt of the papers the post handed over (which receives the dossier).
"""

from __future__ import annotations

from django.urls import reverse

from eforms.extensions import Section
from eforms.models import DossierStatus

from .models import HomeServiceJob, JobState
from .scope import is_desk_receiver
from .steps import EVENT_LABELS, STEP_LABELS


def job_of(dossier) -> HomeServiceJob | None:
    job = HomeServiceJob.objects.select_related("unit").filter(dossier_id=dossier.pk).first()
    if job is not None:
        job.dossier = dossier
    return job


def timeline(job: HomeServiceJob, *, staff: bool = False) -> list[dict]:
    """The steps taken so far, in order, for the progress list."""
    rows = []

    def add(label, moment, who=None, detail=""):
        if moment is not None:
            row = {"label": label, "at": moment, "detail": detail}
            if staff and who is not None:
                row["who"] = who.get_full_name() or who.get_username()
            rows.append(row)

    add(EVENT_LABELS["postal_accept_pickup"], job.pickup_accepted_at, job.pickup_accepted_by)
    add(EVENT_LABELS["postal_collect"], job.collected_at, job.collected_by,
        "; ".join(f"{i.get('name')} ({i.get('count')})" for i in job.collected_items or []))
    add(EVENT_LABELS["postal_hand_over"], job.handed_over_at, job.handed_over_by)
    add(STEP_LABELS["confirm_handover"], job.desk_confirmed_at, job.desk_receiver)
    add(EVENT_LABELS["postal_collect_result"], job.result_collected_at, job.result_collected_by)
    add(EVENT_LABELS["postal_deliver"], job.delivered_at, job.delivered_by, job.delivered_to)
    return rows


def applicant_section(request, dossier) -> Section | None:
    job = job_of(dossier)
    if job is None:
        return None
    return Section("postal/sections/applicant.html", {"job": job, "steps": timeline(job)})


def staff_section(request, dossier) -> Section | None:
    job = job_of(dossier)
    if job is None:
        return None
    can_confirm = (job.awaits_desk and not dossier.is_final and is_desk_receiver(request.user, dossier))
    return Section("postal/sections/staff.html", {
        "job": job,
        "dossier": dossier,
        "steps": timeline(job, staff=True),
        "photos": list(job.photos.all()),
        "can_confirm": can_confirm,
        "confirm_url": reverse("postal:confirm_handover", args=[job.pk]) if can_confirm else "",
        "receives_now": dossier.status == DossierStatus.SUBMITTED,
        "return_hint": (job.state == JobState.RESULT_COLLECTED or job.state == JobState.DELIVERED)
        and dossier.status == DossierStatus.COMPLETED,
    })
