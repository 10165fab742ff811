"""The applicant's own pages: the confirmation after submitting, "My
dossiers" (list and drafts), each dossier's page (data, files, history),
withdrawing, answering a supplement request, and the receipt (printable
page and PDF).

Only the owner sees any of them: every URL looks the dossier up by its code
AND the signed-in applicant, so anyone else gets 404 and learns nothing
about whether the code exists. Status changes go through
`eforms.lifecycle`, the answer to a supplement request through
`eforms.services.answer_supplement`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from wagtail.models import Locale

from eforms import documents, extensions, lifecycle
from eforms.access import result_released
from eforms.drafts import drafts_for
from eforms.forms import SupplementForm, WithdrawForm
from eforms.models import AttachmentRole, Dossier, DossierStatus
from eforms.record import barcode_svg, qr_svg, receipt_facts, receipt_filename, receipt_pdf
from eforms.services import answer_supplement

PAGE_SIZE = 20


def owned_dossier(request, code: str) -> Dossier:
    """The signed-in applicant's submitted dossier with this code, or 404."""
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "agency__parent")
        .exclude(status=DossierStatus.DRAFT)
        .filter(code=code, applicant=request.user)
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier


def _localized(obj):
    """The page or snippet in the active language, when translated."""
    try:
        return obj.get_translation_or_none(Locale.get_active()) or obj
    except Locale.DoesNotExist:
        return obj


def resume_url(draft: Dossier) -> str:
    """Where the applying flow resumes a draft: the procedure's start page
    with the draft's id, which sends the applicant to its first open step."""
    return reverse("procedure_apply", args=[draft.procedure.code]) + f"?draft={draft.public_id}"


# ---------------------------------------------------------------- pages


@login_required
@require_safe
def dossier_submitted(request, code: str):
    """The confirmation after submitting: code, expected appointment, next steps."""
    dossier = owned_dossier(request, code)
    return render(request, "eforms/record/submitted.html", {
        "dossier": dossier,
        "procedure": _localized(dossier.procedure),
        "agency": _localized(dossier.agency) if dossier.agency else None,
        "barcode": barcode_svg(dossier.code),
    })


@login_required
@require_safe
def my_dossiers(request):
    dossiers = (
        Dossier.objects.select_related("procedure", "agency").filter(applicant=request.user)
        .exclude(status=DossierStatus.DRAFT).order_by("-submitted_at", "-pk")
    )
    page_obj = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"dossier": d, "procedure": _localized(d.procedure),
             "agency": _localized(d.agency) if d.agency else None} for d in page_obj]
    drafts = [{"draft": d, "procedure": _localized(d.procedure), "url": resume_url(d)}
              for d in drafts_for(request.user)]
    return render(request, "eforms/my_dossiers/list.html", {
        "rows": rows, "page_obj": page_obj, "drafts": drafts,
    })


def detail_context(request, dossier: Dossier, supplement_form: SupplementForm | None = None) -> dict:
    """What the applicant's dossier page shows: public events only (the
    agency's internal steps stay inside), their documents, and the result
    files once issued when the result is delivered online."""
    actor = lifecycle.Actor.applicant(request.user)
    attachments = list(dossier.attachments.select_related("event").all())
    return {
        "dossier": dossier,
        "procedure": _localized(dossier.procedure),
        "agency": _localized(dossier.agency) if dossier.agency else None,
        "facts": receipt_facts(dossier, request.build_absolute_uri("/")),
        "attachments": [a for a in attachments if a.role != AttachmentRole.RESULT],
        "result_files": [a for a in attachments if a.role == AttachmentRole.RESULT and result_released(a)],
        "events": list(lifecycle.public_events(dossier).prefetch_related("attachments")),
        "can_withdraw": lifecycle.can(dossier, actor, "withdraw"),
        "can_supplement": lifecycle.can(dossier, actor, "answer_supplement"),
        "supplement_form": supplement_form or SupplementForm(items=dossier.supplement_items),
        "documents": list(documents.documents_for_applicant(dossier)),
        "sections": extensions.sections("applicant", request, dossier),
    }


@login_required
@require_safe
def my_dossier(request, code: str):
    dossier = owned_dossier(request, code)
    return render(request, "eforms/my_dossiers/detail.html", detail_context(request, dossier))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, code: str):
    """Withdraw before the agency takes it in: a page that asks to confirm, then POST."""
    dossier = owned_dossier(request, code)
    actor = lifecycle.Actor.applicant(request.user)
    form = WithdrawForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.withdraw(dossier, actor, form.cleaned_data["reason"])
        except lifecycle.LifecycleError as exc:
            error = exc.message
        else:
            messages.success(request, _("Dossier %(code)s was withdrawn.") % {"code": dossier.code})
            return redirect("my_dossier", code=dossier.code)
    if error is None and not lifecycle.can(dossier, actor, "withdraw"):
        error = _("This dossier can no longer be withdrawn: the agency has already taken it in.")
    return render(request, "eforms/my_dossiers/withdraw.html",
                  {"dossier": dossier, "form": form, "error": error}, status=409 if error else 200)


@login_required
@require_http_methods(["POST"])
def supplement(request, code: str):
    """Answer a supplement request with the missing documents."""
    dossier = owned_dossier(request, code)
    form = SupplementForm(request.POST, request.FILES, items=dossier.supplement_items)
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        errors = answer_supplement(dossier, request.user, form.uploads(request.FILES), form.cleaned_data["note"])
        if not errors:
            messages.success(request, _("Thank you. The documents were sent to the agency."))
            return redirect("my_dossier", code=dossier.code)
    for name, messages_ in errors.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)
    return render(request, "eforms/my_dossiers/detail.html", detail_context(request, dossier, form), status=400)


@login_required
@require_safe
def record_page(request, code: str):
    """The printable receipt (form 01) with the print stylesheet."""
    dossier = owned_dossier(request, code)
    facts = receipt_facts(dossier, request.build_absolute_uri("/"))
    return render(request, "eforms/record/receipt.html", {
        "dossier": dossier,
        "facts": facts,
        "barcode": barcode_svg(dossier.code),
        "qr": qr_svg(facts.lookup_url),
    })


@login_required
@require_safe
def record_pdf(request, code: str):
    """The same receipt as a PDF made on the server."""
    dossier = owned_dossier(request, code)
    pdf = receipt_pdf(dossier, request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{receipt_filename(dossier)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- Circular 03/2025 documents


def owned_document(request, code: str, pk: int):
    """A document of the applicant's own dossier that the applicant receives
    (forms 01–05; the control slip is internal), or 404."""
    dossier = owned_dossier(request, code)
    document = documents.documents_for_applicant(dossier).filter(pk=pk).first()
    if document is None:
        raise Http404
    return dossier, document


@login_required
@require_safe
def document_page(request, code: str, pk: int):
    """The document as issued, printable with the print stylesheet."""
    dossier, document = owned_document(request, code, pk)
    return render(request, "eforms/documents/page.html", {
        "dossier": dossier, "document": document, "body": documents.render_body(document),
        "pdf_url": reverse("dossier_document_pdf", args=[dossier.code, document.pk]),
        "back_url": reverse("my_dossier", args=[dossier.code]),
    })


@login_required
@require_safe
def document_pdf(request, code: str, pk: int):
    """The PDF made when the document was issued."""
    _dossier, document = owned_document(request, code, pk)
    return documents.pdf_response(document, inline=bool(request.GET.get("inline")))
