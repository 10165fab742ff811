"""One Content-Security-Policy for the public site, another for the Wagtail
admin, through django-csp's documented extension point
(``CSPMiddleware.get_policy_parts``).

The admin still needs inline scripts and styles (wagtail/wagtail#1288), so
every path under the admin's URL and every page preview (which Wagtail
serves in a same-origin frame of the editor) gets
``PORTAL_ADMIN_CSP_DIRECTIVES``; the public policy stays strict.

A sign-in page POSTs to the portal, which answers with a redirect to the
identity provider; browsers check that redirect against ``form-action``, so
the pages under the accounts URLs also allow the origins of the configured
identity providers (settings or Social applications in the admin), and
the API's documentation page (/api/v1/docs) allows data: images.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language_from_path

# Where Google's and Facebook's OAuth dialogs live (allauth's providers).
KNOWN_PROVIDER_ORIGINS = {
    "google": ["https://accounts.google.com"],
    "facebook": ["https://www.facebook.com", "https://m.facebook.com"],
}


def _prefix(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def _without_language(path: str) -> str:
    language = get_language_from_path(path)
    if language and path.startswith(f"/{language}/"):
        return path[len(language) + 1:]
    return path


def is_admin_path(path: str) -> bool:
    prefix = _prefix("wagtailadmin_home")
    return bool(prefix) and path.startswith(prefix)


def is_api_docs_path(path: str) -> bool:
    """The API's Swagger UI (django-ninja, from static files): its
    stylesheet draws icons from data: URIs."""
    docs = _prefix("api_v1:openapi-view")
    return bool(docs) and path == docs


def is_accounts_path(path: str) -> bool:
    login = _prefix("account_login")
    if not login:
        return False
    accounts = _without_language(login).rstrip("/").rsplit("/", 1)[0] + "/"
    return _without_language(path).startswith(accounts)


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def identity_provider_origins(request) -> list[str]:
    """Origins a sign-in form may end up at, for every provider app."""
    # allauth's adapter module imports its models: only once apps are ready,
    # and this module is imported by the middleware setting at start-up.
    from allauth.socialaccount.adapter import get_adapter

    origins: list[str] = []
    for app in get_adapter().list_apps(request):
        found = [origin(app.settings.get("server_url", ""))] if app.provider == "openid_connect" else []
        found += KNOWN_PROVIDER_ORIGINS.get(app.provider, [])
        origins += [o for o in found if o and o not in origins]
    return origins


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        setting = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
        if not getattr(settings, setting, None):
            return parts  # this header is not in use
        # Wagtail renders a preview through the whole middleware chain with a
        # request of its own, for the page's public path, marked is_preview.
        admin = getattr(request, "is_preview", False) or is_admin_path(request.path_info)
        if parts.config is None and admin:
            parts.config = dict(settings.PORTAL_ADMIN_CSP_DIRECTIVES)
        elif is_api_docs_path(request.path_info):
            parts.update = {**(parts.update or {}), "img-src": ["data:"]}
        elif is_accounts_path(request.path_info):
            providers = identity_provider_origins(request)
            if providers:
                parts.update = {**(parts.update or {}), "form-action": providers}
        return parts
