"""Feedback and complaints (phản ánh, kiến nghị): submitting, the state
machine, the deadline, who sees which, the citizen's tracking look-up and
the email that tells them it was answered.

States and the steps between them (`TRANSITIONS`); any other step is
refused with `TransitionError`:

    received --start--> handling --answer--> answered --close--> closed
                           ^                     |
                           +------reopen---------+

The deadline (`due_at`) is `PORTAL_FEEDBACK_DAYS` working days after
arrival on the working-day calendar (`procedures.calendar`); a submission
still received or being handled after it is overdue (`Complaint.objects
.overdue()`, `Complaint.is_overdue`).

Who sees which (`visible_complaints`), by the back office's rules
(`accounts.services.agencies_for`, `backoffice.scope.with_sub_agencies`):
receivers and handlers see those of their agencies, leaders also those of
the agencies below theirs; holders of `feedback.route_complaint` (Editors,
Moderators) see every one, the unassigned ones included, route them and
publish them; superusers see everything. Only staff of the agency (or a
superuser) answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import StaffMembership, StaffRole
from accounts.services import agencies_for
from accounts.validators import normalise_phone
from backoffice.scope import with_sub_agencies
from core.tasks import task
from eforms.record import site_base_url
from procedures.calendar import WORKING_DAYS, add_processing_time
from procedures.models import Agency

from .models import Complaint, ComplaintEvent, ComplaintStatus

logger = logging.getLogger(__name__)

ROUTE_PERMISSION = "feedback.route_complaint"
#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31**10, about 2**49 codes
CODE_PREFIX = "PA-"
CODE_RE = re.compile(r"^PA-[2-9A-HJKMNP-Z]{10}$")


class TransitionError(ValueError):
    """A step the state machine does not allow, or one without what it needs."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: object
    sources: tuple[str, ...]
    target: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("start", gettext_lazy("Start handling"), (ComplaintStatus.RECEIVED,), ComplaintStatus.HANDLING),
        Transition("answer", gettext_lazy("Send the answer"), (ComplaintStatus.HANDLING,), ComplaintStatus.ANSWERED),
        Transition("reopen", gettext_lazy("Reopen"), (ComplaintStatus.ANSWERED,), ComplaintStatus.HANDLING),
        Transition("close", gettext_lazy("Close"), (ComplaintStatus.ANSWERED,), ComplaintStatus.CLOSED),
    )
}


# ---------------------------------------------------------------- codes and deadlines


def new_tracking_code() -> str:
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    """What people type ("pa 7kq…", "PA-7KQ…") in the stored form."""
    compact = re.sub(r"[\s\-]", "", value or "").upper()
    if compact.startswith("PA"):
        compact = compact[2:]
    return CODE_PREFIX + compact


def feedback_days() -> int:
    return max(1, int(getattr(settings, "PORTAL_FEEDBACK_DAYS", 10)))


def deadline(received_at: dt.datetime) -> dt.datetime:
    """`PORTAL_FEEDBACK_DAYS` working days after arrival (holidays and
    make-up Saturdays as the calendar says)."""
    return add_processing_time(received_at, feedback_days(), WORKING_DAYS)


# ---------------------------------------------------------------- submitting


def submit(*, subject: str, title: str, body: str, name: str, email: str = "", phone: str = "",
           kind: str = "feedback", procedure=None, agency: Agency | None = None, dossier=None, user=None,
           may_publish: bool = False, language: str = "vi", now: dt.datetime | None = None) -> Complaint:
    """Record a submission; the agency is the dossier's, the procedure's or
    the one chosen, else empty for an editor to route."""
    now = now or timezone.now()
    if dossier is not None:
        agency = dossier.agency
        procedure = procedure or dossier.procedure
    elif agency is None and procedure is not None:
        agency = procedure.agency
    fields = {
        "subject": subject, "kind": kind, "title": title.strip(), "body": body.strip(), "name": name.strip(),
        "email": email.strip().lower(), "phone": normalise_phone(phone) if phone else "", "procedure": procedure,
        "agency": agency, "dossier": dossier, "user": user if getattr(user, "is_authenticated", False) else None,
        "may_publish": may_publish, "language": language, "received_at": now, "due_at": deadline(now),
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(tracking_code=new_tracking_code(), **fields)
                ComplaintEvent.objects.create(complaint=complaint, action="submit", to_status=complaint.status,
                                              actor=fields["user"], created_at=now)
                return complaint
        except IntegrityError:  # the same code drawn twice: draw again
            continue
    raise RuntimeError("Could not draw a unique tracking code")


# ---------------------------------------------------------------- the state machine


def allowed_actions(complaint: Complaint) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if complaint.status in t.sources]


def step(complaint: Complaint, action: str, user, *, answer: str = "", note: str = "",
         now: dt.datetime | None = None) -> Complaint:
    """Take one step; `answer` is required to answer. Refused with
    TransitionError when the step does not start from the current status
    (checked on the locked row, so two staff cannot both take it)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(_("Unknown step."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status not in transition.sources:
            raise TransitionError(
                _("“%(step)s” is not possible while the feedback is “%(status)s”.")
                % {"step": transition.label, "status": locked.get_status_display()})
        previous = locked.status
        locked.status = transition.target
        changed = ["status"]
        if action == "answer":
            answer = (answer or "").strip()
            if not answer:
                raise TransitionError(_("Write the answer the citizen will read."))
            locked.answer, locked.answered_at, locked.answered_by = answer, now, user
            changed += ["answer", "answered_at", "answered_by"]
        elif action == "close":
            locked.closed_at = now
            changed.append("closed_at")
        locked.save(update_fields=changed)
        ComplaintEvent.objects.create(complaint=locked, action=action, from_status=previous,
                                      to_status=locked.status, actor=user, note=note, created_at=now)
        if action == "answer":
            transaction.on_commit(lambda: _enqueue_answer_notice(locked.pk))
    complaint.refresh_from_db()
    return complaint


def route(complaint: Complaint, agency: Agency, user, note: str = "") -> Complaint:
    """An editor sends it to the agency that handles it."""
    if not complaint.is_open:
        raise TransitionError(_("Only open feedback can be sent to another agency."))
    complaint.agency = agency
    complaint.save(update_fields=["agency"])
    ComplaintEvent.objects.create(complaint=complaint, action="route", from_status=complaint.status,
                                  to_status=complaint.status, actor=user, note=note or agency.name)
    return complaint


def publish(complaint: Complaint, user, *, title: str, body: str, answer: str) -> Complaint:
    """Publish the editor's version, written without personal details."""
    if complaint.status not in (ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED):
        raise TransitionError(_("Only answered feedback can be published."))
    if not complaint.may_publish:
        raise TransitionError(_("The sender did not agree to publication."))
    if not (title.strip() and body.strip() and answer.strip()):
        raise TransitionError(_("Write the public title, question and answer."))
    complaint.public_title, complaint.public_body, complaint.public_answer = title.strip(), body.strip(), \
        answer.strip()
    complaint.published_at, complaint.published_by = timezone.now(), user
    complaint.save(update_fields=["public_title", "public_body", "public_answer", "published_at", "published_by"])
    ComplaintEvent.objects.create(complaint=complaint, action="publish", from_status=complaint.status,
                                  to_status=complaint.status, actor=user)
    return complaint


def unpublish(complaint: Complaint, user) -> Complaint:
    complaint.published_at = None
    complaint.save(update_fields=["published_at"])
    ComplaintEvent.objects.create(complaint=complaint, action="unpublish", from_status=complaint.status,
                                  to_status=complaint.status, actor=user)
    return complaint


# ---------------------------------------------------------------- who sees which


def may_route(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(ROUTE_PERMISSION))


def _handling_keys(user) -> set:
    keys = set(agencies_for(user, StaffRole.RECEIVER).values_list("translation_key", flat=True))
    keys |= set(agencies_for(user, StaffRole.HANDLER).values_list("translation_key", flat=True))
    keys |= with_sub_agencies(agencies_for(user, StaffRole.LEADER))
    return keys


def visible_complaints(user) -> QuerySet[Complaint]:
    """The feedback `user` may see in the admin (see the module's rules)."""
    complaints = Complaint.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return complaints.none()
    if user.is_superuser or may_route(user):
        return complaints
    keys = _handling_keys(user)
    if not keys:
        return complaints.none()
    return complaints.filter(agency__translation_key__in=keys)


def has_scope(user) -> bool:
    """Whether the admin's feedback screens are for `user` at all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or may_route(user) or StaffMembership.objects.filter(
        user=user, role__in=(StaffRole.RECEIVER, StaffRole.HANDLER, StaffRole.LEADER)).exists()


def may_handle(user, complaint: Complaint) -> bool:
    """Answering and the status steps: staff of the complaint's agency
    (leaders also of the agencies below), or a superuser."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if complaint.agency_id is None:
        return False
    return complaint.agency.translation_key in _handling_keys(user)


# ---------------------------------------------------------------- the citizen's tracking look-up


def find_for_tracking(code: str, contact: str) -> Complaint | None:
    """The submission with this code whose email or phone is `contact`;
    None when there is none or it does not match (the caller answers both
    the same way)."""
    complaint = Complaint.objects.select_related("agency").filter(tracking_code=normalise_code(code)).first()
    if complaint is None:
        return None
    contact = (contact or "").strip()
    if "@" in contact:
        matches = bool(complaint.email) and contact.lower() == complaint.email.lower()
    else:
        matches = bool(complaint.phone) and normalise_phone(contact) == complaint.phone
    return complaint if matches else None


# ---------------------------------------------------------------- telling the citizen


def _enqueue_answer_notice(complaint_id: int) -> None:
    try:
        send_answer_notice.enqueue(complaint_id)
    except Exception:  # the answer stays on the tracking page
        logger.exception("Could not enqueue the answer notice of feedback %s", complaint_id)


def _site_url(path: str) -> str:
    return site_base_url().rstrip("/") + path


@task()
def send_answer_notice(complaint_id: int) -> str:
    """Email the sender that their feedback was answered, with the answer
    (or an SMS pointing to the tracking page when they gave only a phone).
    Run twice (a requeued task), it sends the same answer again: at least
    once, since the answer is the point of the feedback."""
    from notifications.mail import send_email
    from notifications.sms import DeliveryError, get_backend

    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None or complaint.status != ComplaintStatus.ANSWERED:
        return "skipped"
    language = complaint.language if complaint.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        url = _site_url(reverse("feedback_track"))
        if complaint.email:
            subject = _("Your feedback %(code)s has been answered") % {"code": complaint.tracking_code}
            body = "\n\n".join([
                _("Dear %(name)s,") % {"name": complaint.name},
                _("The agency has answered your feedback “%(title)s” (tracking code %(code)s):")
                % {"title": complaint.title, "code": complaint.tracking_code},
                complaint.answer,
                _("You can read it again at %(url)s with the tracking code and this email address.") % {"url": url},
            ])
            try:
                send_email(complaint.email, subject, body, language)
            except DeliveryError:
                logger.exception("Could not email the answer of feedback %s", complaint.tracking_code)
                return "failed"
            return "email"
        if complaint.phone:
            text = _("Your feedback %(code)s has been answered. Read it at %(url)s") % {
                "code": complaint.tracking_code, "url": url}
            try:
                get_backend().send(complaint.phone, text)
            except DeliveryError:
                logger.exception("Could not text the answer of feedback %s", complaint.tracking_code)
                return "failed"
            return "sms"
    return "nobody"


def overdue(now: dt.datetime | None = None) -> QuerySet[Complaint]:
    return Complaint.objects.overdue(now).select_related("agency").order_by("due_at")


__all__ = [
    "TRANSITIONS", "TransitionError", "allowed_actions", "deadline", "find_for_tracking", "has_scope",
    "may_handle", "may_route", "new_tracking_code", "overdue", "publish", "route", "step", "submit", "unpublish",
    "visible_complaints",
]
