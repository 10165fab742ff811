"""The applicant's own pages: the confirmation after submitting, "My
dossiers" (list and drafts), each dossier's page (data, files, history),
withdrawing, answering a supplement request, and the receipt (printable
page and PDF).

Only the owner sees any of them: every URL looks the dossier up by its code
AND the signed-in applicant, so anyone else gets 404 and learns nothing
about whether the code exists. Status changes go through
`eforms.lifecycle`, files through `eforms.uploads`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from eforms import lifecycle
from eforms.models import Dossier, DossierStatus
from eforms.record import barcode_svg, qr_svg, receipt_facts, receipt_filename, receipt_pdf

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
    from wagtail.models import Locale

    try:
        translated = obj.get_translation_or_none(Locale.get_active())
    except (AttributeError, Locale.DoesNotExist):
        return obj
    return translated or obj


def drafts_of(user):
    """The applicant's drafts, from the applying flow's service when it has one."""
    try:
        from eforms.drafts import drafts_for
    except ImportError:
        drafts_for = None
    if drafts_for is not None:
        return list(drafts_for(user))
    return list(
        Dossier.objects.select_related("procedure").filter(applicant=user, status=DossierStatus.DRAFT)
        .order_by("-updated_at")
    )


def resume_url(draft: Dossier) -> str:
    """Where the applying flow resumes a draft: the draft's own URL if the
    model gives one, else the procedure's e-form with the draft's id."""
    url = getattr(draft, "resume_url", None)
    if callable(url):
        url = url()
    if url:
        return url
    try:
        return reverse("procedure_apply", args=[draft.procedure.code]) + f"?draft={draft.public_id}"
    except NoReverseMatch:
        return draft.procedure.url or ""


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
              for d in drafts_of(request.user)]
    return render(request, "eforms/my_dossiers/list.html", {
        "rows": rows, "page_obj": page_obj, "drafts": drafts,
    })


@login_required
@require_safe
def my_dossier(request, code: str):
    dossier = owned_dossier(request, code)
    actor = lifecycle.Actor.applicant(request.user)
    events = list(dossier.events.prefetch_related("attachments").order_by("created_at", "pk"))
    return render(request, "eforms/my_dossiers/detail.html", {
        "dossier": dossier,
        "procedure": _localized(dossier.procedure),
        "agency": _localized(dossier.agency) if dossier.agency else None,
        "facts": receipt_facts(dossier, request.build_absolute_uri("/")),
        "attachments": list(dossier.attachments.select_related("event").all()),
        "events": events,
        "can_withdraw": lifecycle.can(dossier, actor, "withdraw"),
        "can_supplement": lifecycle.can(dossier, actor, "answer_supplement"),
        "supplement_form": SupplementForm(),
    })


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why are you withdrawing it? (optional)"), required=False,
                             max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=gettext_lazy("Yes, withdraw this dossier. I cannot undo this."),
                                 error_messages={"required": gettext_lazy("Tick the box to confirm.")})


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


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the checks by content are `eforms.uploads`'."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class SupplementForm(forms.Form):
    files = MultipleFileField(label=gettext_lazy("Documents asked for"), required=False,
                              help_text=gettext_lazy("PDF, JPEG, PNG, DOCX or XLSX. You can choose several files."))
    note = forms.CharField(label=gettext_lazy("Message to the agency (optional)"), required=False,
                           max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


def answer_supplement(dossier: Dossier, user, uploads, note: str) -> dict[str, list[str]]:
    """Check the files and answer the request; returns the errors per field
    (empty when the dossier went back to the agency)."""
    from eforms.uploads import UploadRules, check_uploads, daily_quota_left, held_files

    per_field, total = held_files(dossier)
    check = check_uploads({"files": uploads}, UploadRules.default(required=True),
                          existing={"": sum(per_field.values())}, existing_size=total,
                          quota_left=daily_quota_left(user))
    if not check.ok:
        return check.errors
    try:
        lifecycle.answer_supplement(dossier, lifecycle.Actor.applicant(user), check.accepted, note=note)
    except lifecycle.LifecycleError as exc:
        return {"files": [exc.errors.get("files") or exc.message]}
    return {}


@login_required
@require_http_methods(["POST"])
def supplement(request, code: str):
    """Answer a supplement request with the missing documents."""
    dossier = owned_dossier(request, code)
    form = SupplementForm(request.POST, request.FILES)
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        errors = answer_supplement(dossier, request.user, request.FILES.getlist("files"),
                                   form.cleaned_data["note"])
        if not errors:
            messages.success(request, _("Thank you. The documents were sent to the agency."))
            return redirect("my_dossier", code=dossier.code)
    for name, messages_ in errors.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)
    actor = lifecycle.Actor.applicant(request.user)
    return render(request, "eforms/my_dossiers/detail.html", {
        "dossier": dossier,
        "procedure": _localized(dossier.procedure),
        "agency": _localized(dossier.agency) if dossier.agency else None,
        "facts": receipt_facts(dossier, request.build_absolute_uri("/")),
        "attachments": list(dossier.attachments.select_related("event").all()),
        "events": list(dossier.events.order_by("created_at", "pk")),
        "can_withdraw": lifecycle.can(dossier, actor, "withdraw"),
        "can_supplement": lifecycle.can(dossier, actor, "answer_supplement"),
        "supplement_form": form,
    }, status=400)


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
