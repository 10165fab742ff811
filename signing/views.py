"""/verify/ (and /en/verify/): anyone checks a PDF or a document code.

The answer says whether the portal issued the file, who signed it and
when, and whether it was changed since; it shows what the register holds
(document kind, code, dossier code, agency, time) and nothing personal.
Checks are POSTed and rate-limited per client address (`signing.throttle`)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from wagtail.models import Locale

from signing import services, throttle
from signing.forms import VerifyForm

TEMPLATE = "signing/verify.html"


def agency_name(agency) -> str:
    """The agency's name in the active language, when it has that translation."""
    if agency is None:
        return ""
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return agency.name
    translated = agency.get_translation_or_none(locale) if agency.locale_id != locale.pk else agency
    return (translated or agency).name


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    posted = request.method == "POST"
    form = VerifyForm(request.POST if posted else None, request.FILES if posted else None,
                      initial={"code": request.GET.get("code", "")[:128]})
    context = {"form": form, "rate_minutes": max(1, throttle.RATE_PER_ADDRESS[1] // 60)}
    if not posted:
        return render(request, TEMPLATE, context)
    address = throttle.client_address(request)
    if throttle.limited(address):
        context["limited"] = True
        return render(request, TEMPLATE, context, status=429)
    throttle.hit(address)
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    result = services.verify(pdf_bytes=form.pdf_bytes, code=form.cleaned_data["code"] or None)
    context.update({
        "result": result,
        "Outcome": services.Outcome,
        "agency": agency_name(result.record.agency) if result.record is not None else "",
        "file_name": form.cleaned_data["file"].name if form.cleaned_data.get("file") else "",
        "other_signatures": [s for s in result.signatures if not s.portal],
        "form": VerifyForm(initial={"code": form.cleaned_data["code"]}),
    })
    return render(request, TEMPLATE, context)
