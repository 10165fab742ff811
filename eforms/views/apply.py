"""Applying online: `/p/<code>/apply/` and its steps.

GET /p/<code>/apply/                       start page (drafts to resume, what to prepare)
POST /p/<code>/apply/                      start a draft (level 3–4; sign-in required)
GET|POST /p/<code>/apply/<draft>/<step>/   one step: applicant, the e-form's sections, delivery
GET|POST /p/<code>/apply/<draft>/review/   check your answers, declaration, submit
For a level 1–2 procedure the start page is a form to fill and print; no
dossier is made. After submitting, `eforms.views.my_dossiers.dossier_submitted`
confirms. Views only route: the work is in `eforms.drafts` and
`eforms.services`.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from wagtail.models import Locale

from accounts import units
from eforms import drafts as d
from eforms.form_builder import EFormBuilder
from eforms.forms import ApplicantForm
from eforms.lifecycle import LifecycleError
from eforms.models import Dossier, DossierStatus
from eforms.models.forms import EFormPage
from eforms.services import login_method_from_request, receiving_agencies, submit_dossier
from procedures.embed.origins import clean_source
from procedures.models import ProcedurePage


def _procedure(code: str):
    """The live procedure with this code, in the active language if
    translated, else in the default language."""
    pages = ProcedurePage.objects.live().filter(code=code)
    procedure = pages.filter(locale=Locale.get_active()).first() or pages.filter(
        locale=Locale.get_default()).first()
    if procedure is None:
        raise Http404
    return procedure


def _eform(procedure) -> EFormPage:
    eform = EFormPage.live_for(procedure)
    if eform is None:
        raise Http404
    return eform


def _agencies(procedure):
    return list(receiving_agencies(procedure))


def _application(request, code: str, draft_id) -> tuple[d.Application, object, EFormPage | None]:
    """The signed-in applicant's own draft; anyone else gets 404."""
    draft = get_object_or_404(Dossier.objects.select_related("procedure"), public_id=draft_id,
                              applicant=request.user)
    if draft.procedure.code != code:
        raise Http404
    procedure = _procedure(code)
    eform = EFormPage.live_for(procedure)
    try:
        version = d.version_for(draft, eform)
    except Exception as error:  # no version and no live form any more
        raise Http404 from error
    return d.Application(draft, version, level=procedure.level), procedure, eform


# ---------------------------------------------------------------- start


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def apply_start(request, code: str):
    procedure = _procedure(code)
    eform = _eform(procedure)
    if procedure.level < 3:
        return _printable(request, procedure, eform)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    resume = request.GET.get("draft")
    if resume and request.method != "POST":  # "My dossiers" links here to resume a draft
        try:
            draft = d.drafts_for(request.user).get(public_id=uuid.UUID(resume))
        except (ValueError, Dossier.DoesNotExist) as error:
            raise Http404 from error
        app = d.Application(draft, d.version_for(draft, eform), level=procedure.level)
        return redirect(app.url(app.first_open_step().key))
    problem = ""
    # the site that sent the applicant (the embed card's `src`), kept through
    # the start form into the draft, then the dossier
    source = clean_source(request.POST.get("src") or request.GET.get("src"))
    if request.method == "POST":
        if request.POST.get("discard"):
            try:
                discarded = d.discard_draft(request.user, uuid.UUID(request.POST["discard"]))
            except ValueError:
                discarded = False
            if discarded:
                messages.success(request, _("The unfinished application was discarded."))
            return redirect("procedure_apply", code=code)
        version = eform.current_version()
        try:
            draft = d.start_draft(procedure, request.user, version, source=source)
        except d.TooManyDrafts as error:
            problem = ngettext(
                "You already have %(count)s unfinished application for this procedure, the most you can keep "
                "at once. Continue it, or discard it if you no longer need it, then start again.",
                "You already have %(count)s unfinished applications for this procedure, the most you can keep "
                "at once. Continue one of them, or discard one you no longer need, then start again.",
                error.limit,
            ) % {"count": error.limit}
        else:
            return redirect(d.Application(draft, version, level=procedure.level).url(d.APPLICANT))
    drafts = []
    for draft in d.open_drafts(request.user, procedure):
        app = d.Application(draft, d.version_for(draft, eform), level=procedure.level)
        drafts.append({"draft": draft, "url": app.url(app.first_open_step().key)})
    version = eform.current_version()
    documents = [spec for spec in version.specs() if spec.is_file]
    return render(request, "eforms/apply_start.html", {
        "procedure": procedure, "eform": eform, "drafts": drafts, "documents": documents,
        "steps": d.Application(Dossier(procedure=procedure), version, level=procedure.level).steps(),
        "problem": problem, "source": source,
    })


def _printable(request, procedure, eform: EFormPage):
    """Level 1–2: fill the form on screen, then print it and bring it along."""
    version = eform.current_version()
    sections = version.sections()
    specs = [spec for section in sections for spec in section.fields if not spec.is_file]
    form_class = EFormBuilder(specs).get_form_class()
    user = request.user if request.user.is_authenticated else None
    data = request.POST if request.method == "POST" else None
    applicant = ApplicantForm(data, prefix="applicant", initial=ApplicantForm.initial_from_profile(user))
    answers = form_class(data, prefix="form")
    documents = [spec for section in sections for spec in section.fields if spec.is_file]
    if data is not None and applicant.is_valid() and answers.is_valid():
        rows = [(str(applicant.fields[n].label), d.form_value_text(applicant.fields[n], d.to_json(v)))
                for n, v in applicant.cleaned_data.items() if v not in ("", None)]
        rows += [(spec.label, d.form_value_text(answers.fields[spec.clean_name],
                                                d.to_json(answers.cleaned_data.get(spec.clean_name))))
                 for spec in specs]
        return render(request, "eforms/print_summary.html", {
            "procedure": procedure, "eform": eform, "rows": rows, "documents": documents,
        })
    groups = []
    for section in sections:
        fields = [answers[spec.clean_name] for spec in section.fields if spec.clean_name in answers.fields]
        if fields:
            groups.append({"title": section.title, "help_text": section.help_text, "fields": fields})
    return render(request, "eforms/print_form.html", {
        "procedure": procedure, "eform": eform, "applicant_form": applicant, "answers_form": answers,
        "groups": groups, "documents": documents, "forms": [applicant, answers],
    })


# ---------------------------------------------------------------- steps


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply_step(request, code: str, draft, step: str):
    app, procedure, eform = _application(request, code, draft)
    if app.draft.status != DossierStatus.DRAFT:
        return redirect("dossier_submitted", code=app.draft.code)
    current = app.step(step)
    if current is None or step == d.REVIEW:
        raise Http404
    agencies = _agencies(procedure)
    returning = request.GET.get("return") == "review" or request.POST.get("return") == "review"
    if request.method == "POST":
        action = request.POST.get("action", "next")
        if "_units" in request.POST:  # no-JS second step of the linked address choice
            form = app.form(step, request.POST, request.FILES, agencies=agencies, user=request.user)
            form.is_valid()
            app.store_uploads(form, request.FILES, request.user, enforce_required=False)
            form = form.__class__(initial=_posted_values(form), **_form_kwargs(form))
            form.units_refreshed = True
        else:
            form = app.form(step, request.POST, request.FILES, agencies=agencies, user=request.user)
            form.is_valid()
            app.store_uploads(form, request.FILES, request.user, remove=request.POST.getlist("remove_file"),
                              enforce_required=action != "save")
            if action == "save":
                app.save_step(step, form, complete=not form.errors, user=request.user)
                messages.success(request, _("Your draft is saved. You can come back to it from My dossiers or "
                                            "this procedure's page."))
                return redirect("procedure_apply", code=code)
            if not form.errors:
                app.save_step(step, form, complete=True, user=request.user)
                target = d.REVIEW if returning else app.next_step(step).key
                return redirect(app.url(target))
    else:
        form = app.form(step, agencies=agencies, user=request.user)
    previous = app.previous_step(step)
    upload_fields = {name: list(app.attachments(name)) for name in getattr(form, "file_fields", dict)()}
    return render(request, "eforms/apply_step.html", {
        "procedure": procedure, "eform": eform, "app": app, "step": current, "form": form,
        "steps": app.steps(), "previous_url": app.url(previous.key) if previous else "",
        "returning": returning, "attached": upload_fields, "is_multipart": bool(upload_fields),
    })


def _posted_values(form) -> dict:
    return {name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
            for name, field in form.fields.items()}


def _form_kwargs(form) -> dict:
    kwargs = {}
    if getattr(form, "locked_profile", None) is not None:  # verified fields stay locked
        kwargs["profile"] = form.locked_profile
    if hasattr(form, "agencies"):
        kwargs = {"agencies": list(form.agencies.values()), "level": form.level, "procedure": form.procedure}
    return kwargs


# ---------------------------------------------------------------- review and submit


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply_review(request, code: str, draft):
    app, procedure, eform = _application(request, code, draft)
    if app.draft.status != DossierStatus.DRAFT:
        return redirect("dossier_submitted", code=app.draft.code)
    agencies = _agencies(procedure)
    missing = app.missing_steps()
    problem = ""
    if request.method == "POST":
        form = app.review_form(request.POST, key=request.POST.get("idempotency_key", ""))
        if form.is_valid() and not missing:
            delivery = app.draft
            try:
                result = submit_dossier(
                    procedure=app.draft.procedure, agency=delivery.agency, applicant=request.user,
                    form_data=app.dossier_form_data(), idempotency_key=form.cleaned_data["idempotency_key"],
                    form_version=app.version.reference(), snapshot=app.snapshot(request.user),
                    channel=delivery.channel, pickup_address=delivery.pickup_address,
                    pickup_from=delivery.pickup_from, pickup_until=delivery.pickup_until,
                    result_delivery=delivery.result_delivery, delivery_address=delivery.delivery_address,
                    login_method=login_method_from_request(request), language=translation.get_language(),
                    attachments=list(app.attachments()), draft=app.draft,
                )
            except LifecycleError as error:
                problem = error.message
            else:
                return redirect("dossier_submitted", code=result.dossier.code)
    else:
        form = app.review_form(key=uuid.uuid4().hex)
    return render(request, "eforms/apply_review.html", {
        "procedure": procedure, "eform": eform, "app": app, "form": form, "rows": app.review_rows(agencies),
        "missing": missing, "problem": problem, "steps": app.steps(), "step": app.steps()[-1],
        "previous_url": app.url(app.steps()[-2].key),
    })


# ---------------------------------------------------------------- linked address choice


@require_safe
def communes(request, province: str):
    """The communes of one province, for the address fields' JavaScript."""
    if not units.province_name(province):
        raise Http404
    response = JsonResponse({"province": province,
                             "communes": [{"code": c, "name": n} for c, n in units.commune_choices(province)]})
    response["Cache-Control"] = "public, max-age=86400"
    return response
