"""`/embed/p/<code>/` (and `/en/embed/p/<code>/`): the procedure's card for
an iframe on an agency's site.

Read-only and without JavaScript or cookies; its buttons open the portal in
the top window (a form inside a cross-site frame loses its cookies). Only
the origins on the list of the procedure's agency may frame it: the card
alone sends them as its CSP `frame-ancestors` and no X-Frame-Options; with
an empty list, and on every other page, framing stays refused
(`frame-ancestors 'none'`, `X-Frame-Options: DENY`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from ..models import EmbedOrigin
from ..views import find_procedure
from .origins import clean_source


def framable_by(request: HttpRequest, response: HttpResponse, origins: list[str]) -> HttpResponse:
    """`response` with framing allowed to exactly `origins` (none: left as
    every page is), through Django's and django-csp's public decorators."""
    if not origins:
        return response
    directive = {"frame-ancestors": list(origins)}

    @csp_replace(directive)
    @csp_replace(directive, REPORT_ONLY=True)
    @xframe_options_exempt
    def view(request):
        return response

    return view(request)


def _with_source(url: str, source: str) -> str:
    return f"{url}?{urlencode({'src': source})}" if source else url


@require_safe
def procedure_card(request: HttpRequest, code: str) -> HttpResponse:
    procedure = find_procedure(code)
    if procedure is None:
        return TemplateResponse(request, "procedures/embed/not_found.html", {"code": code}, status=404)
    source = clean_source(request.GET.get("src"))
    apply_url = _with_source(reverse("procedure_apply", kwargs={"code": procedure.code}), source)
    response = TemplateResponse(request, "procedures/embed/card.html", {
        "procedure": procedure,
        "agency": procedure.localized_agency(),
        "apply_url": request.build_absolute_uri(apply_url),
        "details_url": request.build_absolute_uri(procedure.permalink()),
        "online": procedure.level >= 3,
    })
    return framable_by(request, response, EmbedOrigin.allowed_for(procedure.agency))
