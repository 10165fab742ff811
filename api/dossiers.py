"""The agency's dossiers through the API: the change feed, one dossier,
acknowledging receipt, every lifecycle action the agency's staff can take,
result and supplement files, and the signed downloads.

A client sees its own agency's dossiers only (any locale copy of it);
everything else, whatever exists, is a 404. Every status change goes
through `eforms.lifecycle.perform` with `Actor.api_client`, so the same
checks apply as in the back office. Every write is idempotent
(`api.idempotency`).
"""

from __future__ import annotations

import uuid
from typing import Literal

from django.db.models import Max, Q
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router
from ninja.files import UploadedFile
from wagtail.log_actions import log

from accounts.models import StaffMembership, StaffRole, User
from core.client import client_ip
from eforms import lifecycle, record, scanning
from eforms.extensions import step_label
from eforms.file_kinds import UploadRules
from eforms.models import (
    Attachment,
    AttachmentRole,
    Dossier,
    DossierEvent,
    DossierStatus,
    IssuedDocument,
    ScanStatus,
)
from eforms.uploads import check_uploads, held_files, store
from eforms.views.files import DOWNLOAD_LOG_ACTION
from procedures.models import Agency

from . import changes, idempotency, links
from .auth import READ, WRITE
from .models import Acknowledgement, ApiClient, ApiUpload, UploadPurpose
from .problems import Problem, not_found
from .schemas import (
    AcknowledgeIn,
    AcknowledgementOut,
    ActionIn,
    ActionOut,
    ChangesPage,
    DossierDetail,
    UploadOut,
)

router = Router(tags=["dossiers"])

CODE = Path(..., max_length=64, pattern=r"^[0-9A-Za-z.\-]+$", description="The dossier code.")

#: The actions an API client can take, and the fields each one accepts.
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "receive": ("note", "at"),
    "reject": ("reason", "at"),
    "mark_invalid": ("reason", "at"),
    "cancel": ("reason", "at"),
    "start_processing": ("assignee", "note", "at"),
    "request_supplement": ("items", "deadline", "note", "at"),
    "answer_supplement": ("files", "note", "at"),
    "complete": ("result", "files", "at"),
    "return_result": ("note", "handover_method", "courier", "tracking_number", "at"),
    "forward": ("assignee", "note", "at"),
    "send_to_co_agency": ("co_agency", "note", "at"),
    "return_from_co_agency": ("note", "at"),
    "submit_for_approval": ("note", "at"),
    "approve": ("note", "at"),
    "return_for_rework": ("reason", "at"),
    "extend": ("reason", "appointment", "at"),
    "issue_control_slip": ("at",),
}
#: What an action needs even when the client sent nothing (the lifecycle then says what is missing).
REQUIRED_DEFAULTS = {
    "reject": {"reason": ""}, "mark_invalid": {"reason": ""}, "cancel": {"reason": ""},
    "request_supplement": {"items": []}, "answer_supplement": {"files": []}, "complete": {"result": ""},
    "forward": {"assignee": None}, "send_to_co_agency": {"co_agency": None}, "return_for_rework": {"reason": ""},
    "extend": {"reason": "", "appointment": None},
}
ActionName = Literal[
    "receive", "reject", "mark_invalid", "cancel", "start_processing", "request_supplement", "answer_supplement",
    "complete", "return_result", "forward", "send_to_co_agency", "return_from_co_agency", "submit_for_approval",
    "approve", "return_for_rework", "extend", "issue_control_slip",
]
assert set(ActionName.__args__) == set(ACTION_FIELDS) <= set(lifecycle.ACTIONS)


# ---------------------------------------------------------------- scope


def agency_ids(client: ApiClient) -> list[int]:
    """Every locale copy of the client's agency."""
    return list(Agency.objects.filter(translation_key=client.agency.translation_key).values_list("pk", flat=True))


def visible(client: ApiClient):
    return Dossier.objects.exclude(status=DossierStatus.DRAFT).filter(agency_id__in=agency_ids(client))


def dossier_of(client: ApiClient, code: str) -> Dossier:
    found = visible(client).select_related("procedure", "agency").filter(code=code).first()
    if found is None:
        raise not_found()
    return found


def actor(client: ApiClient) -> lifecycle.Actor:
    return lifecycle.Actor.api_client(client.name, client.agency)


# ---------------------------------------------------------------- what is shown


def _named(code: str, name: str) -> dict:
    return {"code": code or "", "name": name or ""}


def summary(dossier: Dossier) -> dict:
    agency = dossier.agency
    return {
        "code": dossier.code,
        "status": dossier.status,
        "status_label": str(dossier.status_label),
        "procedure": _named(dossier.procedure.code, dossier.procedure.title),
        "agency": _named(agency.unit_code if agency else "", agency.name if agency else ""),
        "channel": dossier.channel,
        "applicant_name": dossier.applicant_name,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "appointment_at": dossier.appointment_at,
        "updated_at": dossier.updated_at,
    }


def event_label(event: DossierEvent) -> str:
    transition = lifecycle.TRANSITIONS.get(event.action)
    if transition is not None:
        return str(transition.label)
    if event.action == lifecycle.SUPPLEMENT_OVERDUE:
        return _("Supplement deadline passed")
    if event.action == "issue_document":
        return event.note
    return str(step_label(event.action) or event.action)


def event_out(event: DossierEvent) -> dict:
    return {
        "id": event.pk, "at": event.created_at, "action": event.action, "label": event_label(event),
        "internal": event.action in lifecycle.INTERNAL_ACTIONS or event.action == "issue_document"
        and (event.data or {}).get("kind") == "06",
        "actor_kind": event.actor_kind, "actor": event.actor_label, "from_status": event.from_status,
        "to_status": event.to_status, "note": event.note, "data": event.data or {},
    }


def file_out(request, client: ApiClient, attachment: Attachment) -> dict:
    url, expires = links.make(request, client, links.ATTACHMENT, attachment.public_id)
    return {
        "id": str(attachment.public_id), "name": attachment.download_name, "role": attachment.role,
        "field_name": attachment.field_name, "kind": attachment.kind, "content_type": attachment.content_type,
        "size": attachment.size, "sha256": attachment.sha256, "scan_status": attachment.scan_status,
        "uploaded_at": attachment.created_at, "download_url": url, "download_expires_at": expires,
    }


def document_out(request, client: ApiClient, document: IssuedDocument) -> dict:
    url, expires = links.make(request, client, links.DOCUMENT, document.pk)
    return {
        "number": document.number, "form": document.kind, "title": str(document.get_kind_display()),
        "issued_at": document.issued_at, "issued_by": document.issued_by_label, "sha256": document.sha256,
        "download_url": url, "download_expires_at": expires,
    }


def detail(request, client: ApiClient, dossier: Dossier) -> dict:
    snapshot = dossier.applicant_snapshot or {}
    co_agency = dossier.co_handling_agency
    handler = dossier.assigned_to
    supplement = None
    if dossier.status == DossierStatus.NEEDS_SUPPLEMENT or dossier.supplement_items:
        supplement = {"items": list(dossier.supplement_items or []), "deadline": dossier.supplement_deadline,
                      "requested_at": dossier.supplement_requested_at}
    return {
        **summary(dossier),
        "language": dossier.language,
        "result_delivery": dossier.result_delivery,
        "delivery_address": dossier.delivery_address,
        "pickup_address": dossier.pickup_address,
        "expected_appointment_at": dossier.expected_appointment_at,
        "completed_at": dossier.completed_at,
        "returned_at": dossier.returned_at,
        "closed_at": dossier.closed_at,
        "handler": (handler.get_full_name() or handler.get_username()) if handler else "",
        "co_handling_agency": _named(co_agency.unit_code, co_agency.name) if co_agency else None,
        "awaiting_approval": dossier.approval_requested_at is not None,
        "supplement": supplement,
        "result": dossier.result,
        # The agency's own software handles the dossier: it gets the applicant whole, as staff's exports do.
        "applicant": {
            "full_name": snapshot.get("full_name") or dossier.applicant_name,
            "id_number": snapshot.get("id_number") or dossier.applicant_id_number,
            "date_of_birth": dossier.applicant_date_of_birth,
            "phone": snapshot.get("phone") or dossier.applicant_phone,
            "email": snapshot.get("email") or "",
            "address": snapshot.get("address") or "",
        },
        "form": [{"label": row.label, "value": row.value} for row in record.data_rows(dossier)],
        "form_data": dossier.form_data or {},
        "files": [file_out(request, client, a) for a in dossier.attachments.order_by("created_at", "pk")],
        "documents": [document_out(request, client, d) for d in dossier.documents.order_by("issued_at", "pk")],
        "history": [event_out(e) for e in dossier.events.order_by("created_at", "pk")],
        "acknowledgements": [
            {"client": a.client.name, "at": a.at, "reference": a.reference}
            for a in dossier.api_acknowledgements.select_related("client").order_by("at", "pk")
        ],
        "allowed_actions": [t.name for t in lifecycle.allowed_actions(dossier, actor(client))
                            if t.name in ACTION_FIELDS],
    }


def json_response(request, schema, data: dict, status: int = 200) -> HttpResponse:
    """A validated answer, rendered now (writes store it for replays)."""
    from .api import api

    return api.create_response(request, schema.model_validate(data).model_dump(), status=status)


# ---------------------------------------------------------------- the feed and one dossier


@router.get("/dossiers", response=ChangesPage, auth=READ, url_name="api_dossiers",
            summary="New and changed dossiers, oldest change first")
def list_changes(request, cursor: Query[str | None] = None, limit: Query[int] = 100):
    """The agency's dossiers in the order they were submitted or last
    changed, after `cursor` (from the start without one). Nothing is
    skipped or repeated under concurrent writes: a dossier appears again
    only when it changed again (README, "API")."""
    if not 1 <= limit <= 500:
        raise Problem(422, _("Invalid input"), _("limit must be between 1 and 500."), kind="validation",
                      errors=[{"loc": ["query", "limit"], "type": "range", "msg": "1..500"}])
    try:
        position = changes.Cursor.decode(cursor) if cursor else None
    except changes.BadCursor:
        raise Problem(400, _("Invalid cursor"), _("Send back a next_cursor exactly as the API gave it."),
                      kind="invalid-cursor")
    page = changes.read(agency_ids(request.auth), position, limit)
    return {"items": [summary(d) for d in page.dossiers], "next_cursor": page.cursor.encode(),
            "has_more": page.has_more}


@router.get("/dossiers/{code}", response=DossierDetail, auth=READ, url_name="api_dossier",
            summary="One dossier: answers, files, documents, history")
def read_dossier(request, code: str = CODE):
    client = request.auth
    return detail(request, client, dossier_of(client, code))


# ---------------------------------------------------------------- writes


@router.post("/dossiers/{code}/acknowledge", response={200: AcknowledgementOut}, auth=WRITE,
             url_name="api_dossier_acknowledge", summary="Say the client's software has taken the dossier in")
def acknowledge(request, body: AcknowledgeIn, code: str = CODE):
    client = request.auth

    def work():
        dossier = dossier_of(client, code)
        ack, _created = Acknowledgement.objects.get_or_create(client=client, dossier=dossier,
                                                             defaults={"reference": body.reference})
        return json_response(request, AcknowledgementOut,
                             {"client": client.name, "at": ack.at, "reference": ack.reference})

    return idempotency.run(request, client, work)


def _lifecycle_problem(error: lifecycle.LifecycleError, dossier: Dossier, client: ApiClient) -> Problem:
    if isinstance(error, lifecycle.RequirementMissing):
        return Problem(422, _("The action needs more"), error.message, kind="action-requirements",
                       errors=[{"loc": ["body", name], "type": "lifecycle", "msg": message}
                               for name, message in error.errors.items()])
    dossier.refresh_from_db()
    return Problem(409, _("Action refused"), error.message, kind="action-refused", status_code=dossier.status,
                   allowed_actions=[t.name for t in lifecycle.allowed_actions(dossier, actor(client))
                                    if t.name in ACTION_FIELDS])


def _field_problem(name: str, message: str) -> Problem:
    return Problem(422, _("The action needs more"), message, kind="action-requirements",
                   errors=[{"loc": ["body", name], "type": "lifecycle", "msg": message}])


def _staff_member(dossier: Dossier, value: str) -> User | None:
    members = StaffMembership.objects.filter(agency__translation_key=dossier.agency.translation_key,
                                             role__in=(StaffRole.HANDLER, StaffRole.LEADER)).values("user")
    return User.objects.filter(Q(email__iexact=value) | Q(username=value), is_active=True, pk__in=members).first()


def _uploads(client: ApiClient, dossier: Dossier, ids: list[str], purpose: str) -> list[Attachment]:
    wanted = []
    for value in ids:
        try:
            wanted.append(uuid.UUID(value))
        except ValueError:
            raise _field_problem("files", _("Unknown file id: %(id)s.") % {"id": value})
    uploads = ApiUpload.objects.select_related("attachment").filter(
        client__agency__translation_key=client.agency.translation_key, dossier=dossier, purpose=purpose,
        attachment__public_id__in=wanted, attachment__event__isnull=True)
    found = {u.attachment.public_id: u.attachment for u in uploads}
    missing = [str(w) for w in wanted if w not in found]
    if missing:
        raise _field_problem("files", _("Unknown file id: %(id)s.") % {"id": ", ".join(missing)})
    return [found[w] for w in wanted]


def _kwargs(client: ApiClient, dossier: Dossier, action: str, body: ActionIn) -> dict:
    given = body.model_dump(exclude_none=True)
    unexpected = sorted(set(given) - set(ACTION_FIELDS[action]))
    if unexpected:
        raise Problem(422, _("Invalid input"), _("“%(action)s” does not take: %(fields)s.") % {
            "action": action, "fields": ", ".join(unexpected)}, kind="validation",
            errors=[{"loc": ["body", name], "type": "extra_forbidden", "msg": "not taken by this action"}
                    for name in unexpected])
    kwargs = {**REQUIRED_DEFAULTS.get(action, {}), **given}
    if "at" in kwargs:
        kwargs["now"] = kwargs.pop("at")
    if kwargs.get("assignee"):
        user = _staff_member(dossier, kwargs["assignee"])
        if user is None:
            raise _field_problem("assignee", _("The handler must be a handler or leader of the receiving agency."))
        kwargs["assignee"] = user
    if kwargs.get("co_agency"):
        kwargs["co_agency"] = Agency.objects.filter(unit_code=kwargs["co_agency"],
                                                    locale_id=dossier.agency.locale_id).first()
    if action in ("complete", "answer_supplement") and kwargs.get("files"):
        purpose = UploadPurpose.RESULT if action == "complete" else UploadPurpose.SUPPLEMENT
        kwargs["files"] = _uploads(client, dossier, kwargs["files"], purpose)
    return kwargs


@router.post("/dossiers/{code}/actions/{action}", response={200: ActionOut}, auth=WRITE, url_name="api_dossier_action",
             summary="Take a lifecycle action, as the agency's staff would")
def take_action(request, action: ActionName, body: ActionIn, code: str = CODE):
    """Through `eforms.lifecycle`, with the same checks as the back office:
    a refused action is a 409 with the lifecycle's message, a missing
    requirement a 422 naming the field."""
    client = request.auth

    def work():
        dossier = dossier_of(client, code)
        kwargs = _kwargs(client, dossier, action, body)
        before = dossier.events.aggregate(last=Max("pk"))["last"] or 0
        try:
            event = lifecycle.perform(dossier, actor(client), action, **kwargs)
        except lifecycle.LifecycleError as error:
            raise _lifecycle_problem(error, dossier, client)
        issued = IssuedDocument.objects.filter(dossier=dossier, event_id__gt=before).order_by("pk")
        return json_response(request, ActionOut, {
            "event": event_out(event), "dossier": summary(dossier),
            "documents": [document_out(request, client, d) for d in issued]})

    return idempotency.run(request, client, work)


@router.post("/dossiers/{code}/files", response={201: UploadOut}, auth=WRITE, url_name="api_dossier_upload",
             summary="Upload a result file, or a supplement handed in at the desk")
def upload_file(request, purpose: Form[Literal["result", "supplement"]], file: File[UploadedFile],
                code: str = CODE):
    """The file is checked by content as every upload is (type, structure,
    size, virus scan) and waits for the action that uses it: its `id` goes
    in `files` of `complete` (result) or `answer_supplement` (supplement)."""
    client = request.auth

    def work():
        dossier = dossier_of(client, code)
        needed = "complete" if purpose == UploadPurpose.RESULT else "answer_supplement"
        try:
            lifecycle.check(dossier, actor(client), needed)
        except lifecycle.LifecycleError as error:
            raise _lifecycle_problem(error, dossier, client)
        per_field, total = held_files(dossier)
        checked = check_uploads({"file": [file]}, UploadRules.default(), existing={"": sum(per_field.values())},
                                existing_size=total)
        if not checked.ok:
            messages = [m for ms in checked.errors.values() for m in ms]
            raise Problem(422, _("File refused"), " ".join(messages), kind="file-refused",
                          errors=[{"loc": ["body", "file"], "type": "file", "msg": m} for m in messages])
        accepted = checked.accepted[0]
        if purpose == UploadPurpose.RESULT:
            attachment = store(accepted, dossier=dossier, role=AttachmentRole.RESULT)
        else:
            attachment = store(accepted)
        ApiUpload.objects.create(client=client, dossier=dossier, attachment=attachment, purpose=purpose)
        return json_response(request, UploadOut, {
            "id": str(attachment.public_id), "name": attachment.original_name, "kind": attachment.kind,
            "size": attachment.size, "sha256": attachment.sha256, "purpose": purpose}, status=201)

    return idempotency.run(request, client, work)


# ---------------------------------------------------------------- downloads


@router.get("/files/{token}", auth=READ, url_name="api_file_download", summary="Download a file by its signed link",
            response={200: None})
def download(request, token: str = Path(..., max_length=500)):
    client = request.auth
    try:
        value = links.read(token)
    except links.LinkExpired:
        raise Problem(410, _("Link expired"), _("Download links are short-lived: read the dossier again for a new "
                                               "one."), kind="link-expired")
    except links.BadLink:
        raise not_found()
    if value["c"] != client.pk:
        raise not_found()
    dossiers = visible(client)
    if value["k"] == links.DOCUMENT:
        if not value["i"].isdigit():
            raise not_found()
        document = IssuedDocument.objects.filter(pk=int(value["i"]), dossier__in=dossiers).first()
        if document is None:
            raise not_found()
        handle, name, content_type = document.file.open("rb"), document.filename, "application/pdf"
    else:
        try:
            public_id = uuid.UUID(value["i"])
        except ValueError:
            raise not_found()
        attachment = (Attachment.objects.select_related("dossier").filter(public_id=public_id)
                      .filter(Q(dossier__in=dossiers) | Q(api_upload__dossier__in=dossiers)).first())
        if attachment is None:
            raise not_found()
        infected = attachment.scan_status == ScanStatus.INFECTED
        if infected or (scanning.enabled() and attachment.scan_status != ScanStatus.CLEAN):
            raise Problem(403, _("File not released"),
                          _("A virus was found in this file.") if infected
                          else _("This file has not been found clean by the virus scanner yet; try again later."),
                          kind="file-not-scanned")
        handle, name, content_type = attachment.file.open("rb"), attachment.download_name, attachment.content_type
        if attachment.dossier_id is not None:
            log(instance=attachment, action=DOWNLOAD_LOG_ACTION,
                title=f"{attachment.dossier.code} / {attachment.field_name or attachment.pk}",
                data={"dossier": attachment.dossier.code, "attachment": str(attachment.public_id),
                      "sha256": attachment.sha256, "ip": client_ip(request), "api_client": client.name})
    answer = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    answer["X-Content-Type-Options"] = "nosniff"
    answer["Content-Security-Policy"] = "default-src 'none'; sandbox"
    answer["Cache-Control"] = "private, no-store"
    return answer

