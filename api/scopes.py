"""The scopes an API client may hold (django-oauth-toolkit's scopes
backend, `OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"]`): a token is granted at
most the scopes its client was registered with, and, when it asks for
none, all of them."""

from __future__ import annotations

from oauth2_provider.scopes import SettingsScopes


def client_scopes(application) -> list[str]:
    client = getattr(application, "api_client", None) if application is not None else None
    if client is None or not client.is_usable:
        return []
    return client.scope_list


class ApiClientScopes(SettingsScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return client_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return client_scopes(application)
