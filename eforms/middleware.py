"""Refuse a request body larger than any form here accepts, before reading it.

Django checks `DATA_UPLOAD_MAX_MEMORY_SIZE` for form fields only; file
parts of a multipart body are read (and spooled to disk) whatever their
size, and `CsrfViewMiddleware` reads `request.POST` before any view runs.
So the limit is enforced here, on the `Content-Length` header alone, in
`__call__`, which runs before every middleware's `process_view`.

A body sent in chunks without a `Content-Length` is never read by Django
(it reads up to `CONTENT_LENGTH`, taken as 0): the form would arrive empty
and fail for reasons the sender cannot see, so it is answered 411 instead.
No browser sends a form that way.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

#: room for a form's other fields beside the files
FIELDS_MARGIN = 3 * 1024 * 1024


def body_limit(path: str) -> int | None:
    """The largest body a request to `path` may carry (None: no limit)."""
    try:
        admin = reverse("wagtailadmin_home")
    except NoReverseMatch:
        admin = "/admin/"
    if path.startswith(admin):
        return settings.PORTAL_ADMIN_MAX_REQUEST_BODY_SIZE or None
    configured = settings.PORTAL_MAX_REQUEST_BODY_SIZE
    if configured:
        return configured
    return settings.PORTAL_UPLOAD_MAX_DOSSIER_SIZE + FIELDS_MARGIN if settings.PORTAL_UPLOAD_MAX_DOSSIER_SIZE else None


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length:
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                return HttpResponse(_("Send the request with a Content-Length header."), status=411,
                                    content_type="text/plain; charset=utf-8")
            return self.get_response(request)
        limit = body_limit(request.path)
        try:
            too_large = limit is not None and int(length) > limit
        except ValueError:  # Django reads nothing of a body with a malformed length
            too_large = False
        if too_large:
            return render(request, "eforms/request_too_large.html", {
                "limit": filesizeformat(limit), "back_url": request.get_full_path(),
            }, status=413)
        return self.get_response(request)
