"""Making dossiers: drafts, submission, and the applicant's answer to a
supplement request.

The applying views and everything else that creates dossiers (the demo
loader, the benchmarks) call these functions; they never create a
`Dossier` or change its status themselves.

* `save_draft(...)` keeps what the applicant typed so far (status `draft`,
  no code).
* `submit_dossier(...)` turns a draft, or data given at once, into ONE
  submitted dossier: its code taken first, then ONE transaction for the
  snapshot of the applicant, form data and version, attachments, expected
  appointment and first event.
  A double click, a replayed request or a resubmitted draft returns the
  dossier already made (`SubmitResult.created` is False).
* `submit_at_desk(...)` makes a dossier brought to the desk or arriving
  by post: the same code and events, received at once by the receiver.
* `dossier_code(agency, moment)` takes the next code of the receiving unit
  for the day, in a short transaction of its own: call it before the
  submit transaction, so the unit's counter is never held while a
  submission or a receipt runs.

Listing and resuming drafts is `eforms.drafts`' work (`drafts_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from accounts.models import CitizenProfile, StaffRole
from accounts.services import has_role
from eforms import lifecycle
from eforms.models import Attachment, Channel, Dossier, DossierCodeCounter, DossierStatus, ResultDelivery
from eforms.supplements import overdue_supplements, supplement_changes, supplement_field
from eforms.uploads import CheckedFile, UploadRules, check_uploads, daily_quota_left, held_files, store
from procedures.calendar import add_processing_time
from procedures.models import Agency, ProcedurePage

#: The session key the sign-in code sets on every login (the accounts contract).
LOGIN_METHOD_SESSION_KEY = "portal_login_method"

__all__ = [
    "SubmissionError", "SubmitResult", "answer_supplement", "applicant_snapshot", "dossier_code",
    "overdue_supplements", "procedures_received_by", "receiving_agencies", "save_draft", "submit_at_desk",
    "submit_dossier", "supplement_changes", "supplement_field", "verified_account_for",
]


class SubmissionError(lifecycle.LifecycleError):
    """The dossier cannot be submitted as given (translated message)."""


@dataclass
class SubmitResult:
    dossier: Dossier
    created: bool


def login_method_from_request(request) -> str:
    """How the user signed in ("email" or a provider id), for `login_method`."""
    return str(request.session.get(LOGIN_METHOD_SESSION_KEY, ""))[:64]


def applicant_snapshot(user) -> dict:
    """The applicant as the profile says now: kept on the dossier because
    the profile may change later (`accounts.CitizenProfile`)."""
    profile = getattr(user, "profile", None) if user is not None else None
    snapshot = {"email": getattr(user, "email", "") or ""}
    if profile is not None:
        snapshot.update(
            full_name=profile.full_name,
            date_of_birth=profile.date_of_birth.isoformat() if profile.date_of_birth else "",
            id_number=profile.id_number,
            phone=profile.phone,
            province_code=profile.province_code,
            commune_code=profile.commune_code,
            street=profile.street,
            address=profile.address,
            verified_fields=list(profile.verified_fields or []),
            verified_by=profile.verified_by,
        )
    else:
        snapshot["full_name"] = user.get_full_name() if user is not None else ""
    return snapshot


def _default_locale_copy(obj):
    """Dossiers point at the default language's copy of a translatable
    agency or procedure, so counts and scoping never split by language."""
    try:
        default = Locale.get_default()
    except Locale.DoesNotExist:
        return obj
    if obj.locale_id in (None, default.pk):
        return obj
    return obj.get_translation_or_none(default) or obj


def receiving_agencies(procedure):
    """The agencies an applicant may choose to receive a dossier for
    `procedure`: its implementing agency and co-handling agencies, and for a
    commune-tier procedure every commune (the applicant's own is suggested
    by the applying page). Default-language copies."""
    keys = {procedure.agency.translation_key, *procedure.co_agencies.values_list("translation_key", flat=True)}
    agencies = Agency.objects.filter(translation_key__in=keys)
    if procedure.tier == "commune":
        agencies = agencies | Agency.objects.filter(tier="commune")
    return agencies.filter(locale=Locale.get_default()).distinct().order_by("name")


def dossier_code(agency, moment: dt.datetime) -> str:
    """The next code for `agency`'s unit on `moment`'s day (portal time zone),
    formatted by PORTAL_DOSSIER_CODE_PATTERN.

    The (unit, day) counter is moved by one UPDATE (`last_value + 1`, the
    database's own increment under its row lock) and read back in a
    transaction of its own, so the row is locked for two statements, not for
    the submission: call it before the transaction that makes the dossier
    (inside a caller's transaction it can only be a savepoint, and the row
    stays locked until that transaction ends). The number is taken for good:
    it is never reused, even if the dossier is not made (a gap in the
    day's sequence), so codes stay unique whatever happens afterwards."""
    day = timezone.localdate(moment)
    unit = agency.unit_code
    counter = DossierCodeCounter.objects.filter(unit_code=unit, day=day)
    with transaction.atomic():
        if not counter.update(last_value=F("last_value") + 1):
            # The unit's first dossier of the day (or two first ones at once).
            DossierCodeCounter.objects.bulk_create(
                [DossierCodeCounter(unit_code=unit, day=day, last_value=0)], ignore_conflicts=True
            )
            counter.update(last_value=F("last_value") + 1)
        value = counter.values_list("last_value", flat=True).get()
    return settings.PORTAL_DOSSIER_CODE_PATTERN.format(unit_code=unit, date=day, seq=value)


def _fill(dossier: Dossier, values: dict) -> None:
    for name, value in values.items():
        if value is not None:
            setattr(dossier, name, value)


def _applicant_index_fields(snapshot: dict) -> dict:
    dob = snapshot.get("date_of_birth") or None
    if isinstance(dob, str):
        try:
            dob = dt.date.fromisoformat(dob)
        except ValueError:
            dob = None
    return {
        "applicant_name": str(snapshot.get("full_name") or "")[:255],
        "applicant_id_number": str(snapshot.get("id_number") or "")[:20],
        "applicant_phone": str(snapshot.get("phone") or "")[:20],
        "applicant_date_of_birth": dob,
    }


def save_draft(
    *,
    procedure,
    applicant,
    form_data: dict | None = None,
    form_version=None,
    draft: Dossier | None = None,
    agency=None,
    **details,
) -> Dossier:
    """Create or update the applicant's draft. `details` may set channel,
    pickup_address, pickup_from, pickup_until, result_delivery,
    delivery_address, language and source (the referring site). A draft
    that was submitted meanwhile
    (another tab) is returned unchanged."""
    allowed = {"channel", "pickup_address", "pickup_from", "pickup_until", "result_delivery", "delivery_address",
               "language", "source"}
    unknown = set(details) - allowed
    if unknown:
        raise TypeError(f"save_draft() got unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        if draft is None:
            draft = Dossier(procedure=_default_locale_copy(procedure), applicant=applicant,
                            status=DossierStatus.DRAFT, language=translation.get_language() or "")
        else:
            draft = Dossier.objects.select_for_update().get(pk=draft.pk)
            if draft.applicant_id != getattr(applicant, "pk", None):
                raise lifecycle.ActorNotAllowed(_("This draft belongs to someone else."))
            if draft.status != DossierStatus.DRAFT:
                return draft
        _fill(draft, {"form_data": form_data, "form_version": form_version,
                      "agency": _default_locale_copy(agency) if agency is not None else None, **details})
        draft.save()
    return draft


def submit_dossier(
    *,
    procedure,
    agency,
    applicant,
    form_data: dict,
    idempotency_key: str,
    form_version=None,
    snapshot: dict | None = None,
    channel: str = Channel.ONLINE,
    pickup_address: str = "",
    pickup_from: dt.datetime | None = None,
    pickup_until: dt.datetime | None = None,
    result_delivery: str = ResultDelivery.OFFICE,
    delivery_address: str = "",
    login_method: str = "",
    language: str | None = None,
    attachments: Iterable[Attachment] = (),
    draft: Dossier | None = None,
    now: dt.datetime | None = None,
) -> SubmitResult:
    """Submit ONE dossier. The code is taken first, in its own short
    transaction (`dossier_code`); then everything else happens in one
    transaction: the dossier, its attachments (the applicant's draft
    uploads, linked), the expected appointment (as if received at the next
    working moment) and the first event. The procedure's use is counted once
    that transaction has committed, in a statement of its own: an UPDATE of
    the procedure's row inside it would make every submission of the
    procedure wait for the one before to commit.

    `idempotency_key` identifies this submission attempt (the applying page
    puts one in the form, or uses the draft's public id): the same key, or a
    draft already submitted, returns the existing dossier with
    `created=False`. Raises `SubmissionError` (translated) when the dossier
    cannot be submitted as given. A replay is recognised before a code is
    taken; two copies of one submission sent at the same moment may each
    take one, and the loser's number is a gap in the day's sequence.
    """
    key = (idempotency_key or "").strip()[:80]
    if not key:
        raise ValueError("submit_dossier needs an idempotency key")
    if applicant is None or not getattr(applicant, "is_authenticated", False) or not applicant.is_active:
        raise SubmissionError(_("Sign in to submit a dossier."))
    if procedure.level < 3:
        raise SubmissionError(_("This procedure cannot be submitted online; print the form and bring it along."))
    if agency is None:
        raise SubmissionError(_("Choose the agency that will receive the dossier."), {"agency": ""})
    agency = _default_locale_copy(agency)
    procedure = _default_locale_copy(procedure)
    if not receiving_agencies(procedure).filter(pk=agency.pk).exists():
        message = _("This agency does not receive dossiers for this procedure.")
        raise SubmissionError(message, {"agency": str(message)})
    if channel not in Channel.values or result_delivery not in ResultDelivery.values:
        raise ValueError("unknown channel or result delivery")
    if channel == Channel.HOME_SERVICE and not pickup_address.strip():
        message = _("Give the address where the post should collect the documents.")
        raise SubmissionError(message, {"pickup_address": str(message)})
    if result_delivery == ResultDelivery.POST and not delivery_address.strip():
        message = _("Give the address the result should be posted to.")
        raise SubmissionError(message, {"delivery_address": str(message)})
    attachments = list(attachments)
    now = now or timezone.now()
    made = _submitted_already(key, draft, applicant)
    if made is not None:
        return SubmitResult(made, False)
    code = dossier_code(agency, now)

    try:
        with transaction.atomic():
            if draft is not None:
                draft = Dossier.objects.select_for_update().get(pk=draft.pk)
                if draft.applicant_id != applicant.pk:
                    raise lifecycle.ActorNotAllowed(_("This draft belongs to someone else."))
                if draft.status != DossierStatus.DRAFT:
                    return SubmitResult(draft, False)
            existing = Dossier.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return SubmitResult(_owned(existing, applicant), False)
            dossier = _create(
                draft=draft, procedure=procedure, agency=agency, applicant=applicant, key=key, code=code,
                values={
                    "form_data": form_data,
                    "form_version": form_version,
                    "applicant_snapshot": snapshot if snapshot is not None else applicant_snapshot(applicant),
                    "channel": channel,
                    "pickup_address": pickup_address.strip(),
                    "pickup_from": pickup_from,
                    "pickup_until": pickup_until,
                    "result_delivery": result_delivery,
                    "delivery_address": delivery_address.strip(),
                    "login_method": (login_method or "")[:64],
                    "language": language or translation.get_language() or "",
                },
                attachments=attachments,
                now=now,
            )
    except IntegrityError:
        # Another request with the same key won the race and committed first.
        existing = Dossier.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return SubmitResult(_owned(existing, applicant), False)
    procedure.record_use()
    return SubmitResult(dossier, True)


def _submitted_already(key: str, draft: Dossier | None, applicant) -> Dossier | None:
    """The dossier this attempt already made (the same key, or the draft
    submitted meanwhile), read without a lock so that a replay takes no
    code; the submit transaction asks again under the draft's lock."""
    if draft is not None:
        current = Dossier.objects.filter(pk=draft.pk).first()
        if current is not None:
            if current.applicant_id != applicant.pk:
                raise lifecycle.ActorNotAllowed(_("This draft belongs to someone else."))
            if current.status != DossierStatus.DRAFT:
                return current
    existing = Dossier.objects.filter(idempotency_key=key).first()
    return _owned(existing, applicant) if existing is not None else None


def _owned(dossier: Dossier, applicant) -> Dossier:
    if dossier.applicant_id != applicant.pk:
        raise lifecycle.ActorNotAllowed(_("This submission belongs to someone else."))
    return dossier


def _create(*, draft, procedure, agency, applicant, key, code, values, attachments, now) -> Dossier:
    dossier = draft or Dossier(procedure=procedure, applicant=applicant, status=DossierStatus.DRAFT)
    lifecycle.check(dossier, lifecycle.Actor.applicant(applicant), "submit")
    dossier.procedure = procedure
    dossier.agency = agency
    _fill(dossier, values)
    _fill(dossier, _applicant_index_fields(dossier.applicant_snapshot))
    dossier.idempotency_key = key
    dossier.submitted_at = now
    if procedure.processing_time is not None:
        dossier.expected_appointment_at = add_processing_time(now, procedure.processing_time,
                                                              procedure.processing_unit)
    dossier.code = code
    lifecycle.record(dossier, lifecycle.Actor.applicant(applicant), "submit", DossierStatus.SUBMITTED, now=now,
                     from_status=DossierStatus.DRAFT,
                     data={"expected_appointment_at": dossier.expected_appointment_at.isoformat()
                           if dossier.expected_appointment_at else None})
    _attach(dossier, applicant, attachments)
    return dossier


def _attach(dossier: Dossier, applicant, attachments: list[Attachment]) -> None:
    """Link the applicant's draft uploads, and enforce the dossier's limits
    once more over everything it now holds."""
    ids = [a.pk for a in attachments]
    if ids:
        mine = Attachment.objects.filter(pk__in=ids, uploaded_by=applicant, event__isnull=True).filter(
            dossier__isnull=True
        ) | Attachment.objects.filter(pk__in=ids, uploaded_by=applicant, dossier=dossier)
        if mine.count() != len(set(ids)):
            raise SubmissionError(_("One of the files is not yours or no longer exists; upload it again."))
        Attachment.objects.filter(pk__in=ids).update(dossier=dossier)
    count = dossier.attachments.count()
    total = sum(dossier.attachments.values_list("size", flat=True))
    if count > settings.PORTAL_UPLOAD_MAX_FILES_PER_DOSSIER or total > settings.PORTAL_UPLOAD_MAX_DOSSIER_SIZE:
        raise SubmissionError(_("The dossier has more files, or larger files, than allowed; remove some."))



def answer_supplement(dossier: Dossier, user, uploads, note: str) -> dict[str, list[str]]:
    """The applicant answers a supplement request online: check the files
    against the dossier's limits and the daily quota, then hand them to the
    lifecycle. `uploads` is a list of files (one field, "files"), or the
    files per field: `supplement_field(i)` for the request's item i and
    "files" for anything else. Returns the errors per field (empty when the
    dossier went back to the agency), so the page can show them at the file
    input."""
    if not isinstance(uploads, Mapping):
        uploads = {"files": uploads}
    uploads = {name: [f for f in files if f is not None] for name, files in uploads.items()}
    if not any(uploads.values()):
        return {"files": [str(_("Attach the documents that were asked for."))]}
    per_field, total = held_files(dossier)
    check = check_uploads(uploads, UploadRules.default(),
                          existing={"": sum(per_field.values())}, existing_size=total,
                          quota_left=daily_quota_left(user))
    if not check.ok:
        return check.errors
    try:
        lifecycle.answer_supplement(dossier, lifecycle.Actor.applicant(user), check.accepted, note=note)
    except lifecycle.LifecycleError as exc:
        return {"files": [exc.errors.get("files") or exc.message]}
    return {}


# ---------------------------------------------------------------- at the desk and by post


def procedures_received_by(agency):
    """The live procedures whose dossiers `agency` may receive: the inverse
    of `receiving_agencies` (implementing or co-handling agency; every
    commune for a commune-tier procedure). Default-language copies."""
    agency = _default_locale_copy(agency)
    same = Agency.objects.filter(translation_key=agency.translation_key)
    condition = Q(agency__in=same) | Q(co_agencies__in=same)
    if agency.tier == "commune":
        condition |= Q(tier="commune")
    return (ProcedurePage.objects.live().filter(locale=Locale.get_default()).filter(condition)
            .distinct().order_by("title"))


def verified_account_for(id_number: str):
    """The account whose identity provider verified this ID number, if any."""
    id_number = (id_number or "").strip()
    if not id_number:
        return None
    for profile in CitizenProfile.objects.filter(id_number=id_number).select_related("user"):
        if profile.is_verified("id_number") and profile.user.is_active:
            return profile.user
    return None


DESK_CHANNELS = (Channel.DESK, Channel.POST)


def submit_at_desk(
    *,
    procedure,
    agency,
    receiver,
    snapshot: dict,
    scans: Iterable[CheckedFile],
    idempotency_key: str,
    channel: str = Channel.DESK,
    answers: dict | None = None,
    form_version=None,
    result_delivery: str = ResultDelivery.OFFICE,
    delivery_address: str = "",
    language: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> SubmitResult:
    """A dossier brought to the desk or arriving by post, entered by a
    receiver of `agency` for an applicant who may have no account: the same
    code and the same lifecycle as an online one. The code is taken first
    (`dossier_code`, its own short transaction); then in ONE transaction it
    is made `submitted` (the snapshot, the e-form `answers` if any,
    the scanned papers, checked beforehand by `eforms.uploads.check_uploads`)
    and at once received by the receiver (`lifecycle.receive`), so the
    appointment counts from now. The applicant is never linked to an
    account here (`applicant` stays None), even one with the same verified
    ID number: the receiver cannot prove at the desk that the person in
    front of them owns that account. A repeated `idempotency_key` returns
    the dossier already made. The procedure's use is counted after the
    commit, as in `submit_dossier`."""
    key = (idempotency_key or "").strip()[:80]
    if not key:
        raise ValueError("submit_at_desk needs an idempotency key")
    if channel not in DESK_CHANNELS or result_delivery not in ResultDelivery.values:
        raise ValueError("unknown channel or result delivery")
    if agency is None:
        raise SubmissionError(_("Choose the agency that will receive the dossier."), {"agency": ""})
    agency = _default_locale_copy(agency)
    procedure = _default_locale_copy(procedure)
    if not (getattr(receiver, "is_superuser", False) or has_role(receiver, agency, StaffRole.RECEIVER)):
        raise lifecycle.ActorNotAllowed(_("Only a receiver of this agency may enter a dossier for it."))
    if not receiving_agencies(procedure).filter(pk=agency.pk).exists():
        message = _("This agency does not receive dossiers for this procedure.")
        raise SubmissionError(message, {"procedure": str(message)})
    if result_delivery == ResultDelivery.POST and not delivery_address.strip():
        message = _("Give the address the result should be posted to.")
        raise SubmissionError(message, {"delivery_address": str(message)})
    scans = list(scans)
    if not scans:
        message = _("Attach the scanned papers of the dossier.")
        raise SubmissionError(message, {"scans": str(message)})
    snapshot = {**snapshot, "sms_consent": bool(snapshot.get("sms_consent")) and bool(snapshot.get("phone"))}
    form_data = {"answers": dict(answers)} if answers else {}
    actor = lifecycle.Actor.staff(receiver)
    now = now or timezone.now()
    existing = Dossier.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return SubmitResult(_entered_by(existing, agency), False)
    code = dossier_code(agency, now)
    try:
        with transaction.atomic():
            existing = Dossier.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return SubmitResult(_entered_by(existing, agency), False)
            dossier = Dossier(procedure=procedure, agency=agency, applicant=None, status=DossierStatus.DRAFT)
            _fill(dossier, {
                "form_data": form_data, "form_version": form_version if answers else None,
                "applicant_snapshot": snapshot, "channel": channel, "result_delivery": result_delivery,
                "delivery_address": delivery_address.strip(), "login_method": "",
                "language": language or translation.get_language() or "",
            })
            _fill(dossier, _applicant_index_fields(snapshot))
            dossier.idempotency_key = key
            dossier.submitted_at = now
            dossier.code = code
            event = lifecycle.record(dossier, actor, "submit", DossierStatus.SUBMITTED, now=now,
                                     from_status=DossierStatus.DRAFT, note=note.strip(),
                                     data={"channel": channel})
            for checked in scans:
                store(checked, uploaded_by=receiver, dossier=dossier, event=event)
            lifecycle.receive(dossier, actor, now=now)
    except IntegrityError:
        existing = Dossier.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return SubmitResult(existing, False)
    procedure.record_use()
    return SubmitResult(dossier, True)


def _entered_by(existing: Dossier, agency) -> Dossier:
    if existing.agency_id != agency.pk:
        raise lifecycle.ActorNotAllowed(_("This submission belongs to someone else."))
    return existing
