"""Public views of the procedures app that are not Wagtail pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from wagtail.models import Locale

from .models import ProcedureIndexPage, ProcedurePage


def find_procedure(code: str, locale: Locale | None = None) -> ProcedurePage | None:
    """The live public page of the procedure with `code` in `locale`, or in
    another language when it is not translated yet."""
    locale = locale or Locale.get_active()
    pages = ProcedurePage.objects.live().public().filter(code=code.strip())
    return pages.filter(locale=locale).first() or pages.order_by("pk").first()


def procedure_permalink(request: HttpRequest, code: str) -> HttpResponse:
    """`/p/<code>/` (and `/en/p/<code>/`): the stable address agencies link
    to. Redirects permanently to the procedure's page in the request's
    language; an unknown code gets a 404 that helps to find the procedure."""
    page = find_procedure(code)
    if page is not None:
        return HttpResponsePermanentRedirect(page.get_url(request))
    catalogue = ProcedureIndexPage.objects.live().public().filter(locale=Locale.get_active()).first()
    return TemplateResponse(
        request, "procedures/procedure_not_found.html", {"code": code, "catalogue": catalogue}, status=404,
    )
