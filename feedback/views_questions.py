"""The public side of questions and answers: asking, confirming the email
address, and the published questions (list with a folded search, detail)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from wagtail.models import Locale

from eforms.localized import localized_attr
from eforms.lookup import client_address
from procedures.models import ProcedurePage

from . import questions as service
from .forms_questions import AskForm, SearchForm

PER_PAGE = 20


def _procedure_from(code: str):
    if not code:
        return None
    return ProcedurePage.objects.live().filter(code=code[:40], locale=Locale.get_default()).first()


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    user = request.user
    procedure = _procedure_from(request.GET.get("procedure", ""))
    context = {"limited": False, "rate_minutes": max(1, service.RATE_PER_ADDRESS[1] // 60)}
    if request.method != "POST":
        form = AskForm(user=user, initial={"procedure": procedure.code if procedure else ""})
        context.update(form=form, procedure=procedure)
        return render(request, "feedback/questions/ask.html", _with_procedure(context, procedure))

    form = AskForm(request.POST, user=user)
    context["form"] = form
    valid = form.is_valid()
    if valid:
        procedure = form.cleaned_data.get("procedure")
    email = user.email if form.signed_in else (form.cleaned_data.get("email") or "")
    address = client_address(request)
    if service.rate_limited(address, email):
        context["limited"] = True
        return render(request, "feedback/questions/ask.html", _with_procedure(context, procedure), status=429)
    if not valid:
        return render(request, "feedback/questions/ask.html", _with_procedure(context, procedure), status=400)
    service.count_attempt(address, email)
    c = form.cleaned_data
    if form.signed_in:
        profile = getattr(user, "profile", None)
        name = (getattr(profile, "full_name", "") or user.get_full_name() or user.email or user.get_username())
    else:
        name = c["name"].strip()
    service.ask(user=user, name=name[:120], email=email, phone=c.get("phone") or "", title=c["title"].strip(),
                body=c["body"], procedure=c.get("procedure"), field=c.get("field"))
    return redirect(reverse("questions_asked") + ("?queued=1" if form.signed_in else ""))


def _with_procedure(context, procedure):
    context["procedure"] = procedure
    context["procedure_title"] = localized_attr(procedure, "title") if procedure is not None else ""
    return context


def asked(request):
    """After asking: either queued, or waiting for the emailed link."""
    return render(request, "feedback/questions/asked.html", {"queued": request.GET.get("queued") == "1"})


@never_cache  # it confirms the question: every visit must reach the view
def verify(request, token: str):
    question = service.verify(token)
    if question is None:
        return render(request, "feedback/questions/verify_failed.html", status=400)
    return render(request, "feedback/questions/verified.html", {"question_title": question.title})


def question_list(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = service.search_published(query) if query else service.published_questions()
    procedure = _procedure_from(request.GET.get("procedure", ""))
    if procedure is not None:
        results = results.filter(procedure__translation_key=procedure.translation_key)
    results = results.select_related("procedure", "field", "locale")
    page_obj = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "feedback/questions/list.html", {
        "form": form if form.is_bound else SearchForm(), "query": query, "page_obj": page_obj,
        "items": [_item(q) for q in page_obj.object_list],
        "procedure_title": localized_attr(procedure, "title") if procedure is not None else "",
        "query_string": urlencode({k: v for k, v in (("q", query), ("procedure", procedure.code if procedure else ""))
                                   if v}),
    })


def question_detail(request, key):
    published = service.published_questions().filter(translation_key=key).select_related(
        "procedure", "field", "agency", "locale").first()
    if published is None:
        raise Http404
    return render(request, "feedback/questions/detail.html", {"item": _item(published)})


def _item(published):
    procedure = published.procedure
    procedure_url = ""
    if procedure is not None and procedure.live:
        shown = procedure.localized
        procedure_url = shown.url
    return {
        "object": published,
        "url": published.get_absolute_url(),
        "lang": published.locale.language_code if published.locale_id else "",
        "procedure_title": localized_attr(procedure, "title") if procedure else "",
        "procedure_url": procedure_url,
        "field_name": localized_attr(published.field, "name") if published.field else "",
        "agency_name": localized_attr(published.agency, "name") if published.agency else "",
    }
