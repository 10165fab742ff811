"""The dossier lifecycle: the ONE place where a dossier's status changes.

DESIGN.md's statuses as a state machine. `TRANSITIONS` says, for each
action, from which statuses it may start, where it leads, who may take it
and what it needs. Each action has a function here (`withdraw`, `receive`,
`reject`, …) that locks the dossier row (`select_for_update`), checks the
actor and the requirements on the locked row, changes the status and writes
a `DossierEvent`, all in one transaction: of two people acting on one
dossier at once, the second waits for the first and is then refused with
the status it finds. Today the callers are the applicant's pages
(`eforms.views.my_dossiers`: withdraw, answer a supplement request),
`eforms.services.submit_dossier`, the demo loader and the tests; an agency
back office or API will call these functions and nothing else. A refused
change raises a `LifecycleError` whose message is translated and can be
shown to the user as it is.

    draft ─submit→ submitted ─receive→ received ─start_processing→ processing ─complete→ completed ─return_result→ returned
                      │  └─withdraw→ cancelled      │ └─request_supplement→ needs_supplement ←┘
                      ├─reject→ rejected             │        └─answer_supplement→ (back where it was)
                      └─mark_invalid→ invalid ←──────┘  cancel: received/processing/needs_supplement → cancelled

Who may act (`Actor`):
* the applicant (their own dossier): submit, withdraw (before the agency
  takes it in), answer a supplement request;
* staff of the receiving agency, by their `accounts.StaffMembership` role
  (receiver, handler, leader);
* an API client bound to the receiving agency (`Actor.api_client`, for the
  agency's own one-stop software once an API exists): every staff action;
* the system (`Actor.system`, for scheduled jobs): cancel, mark invalid.

Internal steps (`Transition.internal`) are events that leave the public
status alone: forwarding to a handler, sending to a co-handling agency and
back, submitting for the leader's approval and the leader's answer. Their
events have no `to_status`, the applicant's pages and the look-up skip them
(`public_events`), and nothing is announced for them. While a dossier is
with a co-handling agency, that agency's staff may send it back
(`Transition.co_roles`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffMembership
from eforms import documents
from eforms.models import (
    ActorKind,
    Attachment,
    AttachmentRole,
    DocumentKind,
    Dossier,
    DossierEvent,
    DossierStatus,
    HandoverMethod,
)
from eforms.models.dossiers import FINAL_STATUSES
from eforms.uploads import CheckedFile, store
from procedures.calendar import WORKING_DAYS, add_processing_time, processing_time_between
from signing.services import SigningError

S = DossierStatus

RECEIVER, HANDLER, LEADER = "receiver", "handler", "leader"


# ---------------------------------------------------------------- errors


class LifecycleError(Exception):
    """A refused change. `message` is translated and fit to show; `errors`
    maps a requirement (form field) to its message when one was missing."""

    def __init__(self, message: str | Promise, errors: dict[str, str] | None = None) -> None:
        self.message = str(message)
        self.errors = errors or {}
        super().__init__(self.message)


class TransitionNotAllowed(LifecycleError):
    """The dossier's status does not allow this action."""


class ActorNotAllowed(LifecycleError):
    """This actor may not take this action on this dossier."""


class RequirementMissing(LifecycleError):
    """The action needs something it was not given (a reason, a deadline…)."""


# ---------------------------------------------------------------- actors


@dataclass(frozen=True)
class Actor:
    """Who takes an action. Build one with the class methods."""

    kind: str
    user: object | None = None
    label: str = ""
    agency: object | None = None  # an API client's agency

    @classmethod
    def applicant(cls, user) -> Actor:
        return cls(ActorKind.APPLICANT, user=user)

    @classmethod
    def staff(cls, user) -> Actor:
        return cls(ActorKind.STAFF, user=user)

    @classmethod
    def api_client(cls, label: str, agency) -> Actor:
        return cls(ActorKind.API, label=label, agency=agency)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(ActorKind.SYSTEM, label=label)

    @property
    def display_label(self) -> str:
        if self.user is not None:
            return (self.user.get_full_name() or self.user.get_username())[:255]
        return self.label[:255] or self.kind


# ---------------------------------------------------------------- the machine


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str | None  # None: the status stays (extend, issue_control_slip), or for
    # answer_supplement goes back to the status before the supplement request
    applicant: bool = False
    roles: frozenset[str] = frozenset()
    api: bool = False
    system: bool = False
    requires: tuple[str, ...] = field(default=())
    internal: bool = False  # an internal step: an event, no status change
    co_roles: frozenset[str] = frozenset()  # roles at the co-handling agency that may take it
    # Beyond the status: None when the action is possible, else why not.
    guard: Callable[[Dossier], str | None] | None = None


def _t(name, label, sources, target, **kwargs) -> Transition:
    for key in ("roles", "co_roles"):
        if key in kwargs:
            kwargs[key] = frozenset(kwargs[key])
    return Transition(name, label, frozenset(sources), target, **kwargs)


ACTIVE = {S.RECEIVED, S.PROCESSING, S.NEEDS_SUPPLEMENT}


def _not_with_co_agency(dossier: Dossier) -> str | None:
    if dossier.co_handling_agency_id is None:
        return None
    return gettext("Dossier %(code)s is already with another agency: %(agency)s.") % {
        "code": dossier, "agency": dossier.co_handling_agency.name}


def _with_co_agency(dossier: Dossier) -> str | None:
    if dossier.co_handling_agency_id is not None:
        return None
    return gettext("Dossier %(code)s is not with another agency.") % {"code": dossier}


def _not_awaiting_approval(dossier: Dossier) -> str | None:
    if dossier.approval_requested_at is None:
        return None
    return gettext("Dossier %(code)s is already waiting for the leader's approval.") % {"code": dossier}


def _awaiting_approval(dossier: Dossier) -> str | None:
    if dossier.approval_requested_at is not None:
        return None
    return gettext("Dossier %(code)s is not waiting for the leader's approval.") % {"code": dossier}


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("submit", _("Submit"), {S.DRAFT}, S.SUBMITTED, applicant=True),
        _t("withdraw", _("Withdraw"), {S.SUBMITTED}, S.CANCELLED, applicant=True),
        _t("receive", _("Receive"), {S.SUBMITTED}, S.RECEIVED, roles={RECEIVER, LEADER}, api=True),
        _t("reject", _("Refuse"), {S.SUBMITTED}, S.REJECTED, roles={RECEIVER, LEADER}, api=True,
           requires=("reason",)),
        _t("mark_invalid", _("Mark as invalid"), {S.SUBMITTED, S.RECEIVED}, S.INVALID,
           roles={RECEIVER, HANDLER, LEADER}, api=True, system=True, requires=("reason",)),
        _t("start_processing", _("Start processing"), {S.RECEIVED}, S.PROCESSING,
           roles={RECEIVER, HANDLER, LEADER}, api=True),
        _t("request_supplement", _("Request a supplement"), {S.RECEIVED, S.PROCESSING}, S.NEEDS_SUPPLEMENT,
           roles={RECEIVER, HANDLER, LEADER}, api=True, requires=("items", "deadline")),
        _t("answer_supplement", _("Answer the supplement request"), {S.NEEDS_SUPPLEMENT}, None,
           applicant=True, roles={RECEIVER}, api=True, requires=("files",)),
        _t("complete", _("Complete"), {S.PROCESSING}, S.COMPLETED, roles={HANDLER, LEADER}, api=True,
           requires=("result",)),
        _t("return_result", _("Return the result"), {S.COMPLETED}, S.RETURNED, roles={RECEIVER, LEADER}, api=True),
        _t("cancel", _("Cancel"), {S.RECEIVED, S.PROCESSING, S.NEEDS_SUPPLEMENT}, S.CANCELLED,
           roles={RECEIVER, LEADER}, api=True, system=True, requires=("reason",)),
        # internal steps: events only, the public status stays
        _t("forward", _("Forward to a handler"), {S.SUBMITTED, *ACTIVE}, None, roles={RECEIVER, LEADER}, api=True,
           requires=("assignee",), internal=True),
        _t("send_to_co_agency", _("Send to a co-handling agency"), {S.PROCESSING}, None,
           roles={HANDLER, LEADER}, api=True, requires=("co_agency",), internal=True, guard=_not_with_co_agency),
        _t("return_from_co_agency", _("Send back from the co-handling agency"), ACTIVE, None,
           roles={HANDLER, LEADER}, co_roles={RECEIVER, HANDLER, LEADER}, api=True, internal=True,
           guard=_with_co_agency),
        _t("submit_for_approval", _("Submit for the leader's approval"), {S.PROCESSING}, None,
           roles={HANDLER}, api=True, internal=True, guard=_not_awaiting_approval),
        _t("approve", _("Approve"), {S.PROCESSING}, None, roles={LEADER}, api=True, internal=True,
           guard=_awaiting_approval),
        _t("return_for_rework", _("Return for rework"), {S.PROCESSING}, None, roles={LEADER}, api=True,
           requires=("reason",), internal=True, guard=_awaiting_approval),
        _t("extend", _("Extend the appointment"), {S.RECEIVED, S.PROCESSING}, None,
           roles={HANDLER, LEADER}, api=True, requires=("reason", "appointment")),
        _t("issue_control_slip", _("Issue the control slip"),
           {S.SUBMITTED, S.RECEIVED, S.REJECTED, S.PROCESSING, S.NEEDS_SUPPLEMENT, S.COMPLETED, S.RETURNED,
            S.CANCELLED, S.INVALID}, None, roles={RECEIVER, HANDLER, LEADER}, api=True),
    ]
}

#: The internal steps' action names: never shown to the applicant or the public.
#: Events the agency writes for itself: no status change, nothing told to
#: the applicant (notifications.events lists none of them), not in the
#: applicant's history: the internal steps, and the flag on a supplement
#: request left unanswered past its deadline.
SUPPLEMENT_OVERDUE = "supplement_overdue"
INTERNAL_ACTIONS = frozenset(name for name, t in TRANSITIONS.items() if t.internal) | {SUPPLEMENT_OVERDUE}


def _same_agency(a, b) -> bool:
    """Agencies are translatable: two locale copies are the same agency."""
    if a is None or b is None:
        return False
    return a.pk == b.pk or a.translation_key == b.translation_key


def staff_roles(user, dossier: Dossier) -> set[str]:
    """The roles `user` holds at the dossier's receiving agency."""
    if dossier.agency_id is None or not getattr(user, "is_authenticated", False):
        return set()
    if not user.is_active:
        return set()
    if user.is_superuser:  # as accounts.services.agencies_for: superusers act for every agency
        return {RECEIVER, HANDLER, LEADER}
    return _roles_at(user, dossier.agency)


def _roles_at(user, agency) -> set[str]:
    # One query; memberships may name either locale's copy of the agency.
    return set(
        StaffMembership.objects.filter(
            user=user, agency__translation_key=agency.translation_key, role__in=(RECEIVER, HANDLER, LEADER)
        ).values_list("role", flat=True)
    )


def co_handling_roles(user, dossier: Dossier) -> set[str]:
    """The roles `user` holds at the agency the dossier was sent to, while it is there."""
    if dossier.co_handling_agency_id is None or not getattr(user, "is_authenticated", False):
        return set()
    if not user.is_active:
        return set()
    return _roles_at(user, dossier.co_handling_agency)


def actor_may(transition: Transition, dossier: Dossier, actor: Actor) -> bool:
    """May this actor take this action on this dossier (status aside)?"""
    if actor.kind == ActorKind.APPLICANT:
        return transition.applicant and dossier.is_applicant(actor.user)
    if actor.kind == ActorKind.STAFF:
        if transition.roles & staff_roles(actor.user, dossier):
            return True
        return bool(transition.co_roles and transition.co_roles & co_handling_roles(actor.user, dossier))
    if actor.kind == ActorKind.API:
        return transition.api and _same_agency(actor.agency, dossier.agency)
    if actor.kind == ActorKind.SYSTEM:
        return transition.system
    return False


def check(dossier: Dossier, actor: Actor, action: str) -> Transition:
    """Raise unless `actor` may take `action` on `dossier` now."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown action."))
    if not actor_may(transition, dossier, actor):
        raise ActorNotAllowed(
            gettext("You are not allowed to do this with this dossier: “%(action)s”.")
            % {"action": transition.label}
        )
    if dossier.status not in transition.sources:
        raise TransitionNotAllowed(
            gettext("Dossier %(code)s is “%(status)s”: “%(action)s” is not possible now.")
            % {"code": dossier, "status": dossier.status_label, "action": transition.label}
        )
    if transition.guard is not None and (refusal := transition.guard(dossier)):
        raise TransitionNotAllowed(refusal)
    return transition


def allowed_actions(dossier: Dossier, actor: Actor) -> list[Transition]:
    """The actions this actor can take on this dossier now (for buttons)."""
    return [
        t for t in TRANSITIONS.values()
        if dossier.status in t.sources and (t.guard is None or t.guard(dossier) is None)
        and actor_may(t, dossier, actor)
    ]


def can(dossier: Dossier, actor: Actor, action: str) -> bool:
    try:
        check(dossier, actor, action)
    except LifecycleError:
        return False
    return True


# ---------------------------------------------------------------- recording


def record(
    dossier: Dossier,
    actor: Actor,
    action: str,
    to_status: str,
    *,
    note: str = "",
    data: dict | None = None,
    now: dt.datetime | None = None,
    from_status: str | None = None,
) -> DossierEvent:
    """Set the status and write the event (inside the caller's transaction)."""
    now = now or timezone.now()
    previous = dossier.status if from_status is None else from_status
    dossier.status = to_status
    if to_status in FINAL_STATUSES or to_status == S.COMPLETED:
        # Processing is over: the internal steps in flight end with it.
        dossier.co_handling_agency = None
        dossier.approval_requested_at = None
    dossier.save()
    return DossierEvent.objects.create(
        dossier=dossier,
        created_at=now,
        action=action,
        actor_kind=actor.kind,
        actor_user=actor.user if actor.user is not None and actor.user.pk else None,
        actor_label=actor.display_label,
        from_status=previous,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _locked(dossier: Dossier) -> Dossier:
    """Re-read the dossier under a row lock, so two clicks (or a clerk and an
    API call) cannot both move it."""
    fresh = Dossier.objects.select_for_update().get(pk=dossier.pk)
    return fresh


def _require_text(value: str | None, name: str, message: Promise) -> str:
    value = (value or "").strip()
    if not value:
        raise RequirementMissing(message, {name: str(message)})
    return value


def _appointment(dossier: Dossier, start: dt.datetime, amount=None) -> dt.datetime | None:
    procedure = dossier.procedure
    amount = procedure.processing_time if amount is None else amount
    if amount is None:
        return None
    return add_processing_time(start, amount, procedure.processing_unit)


def _sync(target: Dossier, source: Dossier) -> None:
    """Copy the locked, changed row back onto the caller's instance."""
    for f in Dossier._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


# ---------------------------------------------------------------- the actions
#
# Every action takes `now`: the moment it happened, for an API client that
# reports what its one-stop software did earlier (and for tests). It may lie
# in the past, never in the future.


def _when(now: dt.datetime | None) -> dt.datetime:
    current = timezone.now()
    if now is None:
        return current
    if now > current + dt.timedelta(minutes=5):
        message = _("An action cannot be dated in the future.")
        raise RequirementMissing(message, {"now": str(message)})
    return now


def withdraw(dossier: Dossier, actor: Actor, reason: str = "", now: dt.datetime | None = None) -> DossierEvent:
    """The applicant withdraws a dossier the agency has not taken in yet."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "withdraw")
        now = _when(now)
        locked.closed_at = now
        event = record(locked, actor, "withdraw", S.CANCELLED, note=(reason or "").strip(), now=now)
    _sync(dossier, locked)
    return event


def receive(dossier: Dossier, actor: Actor, note: str = "", now: dt.datetime | None = None) -> DossierEvent:
    """Take the dossier in; the appointment counts from now (or the next
    working moment) in the procedure's processing time."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "receive")
        now = _when(now)
        locked.received_at = now
        locked.appointment_at = _appointment(locked, now)
        event = record(locked, actor, "receive", S.RECEIVED, note=note,
                       data={"appointment_at": locked.appointment_at.isoformat() if locked.appointment_at else None},
                       now=now)
        documents.issue(locked, DocumentKind.RECEIPT, actor, now=now, announced_with=event)
    _sync(dossier, locked)
    return event


def reject(dossier: Dossier, actor: Actor, reason: str, now: dt.datetime | None = None) -> DossierEvent:
    """Refuse to take the dossier in (Circular 03/2025 form 03); the reason is required."""
    return _close_with_reason(dossier, actor, "reject", S.REJECTED, reason,
                              _("Give the reason for refusing the dossier."), now)


def mark_invalid(dossier: Dossier, actor: Actor, reason: str, now: dt.datetime | None = None) -> DossierEvent:
    """The data entered is invalid; the reason is required."""
    return _close_with_reason(dossier, actor, "mark_invalid", S.INVALID, reason,
                              _("Say what is invalid in the dossier."), now)


def cancel(dossier: Dossier, actor: Actor, reason: str, now: dt.datetime | None = None) -> DossierEvent:
    """Cancel a dossier being handled (processing stops); the reason is required."""
    return _close_with_reason(dossier, actor, "cancel", S.CANCELLED, reason,
                              _("Give the reason for cancelling the dossier."), now)


#: The Circular 03/2025 document a closing action issues to the applicant.
CLOSING_DOCUMENTS = {"reject": DocumentKind.REFUSAL, "cancel": DocumentKind.STOP}


def _close_with_reason(dossier, actor, action, target, reason, message, now) -> DossierEvent:
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, action)
        reason = _require_text(reason, "reason", message)
        now = _when(now)
        locked.closed_at = now
        event = record(locked, actor, action, target, note=reason, data={"reason": reason}, now=now)
        if action in CLOSING_DOCUMENTS:
            documents.issue(locked, CLOSING_DOCUMENTS[action], actor, facts={"reason": reason}, now=now,
                            announced_with=event)
    _sync(dossier, locked)
    return event


def start_processing(
    dossier: Dossier, actor: Actor, assignee=None, note: str = "", now: dt.datetime | None = None
) -> DossierEvent:
    """Hand the dossier to a handler (by default the acting user)."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "start_processing")
        assignee = assignee or (actor.user if actor.kind == ActorKind.STAFF else None)
        if assignee is not None and HANDLER not in staff_roles(assignee, locked) and LEADER not in staff_roles(
            assignee, locked
        ):
            message = _("The handler must be a handler or leader of the receiving agency.")
            raise RequirementMissing(message, {"assignee": str(message)})
        locked.assigned_to = assignee
        event = record(locked, actor, "start_processing", S.PROCESSING, note=note, now=_when(now),
                       data={"assignee": assignee.pk if assignee is not None else None})
    _sync(dossier, locked)
    return event


def default_supplement_deadline(now: dt.datetime | None = None) -> dt.date:
    """PORTAL_SUPPLEMENT_DAYS working days after `now` on the agencies'
    calendar: the deadline a supplement request gets when none is given."""
    return add_processing_time(now or timezone.now(), settings.PORTAL_SUPPLEMENT_DAYS, WORKING_DAYS).date()


def request_supplement(
    dossier: Dossier, actor: Actor, items: Sequence[str], deadline: dt.date | None = None, note: str = "",
    now: dt.datetime | None = None,
) -> DossierEvent:
    """Ask the applicant for missing documents (Circular 03/2025 form 02):
    the list of what is missing or incorrect is required, one entry per
    item; the deadline defaults to `default_supplement_deadline`. Both are
    kept on the dossier (the open request) and in the event, whose data
    the applicant's message lists. The processing clock stops; the time
    left is kept and runs again from the answer."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "request_supplement")
        if isinstance(items, str):
            items = [items]
        items = [str(i).strip() for i in (items or []) if str(i).strip()]
        now = _when(now)
        errors = {}
        if not items:
            errors["items"] = gettext("List the documents or information that are missing.")
        today = timezone.localdate(now)
        if deadline is None:
            deadline = default_supplement_deadline(now)
        if deadline <= today:
            errors["deadline"] = gettext("The deadline must be after today.")
        if errors:
            raise RequirementMissing(next(iter(errors.values())), errors)
        remaining = None
        if locked.appointment_at is not None:
            remaining = processing_time_between(now, locked.appointment_at, locked.procedure.processing_unit)
        locked.supplement_items = items
        locked.supplement_deadline = deadline
        locked.supplement_requested_at = now
        locked.supplement_remaining = remaining
        locked.supplement_overdue_at = None
        event = record(locked, actor, "request_supplement", S.NEEDS_SUPPLEMENT, note=note, now=now,
                       data={"items": items, "deadline": deadline.isoformat()})
        documents.issue(locked, DocumentKind.SUPPLEMENT, actor, now=now, announced_with=event,
                        facts={"items": items, "deadline": deadline, "note": note})
    _sync(dossier, locked)
    return event


def answer_supplement(
    dossier: Dossier, actor: Actor, files: Iterable, note: str = "", now: dt.datetime | None = None
) -> DossierEvent:
    """The applicant (online) or the receiver (documents handed in at the
    desk) supplies what was missing. `files` are `uploads.CheckedFile`s
    (already checked) or `Attachment`s the actor uploaded as drafts; at
    least one is required. The dossier goes back to the status it had when
    the supplement was requested, and the appointment is moved by the time
    the clock stood still."""
    files = list(files or [])
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "answer_supplement")
        if not files:
            message = _("Attach the documents that were asked for.")
            raise RequirementMissing(message, {"files": str(message)})
        request_event = locked.events.filter(action="request_supplement").order_by("-created_at", "-pk").first()
        back_to = request_event.from_status if request_event else S.PROCESSING
        now = _when(now)
        if locked.supplement_remaining is not None:
            locked.appointment_at = _appointment(locked, now, amount=max(locked.supplement_remaining, Decimal(0)))
        data = {"items": locked.supplement_items,
                "appointment_at": locked.appointment_at.isoformat() if locked.appointment_at else None}
        locked.supplement_items = []
        locked.supplement_deadline = None
        locked.supplement_requested_at = None
        locked.supplement_remaining = None
        locked.supplement_overdue_at = None
        event = record(locked, actor, "answer_supplement", back_to, note=note, data=data, now=now)
        uploader = actor.user if actor.user is not None else None
        for item in files:
            if isinstance(item, CheckedFile):
                store(item, uploaded_by=uploader, dossier=locked, event=event)
            elif isinstance(item, Attachment):
                if item.dossier_id not in (None, locked.pk) or (uploader and item.uploaded_by_id != uploader.pk):
                    raise ActorNotAllowed(_("You may not attach this file."))
                item.dossier = locked
                item.event = event
                item.save(update_fields=["dossier", "event"])
            else:
                raise TypeError("answer_supplement takes CheckedFile or Attachment items")
    _sync(dossier, locked)
    return event


def complete(
    dossier: Dossier, actor: Actor, result: str, files: Iterable = (), now: dt.datetime | None = None
) -> DossierEvent:
    """The result is ready; describing it is required, files are optional:
    `uploads.CheckedFile`s, or result `Attachment`s already uploaded to this
    dossier and not yet issued (the back office keeps the good files of a
    form that had a bad one). They become the dossier's result files."""
    files = list(files or ())
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "complete")
        result = _require_text(result, "result", _("Describe the result of the dossier."))
        now = _when(now)
        locked.result = result
        locked.completed_at = now
        event = record(locked, actor, "complete", S.COMPLETED, note=result, data={"result": result}, now=now)
        for item in files:
            if isinstance(item, CheckedFile):
                attachment = store(item, uploaded_by=actor.user, dossier=locked, event=event,
                                   role=AttachmentRole.RESULT)
            elif isinstance(item, Attachment):
                if item.dossier_id != locked.pk or item.event_id is not None or item.role != AttachmentRole.RESULT:
                    raise ActorNotAllowed(_("You may not attach this file."))
                item.event = event
                item.save(update_fields=["event"])
                attachment = item
            else:
                raise TypeError("complete takes CheckedFile or Attachment items")
            try:  # a PDF result is issued signed by the agency
                documents.sign_result(attachment, locked)
            except SigningError as error:
                message = f"“{attachment.original_name}”: {error}"
                raise RequirementMissing(message, {"files": message}) from error
    _sync(dossier, locked)
    return event


def return_result(
    dossier: Dossier, actor: Actor, note: str = "", now: dt.datetime | None = None, *,
    handover_method: str = "", courier: str = "", tracking_number: str = "",
) -> DossierEvent:
    """The result was handed over (or sent): how is recorded on the dossier
    (the applicant sees the courier and tracking number of a posted result)."""
    handover_method = (handover_method or "").strip()
    courier = (courier or "").strip()
    tracking_number = (tracking_number or "").strip()
    errors = {}
    if handover_method and handover_method not in HandoverMethod.values:
        errors["handover_method"] = gettext("Choose how the result was handed over.")
    if handover_method == HandoverMethod.POST:
        if not courier:
            errors["courier"] = gettext("Name the postal service that carries the result.")
        if not tracking_number:
            errors["tracking_number"] = gettext("Give the tracking number of the parcel.")
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "return_result")
        if errors:
            raise RequirementMissing(next(iter(errors.values())), errors)
        now = _when(now)
        locked.returned_at = now
        locked.closed_at = now
        locked.handover_method = handover_method
        locked.courier = courier if handover_method == HandoverMethod.POST else ""
        locked.tracking_number = tracking_number if handover_method == HandoverMethod.POST else ""
        data = {"handover_method": handover_method, "courier": locked.courier,
                "tracking_number": locked.tracking_number} if handover_method else {}
        event = record(locked, actor, "return_result", S.RETURNED, note=note, data=data, now=now)
    _sync(dossier, locked)
    return event


# ---------------------------------------------------------------- internal steps


def record_step(
    dossier: Dossier, actor: Actor, action: str, *, note: str = "", data: dict | None = None,
    now: dt.datetime | None = None,
) -> DossierEvent:
    """Write an internal step's event: the status stays, `to_status` is empty
    (so nothing public lists it), `from_status` says where the dossier stood."""
    dossier.save()
    return DossierEvent.objects.create(
        dossier=dossier,
        created_at=now or timezone.now(),
        action=action,
        actor_kind=actor.kind,
        actor_user=actor.user if actor.user is not None and actor.user.pk else None,
        actor_label=actor.display_label,
        from_status=dossier.status,
        to_status="",
        note=note,
        data=data or {},
    )


def _check_handler(assignee, dossier: Dossier) -> None:
    if assignee is None or not ({HANDLER, LEADER} & staff_roles(assignee, dossier)):
        message = _("The handler must be a handler or leader of the receiving agency.")
        raise RequirementMissing(message, {"assignee": str(message)})


def forward(dossier: Dossier, actor: Actor, assignee, note: str = "", now: dt.datetime | None = None) -> DossierEvent:
    """Give the dossier to another handler (or a first one) without changing its status."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "forward")
        _check_handler(assignee, locked)
        locked.assigned_to = assignee
        event = record_step(locked, actor, "forward", note=(note or "").strip(), now=_when(now),
                            data={"assignee": assignee.pk, "assignee_name": Actor.staff(assignee).display_label})
    _sync(dossier, locked)
    return event


def send_to_co_agency(
    dossier: Dossier, actor: Actor, co_agency, note: str = "", now: dt.datetime | None = None
) -> DossierEvent:
    """Ask another agency for its part (co-handling): it sees the dossier until it sends it back."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "send_to_co_agency")
        if co_agency is None or _same_agency(co_agency, locked.agency):
            message = _("Choose another agency to send the dossier to.")
            raise RequirementMissing(message, {"co_agency": str(message)})
        locked.co_handling_agency = co_agency
        event = record_step(locked, actor, "send_to_co_agency", note=(note or "").strip(), now=_when(now),
                            data={"agency": co_agency.pk, "agency_name": co_agency.name})
    _sync(dossier, locked)
    return event


def return_from_co_agency(dossier: Dossier, actor: Actor, note: str = "", now: dt.datetime | None = None) -> DossierEvent:
    """The co-handling agency sends the dossier back (with its opinion in the note)."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "return_from_co_agency")
        agency = locked.co_handling_agency
        locked.co_handling_agency = None
        event = record_step(locked, actor, "return_from_co_agency", note=(note or "").strip(), now=_when(now),
                            data={"agency": agency.pk, "agency_name": agency.name})
    _sync(dossier, locked)
    return event


def submit_for_approval(dossier: Dossier, actor: Actor, note: str = "", now: dt.datetime | None = None) -> DossierEvent:
    """The handler submits the draft result to the leader."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "submit_for_approval")
        now = _when(now)
        locked.approval_requested_at = now
        event = record_step(locked, actor, "submit_for_approval", note=(note or "").strip(), now=now)
    _sync(dossier, locked)
    return event


def extend(
    dossier: Dossier, actor: Actor, reason: str, appointment: dt.date | dt.datetime, now: dt.datetime | None = None
) -> DossierEvent:
    """The handler cannot finish on time: a new appointment, later than the
    current one, with the reason, and Circular 03/2025 form 04 (apology and
    new appointment) to the applicant. The appointment first given is kept
    in `original_appointment_at` (set once), so the statistics still count
    the dossier late against it. A date keeps the current appointment's
    time of day."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "extend")
        reason = _require_text(reason, "reason", _("Give the reason why the dossier cannot be completed on time."))
        now = _when(now)
        current = locked.appointment_at
        new = _new_appointment(appointment, current)
        floor = current if current is not None else now
        if new is None or timezone.localdate(new) <= timezone.localdate(floor):
            message = _("The new appointment must be later than the current one.")
            raise RequirementMissing(message, {"appointment": str(message)})
        if locked.original_appointment_at is None:
            locked.original_appointment_at = current
        locked.appointment_at = new
        locked.save(update_fields=["appointment_at", "original_appointment_at", "updated_at"])
        iso = (lambda value: value.isoformat() if value else None)  # noqa: E731
        event = record_step(locked, actor, "extend", note=reason, now=now, data={
            "reason": reason, "previous": iso(current), "appointment_at": iso(new),
            "original_appointment_at": iso(locked.original_appointment_at)})
        documents.issue(locked, DocumentKind.EXTENSION, actor, now=now, facts={
            "reason": reason, "previous_appointment": current, "new_appointment": new,
            "original_appointment": locked.original_appointment_at})
    _sync(dossier, locked)
    return event


def flag_supplement_overdue(dossier: Dossier, actor: Actor | None = None,
                            now: dt.datetime | None = None) -> DossierEvent | None:
    """Mark an open supplement request whose deadline has passed, for the
    handler: `supplement_overdue_at` and an internal event. The status does
    not change (the agency decides what to do). Returns None when there is
    nothing to flag any more (answered meanwhile, already flagged, not due)."""
    actor = actor or Actor.system("flag_supplement_deadlines")
    with transaction.atomic():
        locked = _locked(dossier)
        now = _when(now)
        deadline = locked.supplement_deadline
        if (locked.status != S.NEEDS_SUPPLEMENT or locked.supplement_overdue_at is not None or deadline is None
                or deadline >= timezone.localdate(now)):
            return None
        locked.supplement_overdue_at = now
        event = record(locked, actor, SUPPLEMENT_OVERDUE, locked.status, now=now,
                       note=gettext("The supplement deadline (%(deadline)s) passed without an answer.")
                       % {"deadline": deadline.strftime("%d/%m/%Y")},
                       data={"deadline": deadline.isoformat(), "items": locked.supplement_items})
    _sync(dossier, locked)
    return event


def approve(dossier: Dossier, actor: Actor, note: str = "", now: dt.datetime | None = None) -> DossierEvent:
    """The leader approves the handler's proposal."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "approve")
        locked.approval_requested_at = None
        event = record_step(locked, actor, "approve", note=(note or "").strip(), now=_when(now))
    _sync(dossier, locked)
    return event


def return_for_rework(dossier: Dossier, actor: Actor, reason: str, now: dt.datetime | None = None) -> DossierEvent:
    """The leader sends the proposal back to the handler; why is required."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "return_for_rework")
        reason = _require_text(reason, "reason", _("Say what must be reworked."))
        locked.approval_requested_at = None
        event = record_step(locked, actor, "return_for_rework", note=reason, data={"reason": reason},
                            now=_when(now))
    _sync(dossier, locked)
    return event


def public_events(dossier: Dossier):
    """The dossier's history as the applicant and the public see it: status
    changes only, never the internal steps."""
    return dossier.events.public().exclude(action__in=INTERNAL_ACTIONS).order_by("created_at", "pk")
def _new_appointment(value, current: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    at = timezone.localtime(current).time() if current is not None else dt.time(17, 0)
    return timezone.make_aware(dt.datetime.combine(value, at))


def issue_control_slip(dossier: Dossier, actor: Actor, now: dt.datetime | None = None) -> DossierEvent:
    """Circular 03/2025 form 06 on demand: the control slip that follows the
    dossier through the agency (internal: never shown to the applicant)."""
    with transaction.atomic():
        locked = _locked(dossier)
        check(locked, actor, "issue_control_slip")
        now = _when(now)
        labels = {name: str(t.label) for name, t in TRANSITIONS.items()}
        with translation.override(documents.document_language(locked)):
            history = documents.history(locked, labels)
        document = documents.issue(locked, DocumentKind.CONTROL, actor, now=now, facts={"history": history})
    _sync(dossier, locked)
    return document.event


ACTIONS = {
    "withdraw": withdraw,
    "receive": receive,
    "reject": reject,
    "mark_invalid": mark_invalid,
    "cancel": cancel,
    "start_processing": start_processing,
    "request_supplement": request_supplement,
    "answer_supplement": answer_supplement,
    "complete": complete,
    "return_result": return_result,
    "forward": forward,
    "send_to_co_agency": send_to_co_agency,
    "return_from_co_agency": return_from_co_agency,
    "submit_for_approval": submit_for_approval,
    "approve": approve,
    "return_for_rework": return_for_rework,
    "extend": extend,
    "issue_control_slip": issue_control_slip,
}


def perform(dossier: Dossier, actor: Actor, action: str, **kwargs) -> DossierEvent:
    """Take an action by name, for a caller that receives it as data (a
    back office form, an API): `perform(d, actor, "reject", reason=…)`.
    `submit` is `eforms.services.submit_dossier`."""
    if action not in ACTIONS:
        raise TransitionNotAllowed(_("Unknown action."))
    return ACTIONS[action](dossier, actor, **kwargs)


def as_validation_error(error: LifecycleError) -> ValidationError:
    """For forms: the requirement errors per field, or the message."""
    if error.errors:
        return ValidationError({k: [v] for k, v in error.errors.items()})
    return ValidationError(error.message)
