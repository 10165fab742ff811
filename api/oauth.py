"""django-oauth-toolkit's side of API clients: the validator that refuses
tokens to inactive or revoked clients, and registering, rotating and
revoking a client's credentials (secrets are hashed by DOT when saved, so
the plain secret exists only in the answer to the administrator)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator

from api.models import ApiClient

Application = get_application_model()
AccessToken = get_access_token_model()


class ApiClientValidator(OAuth2Validator):
    """Client credentials only, and only for a usable API client."""

    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        client = ApiClient.objects.filter(application=request.client).first()
        return client is not None and client.is_usable

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type == "client_credentials" and super().validate_grant_type(
            client_id, grant_type, client, request, *args, **kwargs)


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str


def new_secret() -> str:
    return secrets.token_urlsafe(48)


def register(*, name: str, agency, scopes: list[str], created_by=None, active: bool = True) -> tuple[ApiClient,
                                                                                                      Credentials]:
    """A new client of `agency` and its DOT application; the secret is
    returned this once."""
    secret = new_secret()
    with transaction.atomic():
        application = Application.objects.create(
            name=name[:255], client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, client_secret=secret,
            hash_client_secret=True, user=None, skip_authorization=True,
        )
        client = ApiClient.objects.create(application=application, agency=agency, name=name,
                                          scopes=" ".join(sorted(set(scopes))), created_by=created_by, active=active)
    return client, Credentials(application.client_id, secret)


def revoke_tokens(client: ApiClient) -> int:
    """Every token of the client stops working now."""
    tokens = AccessToken.objects.filter(application_id=client.application_id)
    count = 0
    for token in tokens:
        token.revoke()
        count += 1
    return count


def rotate_secret(client: ApiClient) -> Credentials:
    """A new secret; the old one stops at once, and so do the tokens it got."""
    secret = new_secret()
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=client.application_id)
        application.client_secret = secret
        application.save(update_fields=["client_secret", "updated"])
        revoke_tokens(client)
        client.rotated_at = timezone.now()
        client.save(update_fields=["rotated_at"])
    return Credentials(application.client_id, secret)


def revoke(client: ApiClient) -> None:
    """For good: no token any more, and the secret is replaced by one nobody knows."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=client.application_id)
        application.client_secret = new_secret()
        application.save(update_fields=["client_secret", "updated"])
        revoke_tokens(client)
        client.active = False
        client.revoked_at = timezone.now()
        client.save(update_fields=["active", "revoked_at"])
