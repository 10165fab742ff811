"""Bearer tokens on the API: a valid, unexpired token of a usable API
client, with the operation's scope. `request.auth` is the `ApiClient`.

No token, or a token that is unknown, expired or revoked: 401. A token
without the operation's scope: 403 (RFC 6750 `insufficient_scope`).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.contrib.ninja import HttpOAuth2
from oauth2_provider.oauth2_backends import get_oauthlib_core

from .models import ApiClient
from .problems import Problem

#: "last used" is written at most this often per client, not per request.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def touch(client: ApiClient) -> None:
    """Record that the client called now, at most once a minute: a cache
    key lets one request a minute through, and the update itself is
    conditional, so two workers with their own cache still write once."""
    if not cache.add(f"api-last-used:{client.pk}", 1, int(LAST_USED_EVERY.total_seconds())):
        return
    now = timezone.now()
    ApiClient.objects.filter(pk=client.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)).update(last_used_at=now)


def client_for(request) -> ApiClient | None:
    """The API client of the request's bearer token, when it is valid, or None."""
    if not request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer "):
        return None
    try:
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    except ValueError:  # a malformed query string, whatever the header says
        return None
    if not valid:
        return None
    client = (ApiClient.objects.select_related("agency", "application")
              .filter(application_id=oauth_request.access_token.application_id).first())
    if client is None or not client.is_usable:
        return None
    request.access_token = oauth_request.access_token
    return client


class ClientAuth(HttpOAuth2):
    """django-oauth-toolkit's ninja authentication, scoped per operation."""

    def __call__(self, request):
        client = client_for(request)
        if client is None:
            return None
        request.user = AnonymousUser()  # a client-credentials token has no user
        granted = set(request.access_token.scope.split()) & set(client.scope_list)
        missing = [scope for scope in self.scopes if scope not in granted]
        if missing:
            raise Problem(
                403, _("Missing scope"),
                _("This token does not carry the scope %(scope)s. Ask for it at /o/token/ (the client must be "
                  "registered with it).") % {"scope": " ".join(missing)},
                kind="insufficient-scope",
                headers={"WWW-Authenticate": f'Bearer realm="api", error="insufficient_scope", '
                                             f'scope="{" ".join(self.scopes)}"'},
            )
        touch(client)
        return client


READ = ClientAuth(scopes=["dossiers:read"])
WRITE = ClientAuth(scopes=["dossiers:write"])
