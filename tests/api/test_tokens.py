"""OAuth 2.0 client credentials over the real token endpoint, and which
tokens the API refuses: expired, revoked, of an inactive client, of a
rotated secret, without the operation's scope, or sent in the URL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from api import oauth
from api.models import ApiClient
from tests.api.conftest import basic, get_token, make_caller


def test_a_token_comes_from_the_token_endpoint_with_basic_auth(world):
    a = world["a"]
    answer = get_token(Client(), a.client_id, a.secret)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    assert set(body["scope"].split()) == {"catalogue:read", "dossiers:read", "dossiers:write"}
    assert "refresh_token" not in body
    listing = Client().get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert listing.status_code == 200


def test_the_secret_is_hashed_at_rest_and_a_wrong_one_gets_no_token(world):
    a = world["a"]
    application = ApiClient.objects.get(pk=a.client.pk).application
    assert application.client_secret != a.secret
    assert check_password(a.secret, application.client_secret)
    answer = get_token(Client(), a.client_id, a.secret + "x")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_a_client_gets_only_its_own_scopes(world):
    reader = make_caller(world["agency_a"], scopes=["dossiers:read"], name="Chỉ đọc")
    answer = get_token(Client(), reader.client_id, reader.secret)
    assert answer.json()["scope"] == "dossiers:read"
    refused = get_token(Client(), reader.client_id, reader.secret, scope="dossiers:write")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"


def test_other_grants_are_refused(world):
    a = world["a"]
    answer = Client().post("/o/token/", {"grant_type": "password", "username": "x", "password": "y"},
                           HTTP_AUTHORIZATION=basic(a.client_id, a.secret))
    assert answer.status_code in (400, 401)
    assert answer.json()["error"] in ("unauthorized_client", "unsupported_grant_type", "invalid_grant")


def test_no_token_or_an_unknown_one_is_401_problem(world):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}):
        answer = Client().get("/api/v1/dossiers", **headers)
        assert answer.status_code == 401
        assert answer["Content-Type"].startswith("application/problem+json")
        assert answer["WWW-Authenticate"].startswith("Bearer")
        assert answer.json()["status"] == 401


def test_an_expired_token_is_refused(world):
    a = world["a"]
    AccessToken.objects.filter(application_id=a.client.application_id).update(
        expires=timezone.now() - dt.timedelta(seconds=1))
    assert a.get("/api/v1/dossiers").status_code == 401


def test_revoking_stops_tokens_at_once_and_gives_no_new_one(world):
    a = world["a"]
    assert a.get("/api/v1/dossiers").status_code == 200
    oauth.revoke(ApiClient.objects.get(pk=a.client.pk))
    assert a.get("/api/v1/dossiers").status_code == 401
    assert get_token(Client(), a.client_id, a.secret).status_code == 401


def test_an_inactive_client_gets_no_token_and_its_tokens_are_refused(world):
    a = world["a"]
    ApiClient.objects.filter(pk=a.client.pk).update(active=False)
    assert a.get("/api/v1/dossiers").status_code == 401
    assert get_token(Client(), a.client_id, a.secret).status_code == 401


def test_rotation_gives_a_new_secret_and_the_old_one_stops(world):
    a = world["a"]
    credentials = oauth.rotate_secret(ApiClient.objects.get(pk=a.client.pk))
    assert credentials.client_id == a.client_id and credentials.client_secret != a.secret
    assert a.get("/api/v1/dossiers").status_code == 401  # the old secret's token
    assert get_token(Client(), a.client_id, a.secret).status_code == 401
    fresh = get_token(Client(), a.client_id, credentials.client_secret)
    assert fresh.status_code == 200
    ok = Client().get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {fresh.json()['access_token']}")
    assert ok.status_code == 200
    assert ApiClient.objects.get(pk=a.client.pk).rotated_at is not None


@pytest.mark.parametrize(("scopes", "method", "path"), [
    (["dossiers:read"], "post", "/api/v1/dossiers/{code}/actions/receive"),
    (["dossiers:write"], "get", "/api/v1/dossiers/{code}"),
    (["catalogue:read"], "get", "/api/v1/dossiers"),
])
def test_a_token_without_the_scope_is_403_insufficient_scope(world, scopes, method, path):
    caller = make_caller(world["agency_a"], scopes=scopes, name="Hẹp")
    url = path.format(code=world["dossier_a"].code)
    answer = caller.get(url) if method == "get" else caller.post(url, {})
    assert answer.status_code == 403
    assert answer["Content-Type"].startswith("application/problem+json")
    assert 'error="insufficient_scope"' in answer["WWW-Authenticate"]
    assert answer.json()["type"].endswith("/insufficient-scope")
    world["dossier_a"].refresh_from_db()
    assert world["dossier_a"].status == "submitted"


def test_a_token_in_the_query_string_is_refused(world):
    a = world["a"]
    assert Client().get(f"/api/v1/dossiers?access_token={a.token}").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(world):
    a = world["a"]
    client = ApiClient.objects.get(pk=a.client.pk)
    assert client.last_used_at is None
    a.get("/api/v1/dossiers")
    first = ApiClient.objects.get(pk=a.client.pk).last_used_at
    assert first is not None
    a.get("/api/v1/dossiers")
    assert ApiClient.objects.get(pk=a.client.pk).last_used_at == first
    from django.core.cache import cache

    cache.delete(f"api-last-used:{client.pk}")  # the minute is over for the cache …
    a.get("/api/v1/dossiers")
    assert ApiClient.objects.get(pk=a.client.pk).last_used_at == first  # … but not for the database
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    cache.delete(f"api-last-used:{client.pk}")
    a.get("/api/v1/dossiers")
    assert ApiClient.objects.get(pk=a.client.pk).last_used_at > first
