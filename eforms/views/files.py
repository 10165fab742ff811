"""Dossier files: downloads for the applicant and the receiving agency."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe
from wagtail.log_actions import log

from accounts.mfa import second_factor_redirect, staff_access_allowed
from core.client import client_ip
from eforms import scanning
from eforms.access import STAFF, attachment_access
from eforms.models import Attachment

DOWNLOAD_LOG_ACTION = "eforms.attachment_download"


@require_safe
def attachment_download(request, public_id):
    """Serve one dossier file to its applicant or to staff of the receiving
    agency, as a download that the browser never renders (nosniff,
    attachment, a CSP that forbids everything). Staff downloads are written
    to Wagtail's audit log (Reports → Site history), and wait for the staff
    second factor (accounts.mfa.staff_access_allowed). Anyone else gets 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attachment = (
        Attachment.objects.select_related("dossier", "dossier__agency").filter(public_id=public_id).first()
    )
    access = attachment_access(request.user, attachment) if attachment is not None else None
    if access is None:
        raise Http404
    if access == STAFF and not staff_access_allowed(request):
        # Staff powers wait for the second factor; the applicant's own file does not.
        return second_factor_redirect(request)
    if (refusal := scanning.refused_download(request, attachment, access)) is not None:
        return refusal
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        return render(request, "eforms/attachment_unavailable.html", {"attachment": attachment}, status=410)
    if access == STAFF:
        log(
            instance=attachment,
            action=DOWNLOAD_LOG_ACTION,
            user=request.user,
            title=f"{attachment.dossier.code} / {attachment.field_name or attachment.pk}",
            data={
                "dossier": attachment.dossier.code,
                "attachment": str(attachment.public_id),
                "sha256": attachment.sha256,
                "ip": client_ip(request),
            },
        )
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.download_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
