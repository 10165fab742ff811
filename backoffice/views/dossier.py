"""The dossier screen: everything about one dossier for the agency's staff,
and the actions the lifecycle allows them now, as plain POST forms.

Every URL finds the dossier in `backoffice.scope.visible_dossiers(user)`
(404 otherwise). Each action goes through `eforms.lifecycle`, whose row
lock and status check decide between two staff acting at once; the one
refused is told why and who changed the dossier, and when."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from wagtail.log_actions import log

from backoffice.documents import documents_context
from backoffice.forms import FORMS, action_form, pending_results
from backoffice.scope import visible_dossiers
from core.client import client_ip
from eforms import extensions, lifecycle, scanning
from eforms.access import STAFF
from eforms.file_kinds import UploadRules
from eforms.models import Attachment, AttachmentRole, Dossier, DossierStatus
from eforms.record import applicant_rows, data_rows, submission_rows
from eforms.services import supplement_changes
from eforms.uploads import check_file, check_uploads, daily_quota_left, held_files, store
from notifications.dossier import messages_for
from procedures.calendar import processing_time_between

PREVIEW_LOG_ACTION = "backoffice.attachment_preview"
#: Kinds a browser shows inline by itself.
PREVIEWABLE = frozenset({"pdf", "jpeg", "png"})


def scoped_dossier(request, pk: int) -> Dossier:
    return get_object_or_404(
        visible_dossiers(request.user).select_related(
            "procedure", "agency", "assigned_to", "co_handling_agency"),
        pk=pk,
    )


def time_left(dossier: Dossier, now=None) -> dict | None:
    """The processing time left before the appointment, in the procedure's
    unit; while a supplement is awaited the clock stands still at what was
    left when it was requested (the lifecycle moves the appointment when the
    answer comes)."""
    if dossier.is_final or dossier.status == DossierStatus.COMPLETED or dossier.appointment_at is None:
        return None
    unit = dossier.procedure.processing_unit
    if dossier.status == DossierStatus.NEEDS_SUPPLEMENT and dossier.supplement_remaining is not None:
        return {"amount": dossier.supplement_remaining, "paused": True, "overdue": False}
    amount = processing_time_between(now or timezone.now(), dossier.appointment_at, unit)
    return {"amount": amount, "paused": False, "overdue": amount <= 0}


def latest_event(dossier: Dossier):
    return dossier.events.select_related("actor_user").order_by("-created_at", "-pk").first()


def changed_by(dossier: Dossier, seen) -> str:
    """"Changed by X at T" when the dossier moved since the page was shown."""
    event = latest_event(dossier)
    if event is None or (seen not in (None, "") and str(event.pk) == str(seen)):
        return ""
    return _("This dossier was changed by %(actor)s at %(time)s (%(action)s).") % {
        "actor": event.actor_label or event.get_actor_kind_display(),
        "time": timezone.localtime(event.created_at).strftime("%H:%M %d/%m/%Y"),
        "action": action_label(event.action),
    }


def action_label(action: str) -> str:
    transition = lifecycle.TRANSITIONS.get(action)
    if transition:
        return str(transition.label)
    label = extensions.step_label(action)
    return str(label) if label else action


def screen_context(request, dossier: Dossier, failed=None, problem: str = "") -> dict:
    actor = lifecycle.Actor.staff(request.user)
    events = list(dossier.events.select_related("actor_user").prefetch_related("attachments")
                  .order_by("created_at", "pk"))
    newest = events[-1].pk if events else None
    forms = []
    for transition in lifecycle.allowed_actions(dossier, actor):
        if transition.name not in FORMS:
            continue
        if failed is not None and failed.prefix == transition.name:
            form = failed
        else:
            form = action_form(transition.name, dossier)
            form.initial["seen"] = newest
        forms.append({"transition": transition, "form": form})
    if failed is not None and not any(f["form"] is failed for f in forms):
        forms.insert(0, {"transition": lifecycle.TRANSITIONS[failed.prefix], "form": failed})
    attachments = list(dossier.attachments.select_related("event").all())
    return {
        "dossier": dossier,
        "page_title": _("Dossier %(code)s") % {"code": dossier},
        "page_subtitle": dossier.procedure.title,
        "roles": sorted(str(r) for r in lifecycle.staff_roles(request.user, dossier)
                        | lifecycle.co_handling_roles(request.user, dossier)),
        "applicant": applicant_rows(dossier),
        "data": data_rows(dossier),
        "submission": submission_rows(dossier),
        "documents": [a for a in attachments if a.role != AttachmentRole.RESULT],
        "results": [a for a in attachments if a.role == AttachmentRole.RESULT],
        "previewable": PREVIEWABLE,
        "events": [{"event": e, "label": action_label(e.action),
                    "internal": e.action in lifecycle.INTERNAL_ACTIONS} for e in events],
        "time_left": time_left(dossier),
        "messages_sent": list(messages_for(dossier)),
        "issued": documents_context(dossier, request.user),
        "supplement_changes": supplement_changes(dossier) if dossier.supplement_requested_at else [],
        "forms": forms,
        "sections": extensions.sections("staff", request, dossier),
        "failed": failed,
        "problem": problem,
    }


@require_safe
def dossier_screen(request, pk: int):
    dossier = scoped_dossier(request, pk)
    return render(request, "backoffice/dossier.html", screen_context(request, dossier))


def _files_and_errors(request, form, dossier: Dossier) -> tuple[list, list[str]]:
    """Check the uploaded files one by one: the good ones go on, each bad
    one gets its message."""
    prefix = form.prefix
    uploads = request.FILES.getlist(f"{prefix}-files")
    if form.prefix == "answer_supplement":
        per_field, total = held_files(dossier)
        check = check_uploads({"files": uploads}, UploadRules.default(required=True),
                              existing={"": sum(per_field.values())}, existing_size=total,
                              quota_left=daily_quota_left(request.user))
        return check.accepted, [m for ms in check.errors.values() for m in ms]
    accepted, errors = [], []
    rules = UploadRules.default()
    for upload in uploads:
        try:
            checked = check_file(upload, rules, "result")
            scanning.scan_checked(checked)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        accepted.append(checked)
    return accepted, errors


@require_POST
def dossier_act(request, pk: int):
    """Take one action. Success: back to the screen with a message. Refusal:
    the screen again with the form as filled in and what went wrong."""
    dossier = scoped_dossier(request, pk)
    action = request.POST.get("action", "")
    if action not in FORMS:
        raise Http404
    actor = lifecycle.Actor.staff(request.user)
    form = action_form(action, dossier, request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "backoffice/dossier.html", screen_context(request, dossier, failed=form), status=400)
    kwargs = form.lifecycle_kwargs()
    kwargs.pop("files", None)
    if action in ("complete", "answer_supplement"):
        accepted, file_errors = _files_and_errors(request, form, dossier)
        if action == "complete":
            try:
                lifecycle.check(dossier, actor, "complete")
            except lifecycle.LifecycleError as error:
                return _refused(request, dossier, form, error)
            # Keep the good files even when another is refused.
            kept = list(kwargs.pop("keep", []) or [])
            pending_results(dossier).exclude(pk__in=[a.pk for a in kept]).delete()
            kept += [store(f, uploaded_by=request.user, dossier=dossier, role=AttachmentRole.RESULT)
                     for f in accepted]
            kwargs["files"] = kept
        else:
            kwargs["files"] = accepted
        if file_errors:
            if action == "complete":  # the form again, with every accepted file ticked to keep
                form = action_form(action, dossier, _keep_data(request, form, kwargs["files"]))
                form.is_valid()
            for message in file_errors:
                form.add_error("files", message)
            return render(request, "backoffice/dossier.html", screen_context(request, dossier, failed=form),
                          status=400)
    try:
        lifecycle.perform(dossier, actor, action, **kwargs)
    except lifecycle.LifecycleError as error:
        return _refused(request, dossier, form, error)
    messages.success(request, _("Dossier %(code)s: “%(action)s” done.") % {
        "code": dossier, "action": lifecycle.TRANSITIONS[action].label})
    return redirect("backoffice:dossier", pk=dossier.pk)


def _keep_data(request, form, kept: list[Attachment]):
    data = request.POST.copy()
    data.setlist(f"{form.prefix}-keep", [str(a.pk) for a in kept])
    return data


def _refused(request, dossier: Dossier, form, error: lifecycle.LifecycleError):
    dossier.refresh_from_db()
    problem = error.message
    status = 400
    if isinstance(error, lifecycle.TransitionNotAllowed):
        status = 409
        note = changed_by(dossier, form.data.get(f"{form.prefix}-seen"))
        if note:
            problem = f"{problem} {note}"
    elif isinstance(error, lifecycle.ActorNotAllowed):
        status = 403
    for name, message in error.errors.items():
        if name in form.fields:
            form.add_error(name, message)
    return render(request, "backoffice/dossier.html",
                  screen_context(request, dossier, failed=form, problem=problem), status=status)


@require_safe
def attachment_preview(request, pk: int, public_id):
    """A dossier file shown in the browser (PDF, images): the download's
    protections (nosniff, a sandboxing CSP, the scan check) with
    `Content-Disposition: inline`, written to the audit log like downloads."""
    dossier = scoped_dossier(request, pk)
    attachment = get_object_or_404(Attachment, dossier=dossier, public_id=public_id)
    if attachment.kind not in PREVIEWABLE:
        raise Http404
    if (refusal := scanning.refused_download(request, attachment, STAFF)) is not None:
        return refusal
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        return render(request, "eforms/attachment_unavailable.html", {"attachment": attachment}, status=410)
    log(
        instance=attachment,
        action=PREVIEW_LOG_ACTION,
        user=request.user,
        title=f"{dossier.code} / {attachment.field_name or attachment.pk}",
        data={"dossier": dossier.code, "attachment": str(attachment.public_id), "sha256": attachment.sha256,
              "ip": client_ip(request)},
    )
    response = FileResponse(handle, as_attachment=False, filename=attachment.download_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
