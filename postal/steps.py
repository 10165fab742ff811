"""The postal officer's steps: the ONE place where a job's state changes.

    waiting ─accept_pickup→ pickup_accepted ─collect→ collected ─hand_over→ handed_over
        handed_over ─confirm_handover (the agency's receiver)→ handed_over, confirmed at the desk
        handed_over (confirmed, result by post, dossier completed) ─collect_result→ result_collected
        result_collected ─deliver→ delivered

Each step is a function that locks the dossier, then the job (always in
that order, as `eforms.lifecycle` locks the dossier), checks who acts and
where the job stands on the locked rows, changes the job and writes the
dossier's event (`eforms.lifecycle.record_step`: the postal steps are
public steps, announced to the applicant by `notifications`), all in one
transaction. Of two officers acting at once the second waits, then is
refused with what it finds. A step taken out of order raises `StepRefused`
with a message in the active language, fit to show as it is.

The event's note is written for the applicant, in the dossier's language
(it is their history and the `{note}` of their message): what happened,
then the officer's own note.

Confirming the handover is the agency's act: its receiver confirms on the
back office's dossier screen, and the dossier is received at that moment
(`eforms.lifecycle.receive`), so the processing clock starts when the
papers are at the desk, not when they were submitted online.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eforms import lifecycle, scanning
from eforms.file_kinds import UploadRules
from eforms.models import Dossier, DossierStatus, ResultDelivery
from eforms.models.attachments import ScanStatus
from eforms.uploads import CheckedFile, check_file
from notifications.delivery import message_language
from payments.models import NoticeKind
from payments.services import FeeLine, issue_fee_notice

from .models import HomeServiceJob, JobPhoto, JobState, PhotoStep, PostalUnit
from .scope import is_desk_receiver, officer_unit_for

S = JobState

#: The dossier event each step writes (notifications.events announces them).
ACCEPT, COLLECT, HAND_OVER, COLLECT_RESULT, DELIVER = (
    "postal_accept_pickup", "postal_collect", "postal_hand_over", "postal_collect_result", "postal_deliver")
#: The receiver's confirmation when the dossier was already received (an
#: internal step: the applicant was told by the receipt itself).
DESK_CONFIRMED = "postal_desk_confirmed"

#: What each step is called on screens and in refusals.
STEP_LABELS: dict[str, Promise] = {
    "accept_pickup": _("Accept the pickup"),
    "collect": _("Papers collected"),
    "hand_over": _("Handed over at the agency's desk"),
    "confirm_handover": _("Confirm receipt of the papers handed over by the post"),
    "collect_result": _("Result collected from the desk"),
    "deliver": _("Result delivered at home"),
}
#: The public steps' labels in the applicant's history (eforms.extensions.register_step).
EVENT_LABELS: dict[str, Promise] = {
    ACCEPT: _("Pickup accepted by the post"),
    COLLECT: _("Papers collected by the post"),
    HAND_OVER: _("Papers handed over to the agency by the post"),
    COLLECT_RESULT: _("Result collected by the post"),
    DELIVER: _("Result delivered at home by the post"),
}

#: step → the state the job must be in.
SOURCES = {
    "accept_pickup": S.WAITING,
    "collect": S.PICKUP_ACCEPTED,
    "hand_over": S.COLLECTED,
    "confirm_handover": S.HANDED_OVER,
    "collect_result": S.HANDED_OVER,
    "deliver": S.RESULT_COLLECTED,
}

MAX_PHOTOS = 5
MAX_ITEMS = 30
MAX_COUNT = 99


class StepRefused(Exception):
    """A refused step. `message` is translated; `errors` maps a form field
    to its message; `forbidden` says the user may not act on this job at all."""

    def __init__(self, message: str | Promise, errors: dict[str, str] | None = None, *, forbidden: bool = False):
        self.message = str(message)
        self.errors = errors or {}
        self.forbidden = forbidden
        super().__init__(self.message)


@dataclass(frozen=True)
class Item:
    """One kind of paper collected, and how many."""

    name: str
    count: int


# ---------------------------------------------------------------- photos


def photo_rules() -> UploadRules:
    return UploadRules.default(allowed_types=("jpeg", "png"), max_files=MAX_PHOTOS)


def check_photos(uploads: Sequence) -> tuple[list[CheckedFile], list[str]]:
    """Check the photos of one step by content (JPEG or PNG only, the site's
    size limit, the virus scanner when it is on): the good ones and a
    message for each refused one."""
    accepted: list[CheckedFile] = []
    errors: list[str] = []
    rules = photo_rules()
    uploads = [u for u in uploads if u is not None]
    if len(uploads) > MAX_PHOTOS:
        errors.append(gettext("Attach at most %(max)s photos to one step.") % {"max": MAX_PHOTOS})
        return [], errors
    for upload in uploads:
        try:
            checked = check_file(upload, rules, "photos")
            scanning.scan_checked(checked)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        accepted.append(checked)
    return accepted, errors


def _store_photos(job: HomeServiceJob, step: str, photos: Iterable[CheckedFile], user) -> None:
    for checked in photos:
        if not isinstance(checked, CheckedFile) or checked.kind not in ("jpeg", "png"):
            raise TypeError("photos must be checked JPEG or PNG files (check_photos)")
        photo = JobPhoto(
            job=job, step=step, original_name=checked.original_name, kind=checked.kind, size=checked.size,
            sha256=checked.sha256, uploaded_by=user,
            scan_status=checked.scan.status if checked.scan is not None else ScanStatus.NOT_REQUIRED,
        )
        checked.upload.seek(0)
        photo.file.save("photo", checked.upload, save=False)
        photo.save()


# ---------------------------------------------------------------- common checks


def _when(value: dt.datetime | None, name: str = "when") -> dt.datetime:
    current = timezone.now()
    if value is None:
        return current
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > current + dt.timedelta(minutes=5):
        message = gettext("A step cannot be dated in the future.")
        raise StepRefused(message, {name: message})
    return value


def _not_before(moment: dt.datetime, floor: dt.datetime | None, name: str = "when") -> None:
    """A step is never dated before the one it follows."""
    if floor is not None and moment < floor:
        message = gettext("This step cannot be dated before the previous one (%(time)s).") % {"time": _local(floor)}
        raise StepRefused(message, {name: message})


def _local(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i d/m/Y")


def _locked(job: HomeServiceJob) -> tuple[Dossier, HomeServiceJob]:
    """The dossier, then the job, under row locks (the lifecycle's order)."""
    dossier = Dossier.objects.select_for_update().get(pk=job.dossier_id)
    locked = HomeServiceJob.objects.select_for_update().get(pk=job.pk)
    locked.dossier = dossier
    return dossier, locked


def _state_label(job: HomeServiceJob) -> str:
    return job.stage_label


def _next_step(job: HomeServiceJob) -> str | None:
    if job.state == S.WAITING:
        return "accept_pickup"
    if job.state == S.PICKUP_ACCEPTED:
        return "collect"
    if job.state == S.COLLECTED:
        return "hand_over"
    if job.awaits_desk:
        return "confirm_handover"
    if job.state == S.HANDED_OVER and job.result_by_post:
        return "collect_result"
    if job.state == S.RESULT_COLLECTED:
        return "deliver"
    return None


def _check_order(job: HomeServiceJob, step: str) -> None:
    if job.state == SOURCES[step] and not (step == "collect_result" and job.awaits_desk):
        return
    message = gettext("Dossier %(code)s: “%(step)s” is not possible now; the job stands at “%(state)s”.") % {
        "code": job.dossier, "step": STEP_LABELS[step], "state": _state_label(job)}
    following = _next_step(job)
    if following is not None:
        message += " " + gettext("The next step is “%(next)s”.") % {"next": STEP_LABELS[following]}
    raise StepRefused(message)


def _officer(job: HomeServiceJob, user) -> PostalUnit:
    unit = officer_unit_for(user, job)
    if unit is None:
        raise StepRefused(_("You are not a postal officer of a unit that serves this dossier's agency."),
                          forbidden=True)
    return unit


def _check_open(dossier: Dossier) -> None:
    if dossier.is_final:
        raise StepRefused(gettext(
            "Dossier %(code)s is “%(status)s”: the post has nothing more to do with it. If you hold its papers, "
            "bring them back to the applicant.") % {"code": dossier, "status": dossier.status_label})


def _note(generated: str, extra: str) -> str:
    extra = (extra or "").strip()
    return f"{generated}\n{extra}" if extra else generated


def _in_dossier_language(dossier: Dossier):
    return translation.override(message_language(dossier))


def _sync(target: HomeServiceJob, source: HomeServiceJob) -> HomeServiceJob:
    for f in HomeServiceJob._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


# ---------------------------------------------------------------- the steps


def accept_pickup(job: HomeServiceJob, user, note: str = "", now: dt.datetime | None = None) -> HomeServiceJob:
    """The officer takes the pickup for their unit, and the applicant is
    told who will come and when. The postal fee notice is issued here, once
    per job, when the unit charges one (the pickup fee, and the delivery fee
    when the result comes back by post)."""
    with transaction.atomic():
        dossier, locked = _locked(job)
        unit = _officer(locked, user)
        _check_order(locked, "accept_pickup")
        _check_open(dossier)
        now = _when(now)
        _not_before(now, dossier.submitted_at)
        actor = lifecycle.Actor.staff(user)
        locked.unit = unit
        locked.state = S.PICKUP_ACCEPTED
        locked.pickup_accepted_at = now
        locked.pickup_accepted_by = user
        with _in_dossier_language(dossier):
            if dossier.pickup_from and dossier.pickup_until:
                start, end = timezone.localtime(dossier.pickup_from), timezone.localtime(dossier.pickup_until)
                generated = gettext(
                    "%(unit)s (phone %(phone)s) will collect the papers at the address you gave, between "
                    "%(start)s and %(end)s on %(day)s. Please have them ready.") % {
                    "unit": unit.name, "phone": unit.phone or "—", "start": start.strftime("%H:%M"),
                    "end": end.strftime("%H:%M"), "day": start.strftime("%d/%m/%Y")}
            else:
                generated = gettext(
                    "%(unit)s (phone %(phone)s) will collect the papers at the address you gave. Please have them "
                    "ready.") % {"unit": unit.name, "phone": unit.phone or "—"}
            lines = _fee_lines(unit, dossier)
        lifecycle.record_step(dossier, actor, ACCEPT, note=_note(generated, note), now=now,
                              data={"unit": unit.name, "unit_code": unit.code, "unit_phone": unit.phone})
        if locked.fee_notice_id is None and lines:
            locked.fee_notice = issue_fee_notice(dossier, lines, actor, kind=NoticeKind.POSTAL, now=now,
                                                 note=unit.name)
        locked.save()
    return _sync(job, locked)


def _fee_lines(unit: PostalUnit, dossier: Dossier) -> list[FeeLine]:
    lines = []
    if unit.pickup_fee_vnd > 0:
        lines.append(FeeLine(gettext("Postal fee: collecting the papers at home (%(unit)s)") % {"unit": unit.name},
                             unit.pickup_fee_vnd))
    if dossier.result_delivery == ResultDelivery.POST and unit.delivery_fee_vnd > 0:
        lines.append(FeeLine(gettext("Postal fee: delivering the result at home (%(unit)s)") % {"unit": unit.name},
                             unit.delivery_fee_vnd))
    return lines


def clean_items(items: Iterable) -> list[Item]:
    """The papers collected, each named once with a count of 1–99; at least one."""
    cleaned: list[Item] = []
    for item in items or ():
        name, count = (item.name, item.count) if isinstance(item, Item) else (item[0], item[1])
        name = " ".join(str(name or "").split())[:255]
        if not name:
            continue
        try:
            count = int(count)
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= MAX_COUNT:
            message = gettext("Give how many copies of “%(name)s” were collected (1 to %(max)s).") % {
                "name": name, "max": MAX_COUNT}
            raise StepRefused(message, {"items": message})
        cleaned.append(Item(name, count))
    if not cleaned:
        message = gettext("List the papers collected, with how many of each.")
        raise StepRefused(message, {"items": message})
    if len(cleaned) > MAX_ITEMS:
        message = gettext("List at most %(max)s kinds of papers.") % {"max": MAX_ITEMS}
        raise StepRefused(message, {"items": message})
    return cleaned


def collect(
    job: HomeServiceJob, user, items: Iterable, note: str = "", photos: Iterable[CheckedFile] = (),
    now: dt.datetime | None = None,
) -> HomeServiceJob:
    """The papers are collected at the applicant's address: what and how
    many (the receipt the officer leaves), notes and photos."""
    items = clean_items(items)
    photos = list(photos or ())
    with transaction.atomic():
        dossier, locked = _locked(job)
        _officer(locked, user)
        _check_order(locked, "collect")
        _check_open(dossier)
        now = _when(now)
        _not_before(now, locked.pickup_accepted_at)
        locked.state = S.COLLECTED
        locked.collected_at = now
        locked.collected_by = user
        locked.collected_items = [{"name": i.name, "count": i.count} for i in items]
        locked.collected_note = (note or "").strip()
        listed = [f"{i.name} ({i.count})" for i in items]
        with _in_dossier_language(dossier):
            generated = gettext("Papers collected at %(time)s: %(items)s.") % {
                "time": _local(now), "items": "; ".join(listed)}
        lifecycle.record_step(dossier, lifecycle.Actor.staff(user), COLLECT, note=_note(generated, note),
                              now=now, data={"items": listed})
        _store_photos(locked, PhotoStep.COLLECTED, photos, user)
        locked.save()
    return _sync(job, locked)


def hand_over(
    job: HomeServiceJob, user, note: str = "", photos: Iterable[CheckedFile] = (), now: dt.datetime | None = None
) -> HomeServiceJob:
    """The officer hands the papers in at the agency's one-stop desk; the
    job then waits for the agency's receiver to confirm (`confirm_handover`)."""
    photos = list(photos or ())
    with transaction.atomic():
        dossier, locked = _locked(job)
        _officer(locked, user)
        _check_order(locked, "hand_over")
        _check_open(dossier)
        now = _when(now)
        _not_before(now, locked.collected_at)
        locked.state = S.HANDED_OVER
        locked.handed_over_at = now
        locked.handed_over_by = user
        locked.handover_note = (note or "").strip()
        with _in_dossier_language(dossier):
            agency = dossier.agency.localized if dossier.agency is not None else None
            generated = gettext(
                "Handed in at the one-stop desk of %(agency)s at %(time)s. The processing time counts from when "
                "the agency confirms it has received the papers.") % {
                "agency": getattr(agency, "name", ""), "time": _local(now)}
        lifecycle.record_step(dossier, lifecycle.Actor.staff(user), HAND_OVER, note=_note(generated, note),
                              now=now, data={"unit": locked.unit.name if locked.unit_id else ""})
        _store_photos(locked, PhotoStep.HANDED_OVER, photos, user)
        locked.save()
    return _sync(job, locked)


def confirm_handover(job: HomeServiceJob, user, note: str = "", now: dt.datetime | None = None) -> HomeServiceJob:
    """The agency's receiver confirms the papers the post handed in. A
    dossier still waiting to be received is received now (its clock starts
    at this moment); one the agency received earlier keeps its dates, and
    the confirmation is an internal step."""
    with transaction.atomic():
        dossier, locked = _locked(job)
        if not is_desk_receiver(user, dossier):
            raise StepRefused(_("Only a receiver or leader of the receiving agency can confirm the papers."),
                              forbidden=True)
        _check_order(locked, "confirm_handover")
        if locked.desk_confirmed_at is not None:
            raise StepRefused(gettext("The papers of dossier %(code)s were already confirmed at %(time)s.") % {
                "code": dossier, "time": _local(locked.desk_confirmed_at)})
        _check_open(dossier)
        now = _when(now)
        _not_before(now, locked.handed_over_at)
        actor = lifecycle.Actor.staff(user)
        unit_name = locked.unit.name if locked.unit_id else gettext("the post")
        with _in_dossier_language(dossier):
            generated = gettext("Papers received from the post (%(unit)s).") % {"unit": unit_name}
        if dossier.status == DossierStatus.SUBMITTED:
            try:
                lifecycle.receive(dossier, actor, note=_note(generated, note), now=now)
            except lifecycle.LifecycleError as error:
                raise StepRefused(error.message, error.errors) from error
        else:
            lifecycle.record_step(dossier, actor, DESK_CONFIRMED, note=_note(generated, note), now=now)
        locked.desk_confirmed_at = now
        locked.desk_receiver = user
        locked.desk_note = (note or "").strip()
        locked.save()
    return _sync(job, locked)


def collect_result(job: HomeServiceJob, user, note: str = "", now: dt.datetime | None = None) -> HomeServiceJob:
    """The officer takes the result from the desk to bring it home: only for
    a dossier whose result goes by post, once the agency completed it."""
    with transaction.atomic():
        dossier, locked = _locked(job)
        _officer(locked, user)
        _check_order(locked, "collect_result")
        if dossier.result_delivery != ResultDelivery.POST:
            raise StepRefused(gettext("The applicant of dossier %(code)s receives the result %(how)s, not by post.")
                              % {"code": dossier, "how": str(dossier.get_result_delivery_display()).lower()})
        if dossier.status not in (DossierStatus.COMPLETED, DossierStatus.RETURNED):
            raise StepRefused(gettext("The result of dossier %(code)s is not ready: it is “%(status)s”.") % {
                "code": dossier, "status": dossier.status_label})
        now = _when(now)
        _not_before(now, max(locked.desk_confirmed_at, dossier.completed_at or locked.desk_confirmed_at))
        locked.state = S.RESULT_COLLECTED
        locked.result_collected_at = now
        locked.result_collected_by = user
        locked.result_note = (note or "").strip()
        with _in_dossier_language(dossier):
            generated = gettext("The post will bring the result to %(address)s.") % {
                "address": dossier.delivery_address or dossier.pickup_address}
        lifecycle.record_step(dossier, lifecycle.Actor.staff(user), COLLECT_RESULT,
                              note=_note(generated, note), now=now)
        locked.save()
    return _sync(job, locked)


def deliver(
    job: HomeServiceJob, user, delivered_to: str, note: str = "", photos: Iterable[CheckedFile] = (),
    delivered_at: dt.datetime | None = None,
) -> HomeServiceJob:
    """The result is handed over at home: when, to whom, and a photo (of the
    signed receipt) if the officer took one."""
    delivered_to = " ".join((delivered_to or "").split())[:255]
    photos = list(photos or ())
    if not delivered_to:
        message = gettext("Write the name of the person who received the result.")
        raise StepRefused(message, {"delivered_to": message})
    with transaction.atomic():
        dossier, locked = _locked(job)
        _officer(locked, user)
        _check_order(locked, "deliver")
        now = _when(delivered_at, "delivered_at")
        _not_before(now, locked.result_collected_at, "delivered_at")
        locked.state = S.DELIVERED
        locked.delivered_at = now
        locked.delivered_by = user
        locked.delivered_to = delivered_to
        locked.delivery_note = (note or "").strip()
        with _in_dossier_language(dossier):
            generated = gettext("Delivered at %(time)s, received by %(name)s.") % {
                "time": _local(now), "name": delivered_to}
        lifecycle.record_step(dossier, lifecycle.Actor.staff(user), DELIVER, note=_note(generated, note),
                              now=now, data={"delivered_to": delivered_to})
        _store_photos(locked, PhotoStep.DELIVERED, photos, user)
        locked.save()
    return _sync(job, locked)


#: step name → function, for the views.
STEPS = {
    "accept_pickup": accept_pickup,
    "collect": collect,
    "hand_over": hand_over,
    "collect_result": collect_result,
    "deliver": deliver,
}


def next_step(job: HomeServiceJob) -> str | None:
    """The step that comes next for this job, if any."""
    return _next_step(job)
