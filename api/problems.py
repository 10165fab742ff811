"""Errors as RFC 9457 problem details (`application/problem+json`):
`type`, `title`, `status`, `detail`, and `errors` (one entry per invalid
field) for validation. Titles and details are in the request's language
(Accept-Language, Vietnamese by default: api.middleware).

`type` is `about:blank` for a plain HTTP status, else one of the URIs
below (relative to the API; README, "API", lists them)."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"


class Problem(Exception):
    """Raised anywhere in an API view; answered as a problem document."""

    def __init__(self, status: int, title: str, detail: str = "", *, kind: str = "", headers: dict | None = None,
                 **extra) -> None:
        self.status = status
        self.title = str(title)
        self.detail = str(detail)
        self.kind = kind
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.title)


def status_title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Not signed in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        410: _("Gone"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Invalid input"),
        429: _("Too many requests"),
        500: _("Server error"),
    }
    if status in titles:
        return str(titles[status])
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


def response(status: int, title: str = "", detail: str = "", *, kind: str = "", headers: dict | None = None,
             **extra) -> HttpResponse:
    body = {
        "type": f"{TYPE_BASE}{kind}" if kind else "about:blank",
        "title": str(title or status_title(status)),
        "status": status,
    }
    if detail:
        body["detail"] = str(detail)
    body.update(extra)
    answer = HttpResponse(json.dumps(body, ensure_ascii=False, default=str), status=status,
                          content_type=f"{MEDIA_TYPE}; charset=utf-8")
    for name, value in (headers or {}).items():
        answer[name] = value
    answer["Cache-Control"] = "no-store"
    return answer


def from_problem(problem: Problem) -> HttpResponse:
    return response(problem.status, problem.title, problem.detail, kind=problem.kind, headers=problem.headers,
                    **problem.extra)


def not_found() -> Problem:
    return Problem(404, _("Not found"), _("There is nothing at this address for this client."))


def _errors(errors: list[dict]) -> list[dict]:
    """ninja's validation errors as the problem's `errors`: where (a JSON
    pointer-like list), what (pydantic's code) and a message."""
    out = []
    for error in errors[:50]:
        out.append({
            "loc": [str(part) for part in error.get("loc", ())],
            "type": str(error.get("type", "")),
            "msg": str(error.get("msg", "")),
        })
    return out


def install(api) -> None:
    """The exception handlers of the NinjaAPI."""

    @api.exception_handler(Problem)
    def _problem(request, exc: Problem):
        return from_problem(exc)

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        return response(422, _("Invalid input"), _("Some fields are missing or invalid: see errors."),
                        kind="validation", errors=_errors(exc.errors))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return response(401, _("Not signed in"),
                        _("Send a valid access token: Authorization: Bearer <token> (from /o/token/)."),
                        kind="unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="api"'})

    @api.exception_handler(AuthorizationError)
    def _forbidden(request, exc):
        return response(403, _("Not allowed"), str(exc))

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        return response(exc.status_code, status_title(exc.status_code), str(exc))

    @api.exception_handler(Http404)
    def _404(request, exc):
        return from_problem(not_found())

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return response(500, _("Server error"), _("Something went wrong on the portal; try again later."))
