"""Circular 03/2025 documents in the back office: the list on the dossier
screen, each document as a printable page and as its PDF, and the control
slip (form 06) on demand. Every view finds the dossier through
`backoffice.scope`, so staff of another agency get 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from eforms import documents, lifecycle
from eforms.models import IssuedDocument

from .scope import may_see, visible_dossiers


def documents_context(dossier, user) -> dict:
    """What `backoffice/includes/documents.html` needs, for the dossier screen."""
    return {
        "documents": list(documents.documents_for_staff(dossier).select_related("issued_by")),
        "can_issue_control_slip": lifecycle.can(dossier, lifecycle.Actor.staff(user), "issue_control_slip"),
    }


def _visible_document(request, pk: int) -> IssuedDocument:
    document = get_object_or_404(IssuedDocument.objects.select_related("dossier"), pk=pk)
    if not may_see(request.user, document.dossier):
        raise Http404
    return document


@require_safe
def document_page(request, pk: int):
    document = _visible_document(request, pk)
    return render(request, "backoffice/document_page.html", {
        "document": document, "dossier": document.dossier, "body": documents.render_body(document),
    })


@require_safe
def document_pdf(request, pk: int):
    document = _visible_document(request, pk)
    return documents.pdf_response(document, inline=bool(request.GET.get("inline")))


@require_POST
def issue_control_slip(request, dossier_pk: int):
    dossier = get_object_or_404(visible_dossiers(request.user), pk=dossier_pk)
    try:
        event = lifecycle.issue_control_slip(dossier, lifecycle.Actor.staff(request.user))
    except lifecycle.LifecycleError as error:
        messages.error(request, error.message)
        target = None
    else:
        messages.success(request, _("The control slip of dossier %(code)s was issued.") % {"code": dossier.code})
        target = reverse("backoffice_document", args=[event.document.pk])
    following = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(following, {request.get_host()}, require_https=request.is_secure()):
        return redirect(following)
    return redirect(target or "wagtailadmin_home")


def urlpatterns():
    return [
        path("dossier-documents/<int:pk>/", document_page, name="backoffice_document"),
        path("dossier-documents/<int:pk>/pdf/", document_pdf, name="backoffice_document_pdf"),
        path("dossier-documents/control-slip/<int:dossier_pk>/", issue_control_slip,
             name="backoffice_issue_control_slip"),
    ]
