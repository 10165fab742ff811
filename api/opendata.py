"""Open data, without a token: the procedure catalogue (fields, agencies,
procedures with their level, fees, components and form templates) as JSON
and CSV, and the public dossier look-up with the rules of /lookup/.

Read-only and rate-limited per client address (`PORTAL_API_OPEN_RATE`), by
the fixed windows in the cache that the look-up uses (`eforms.lookup.hit`);
a client that sends a token with the `catalogue:read` scope counts by
client instead (`PORTAL_API_CLIENT_RATE`). The catalogue answers carry an
`ETag` (a `If-None-Match` that matches gets 304) and
`Cache-Control: public, max-age=PORTAL_API_OPEN_MAX_AGE`; they are in the
language of Accept-Language.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from wagtail.models import Locale

from core.exports import safe_cell
from eforms import lookup as public_lookup
from eforms.views.lookup import CodeLookupForm, PersonLookupForm
from procedures.models import Agency, Field, ProcedureComponent, ProcedurePage

from .auth import client_for
from .problems import Problem, not_found
from .schemas import AgencyOut, FieldOut, LookupByCode, LookupByPerson, LookupOut, ProcedureOut
from .schemas import ProcedurePage as ProcedurePageOut

router = Router(tags=["open data"])


# ---------------------------------------------------------------- limits and caching


def _rate(setting: str) -> tuple[int, int]:
    attempts, _sep, seconds = getattr(settings, setting).partition("/")
    return int(attempts), int(seconds or 60)


def throttle(request) -> None:
    """One request counted; 429 when over the limit of this address (or of
    the client, with a catalogue:read token)."""
    client = client_for(request)
    if client is not None and client.has_scope("catalogue:read") and "catalogue:read" in (
            request.access_token.scope.split()):
        kind, value, limit = "api-client", str(client.pk), _rate("PORTAL_API_CLIENT_RATE")
    else:
        kind, value, limit = "api-open", public_lookup.client_address(request), _rate("PORTAL_API_OPEN_RATE")
    if not public_lookup.hit(kind, value, limit):
        raise Problem(429, _("Too many requests"),
                      _("Too many requests from this address: wait a little and try again."), kind="rate-limited",
                      headers={"Retry-After": str(limit[1])})


def cacheable(request, body: bytes, content_type: str, filename: str = "") -> HttpResponse:
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    answer = get_conditional_response(request, etag=etag) or HttpResponse(body, content_type=content_type)
    answer["ETag"] = etag
    answer["Cache-Control"] = f"public, max-age={settings.PORTAL_API_OPEN_MAX_AGE}"
    patch_vary_headers(answer, ("Accept-Language",))
    if filename and answer.status_code == 200:
        answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer


def json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


# ---------------------------------------------------------------- the catalogue


def _locale() -> Locale:
    return Locale.get_active()


def _named(obj, code_attr: str) -> dict:
    if obj is None:
        return {"code": "", "name": ""}
    localized = obj.localized
    return {"code": getattr(obj, code_attr), "name": localized.name}


def procedures_queryset():
    return (
        ProcedurePage.objects.live().public().filter(locale=_locale())
        .select_related("field", "agency")
        .prefetch_related("fees", "co_agencies",
                          Prefetch("components", queryset=ProcedureComponent.objects.select_related("form_template")))
        .order_by("code", "pk")
    )


def procedure_data(request, page: ProcedurePage) -> dict:
    return {
        "code": page.code,
        "title": page.title,
        "url": request.build_absolute_uri(page.permalink()),
        "field": _named(page.field, "code"),
        "agency": _named(page.agency, "unit_code"),
        "co_agencies": [_named(a, "unit_code") for a in page.co_agencies.all()],
        "tier": page.tier,
        "level": page.level,
        "service_kind": page.service_kind,
        "processing_time": format(page.processing_time.normalize(), "f") if page.processing_time is not None else "",
        "processing_unit": page.processing_unit,
        "fee_vnd": page.fee_vnd,
        "fee_note": page.fee_note,
        "fees": [{"name": f.name, "amount_vnd": f.amount_vnd, "payer": f.payer, "due": f.due,
                  "exemptions": f.exemptions} for f in page.fees.all()],
        "online_payment": page.online_payment,
        "submission_methods": list(page.submission_methods or []),
        "result_methods": list(page.result_methods or []),
        "components": [{
            "name": c.name, "copies": c.copies, "kind": c.kind,
            "form_template_url": request.build_absolute_uri(c.form_template.url) if c.form_template else None,
        } for c in page.components.all()],
    }


def _filtered(field: str | None, agency: str | None, level: int | None):
    pages = procedures_queryset()
    if field:
        pages = pages.filter(field__code=field)
    if agency:
        pages = pages.filter(agency__translation_key__in=Agency.objects.filter(unit_code=agency)
                             .values("translation_key"))
    if level:
        pages = pages.filter(level=level)
    return pages


FILTERS = {"field": Query(None, max_length=64, description="Field code, e.g. ho-tich"),
           "agency": Query(None, max_length=40, description="Agency unit code, e.g. 000.00.10.H30"),
           "level": Query(None, ge=1, le=4, description="Online service level 1–4")}


@router.get("/open/fields", response=list[FieldOut], auth=None, url_name="api_open_fields",
            summary="Fields of administration")
def fields(request):
    throttle(request)
    data = [{"code": f.code, "name": f.name, "description": f.description}
            for f in Field.objects.filter(locale=_locale()).order_by("name", "pk")]
    return cacheable(request, json_bytes(data), "application/json; charset=utf-8")


@router.get("/open/agencies", response=list[AgencyOut], auth=None, url_name="api_open_agencies",
            summary="Agencies that receive dossiers")
def agencies(request):
    throttle(request)
    data = [{
        "unit_code": a.unit_code, "name": a.name, "short_name": a.short_name, "tier": a.tier,
        "parent": a.parent.unit_code if a.parent_id else None, "address": a.address, "phone": a.phone,
        "email": a.email, "website": a.website,
    } for a in Agency.objects.filter(locale=_locale()).select_related("parent").order_by("unit_code", "pk")]
    return cacheable(request, json_bytes(data), "application/json; charset=utf-8")


@router.get("/open/procedures", response=ProcedurePageOut, auth=None, url_name="api_open_procedures",
            summary="The procedure catalogue, a page at a time")
def procedures(request, field: str | None = FILTERS["field"], agency: str | None = FILTERS["agency"],
               level: int | None = FILTERS["level"], page: int = Query(1, ge=1, le=100000),
               page_size: int = Query(50, ge=1, le=200)):
    throttle(request)
    pages = _filtered(field, agency, level)
    total = pages.count()
    last = max(1, math.ceil(total / page_size))
    items = [procedure_data(request, p) for p in pages[(page - 1) * page_size: page * page_size]]

    def link(number: int) -> str | None:
        if number < 1 or number > last:
            return None
        params = {k: v for k, v in {"field": field, "agency": agency, "level": level}.items() if v}
        params.update(page=number, page_size=page_size)
        return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")

    data = ProcedurePageOut.model_validate({
        "items": items, "page": page, "page_size": page_size, "total": total,
        "next": link(page + 1), "previous": link(page - 1) if page <= last else None,
    }).model_dump(mode="json")
    return cacheable(request, json_bytes(data), "application/json; charset=utf-8")


CSV_COLUMNS = ("code", "title", "field_code", "field", "agency_code", "agency", "tier", "level", "service_kind",
               "processing_time", "processing_unit", "fee_vnd", "fees", "components", "form_templates", "url")


@router.get("/open/procedures.csv", auth=None, url_name="api_open_procedures_csv",
            summary="The whole procedure catalogue as CSV", response={200: None})
def procedures_csv(request, field: str | None = FILTERS["field"], agency: str | None = FILTERS["agency"],
                   level: int | None = FILTERS["level"]):
    """UTF-8 with a byte-order mark (for Excel); a cell a spreadsheet would
    take for a formula starts with an apostrophe (`core.exports`)."""
    throttle(request)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for page in _filtered(field, agency, level).iterator(chunk_size=500):
        row = procedure_data(request, page)
        writer.writerow([safe_cell(value) for value in (
            row["code"], row["title"], row["field"]["code"], row["field"]["name"], row["agency"]["code"],
            row["agency"]["name"], row["tier"], row["level"], row["service_kind"] or "", row["processing_time"],
            row["processing_unit"], "" if row["fee_vnd"] is None else row["fee_vnd"],
            "\n".join(f"{f['name']}: {f['amount_vnd']} ({f['due']})" for f in row["fees"]),
            "\n".join(f"{c['name']} ({c['copies']}, {c['kind']})" for c in row["components"]),
            "\n".join(c["form_template_url"] for c in row["components"] if c["form_template_url"]),
            row["url"],
        )])
    return cacheable(request, out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", filename="thu-tuc.csv")


@router.get("/open/procedures/{code}", response=ProcedureOut, auth=None, url_name="api_open_procedure",
            summary="One procedure")
def procedure(request, code: str = Path(..., max_length=40, pattern=r"^[0-9A-Za-z.\-_]+$")):
    throttle(request)
    page = procedures_queryset().filter(code=code).first()
    if page is None:
        raise not_found()
    data = ProcedureOut.model_validate(procedure_data(request, page)).model_dump(mode="json")
    return cacheable(request, json_bytes(data), "application/json; charset=utf-8")


# ---------------------------------------------------------------- the public look-up


def _limited() -> Problem:
    return Problem(429, _("Too many requests"),
                   _("Too many look-ups from this address or for this dossier: wait a little and try again."),
                   kind="rate-limited", headers={"Retry-After": str(public_lookup.RATE_PER_ADDRESS[1])})


def _form_errors(form) -> Problem:
    errors = [{"loc": ["body", name], "type": "invalid", "msg": str(message)}
              for name, messages in form.errors.items() for message in messages]
    return Problem(422, _("Invalid input"), _("Some fields are missing or invalid: see errors."),
                   kind="validation", errors=errors)


@router.post("/open/lookup", response=LookupOut, auth=None, url_name="api_open_lookup",
             summary="The public status look-up, with the rules of /lookup/")
def lookup(request, body: LookupByCode | LookupByPerson):
    """The dossier code with the applicant's ID number or phone, or the ID
    number with full name and date of birth. The answer shows status,
    agency and dates, nothing personal; "not found" and "does not match"
    are the same empty answer; throttled per address, per code and per ID
    number, together with the /lookup/ page."""
    address = public_lookup.client_address(request)
    if public_lookup.limited("address", address, public_lookup.RATE_PER_ADDRESS):
        raise _limited()
    if body.way == "code":
        form = CodeLookupForm({"c-code": body.code, "c-secret": body.secret}, prefix="c")
    else:
        form = PersonLookupForm({"p-id_number": body.id_number, "p-full_name": body.full_name,
                                 "p-date_of_birth": body.date_of_birth}, prefix="p")
    if not form.is_valid():
        raise _form_errors(form)
    public_lookup.hit("address", address, public_lookup.RATE_PER_ADDRESS)
    if body.way == "code":
        code = form.cleaned_data["code"]
        if public_lookup.limited("code", code, public_lookup.RATE_PER_CODE):
            raise _limited()
        found = public_lookup.find_by_code(code, form.cleaned_data["secret"])
        if not found:
            public_lookup.hit("code", code, public_lookup.RATE_PER_CODE)
    else:
        id_number = form.cleaned_data["id_number"]
        if public_lookup.limited("id_number", id_number, public_lookup.RATE_PER_ID_NUMBER):
            raise _limited()
        found = public_lookup.find_by_person(id_number, form.cleaned_data["full_name"],
                                             form.cleaned_data["date_of_birth"])
        if not found:
            public_lookup.hit("id_number", id_number, public_lookup.RATE_PER_ID_NUMBER)
    results = []
    for dossier in found:
        view = public_lookup.public_view(dossier)
        results.append({**view.__dict__, "status": str(view.status), "procedure": str(view.procedure),
                        "agency": str(view.agency),
                        "history": [{"status": str(step.status), "at": step.at} for step in view.history]})
    from .api import api

    answer = api.create_response(request, LookupOut.model_validate({"results": results}).model_dump(), status=200)
    answer["Cache-Control"] = "no-store"
    return answer

