"""API clients in the admin: an agency administrator registers clients for
their own agency only and sees the secret once; rotation and revocation;
another agency's client is a 404; staff in other roles have no access."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from accounts.models import StaffMembership, StaffRole
from api import oauth
from api.models import ApiClient
from tests.api.conftest import get_token
from tests.dossier_factories import make_staff
from tests.second_factor import pass_second_factor


@pytest.fixture
def boss(world):
    user = make_staff("quantri.tp", world["agency_a"], StaffRole.AGENCY_ADMIN)
    return pass_second_factor(Client(), user)


def secret_on(page) -> tuple[str, str]:
    html = page.content.decode()
    codes = re.findall(r"<code>([^<]+)</code>", html)
    return codes[0], codes[1]


def test_an_agency_administrator_registers_a_client_and_sees_the_secret_once(world, boss):
    form = boss.get("/admin/api-clients/new/")
    assert form.status_code == 200
    html = form.content.decode()
    assert "Sở Tư pháp" in html and "UBND phường Tân Lợi" not in html
    refused = boss.post("/admin/api-clients/new/", {"name": "Lạc chỗ", "agency": world["agency_b"].pk,
                                                    "scope_choices": ["dossiers:read"], "active": "on"})
    assert refused.status_code == 200 and not ApiClient.objects.filter(name="Lạc chỗ").exists()
    page = boss.post("/admin/api-clients/new/", {"name": "Một cửa điện tử", "agency": world["agency_a"].pk,
                                                 "scope_choices": ["dossiers:read", "dossiers:write"],
                                                 "active": "on"})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    client_id, secret = secret_on(page)
    client = ApiClient.objects.get(name="Một cửa điện tử")
    assert client.agency == world["agency_a"] and client.scope_list == ["dossiers:read", "dossiers:write"]
    assert client.application.client_id == client_id
    assert check_password(secret, client.application.client_secret) and secret not in client.application.client_secret
    assert get_token(Client(), client_id, secret).status_code == 200
    # never shown again
    for address in (f"/admin/api-clients/inspect/{client.pk}/", f"/admin/api-clients/edit/{client.pk}/",
                    "/admin/api-clients/"):
        shown = boss.get(address)
        assert shown.status_code == 200, address
        assert secret not in shown.content.decode()


def test_rotation_and_revocation_in_the_admin(world, boss):
    client, credentials = oauth.register(name="Một cửa", agency=world["agency_a"], scopes=["dossiers:read"])
    confirm = boss.get(f"/admin/api-clients/rotate/{client.pk}/")
    assert confirm.status_code == 200
    assert get_token(Client(), credentials.client_id, credentials.client_secret).status_code == 200
    page = boss.post(f"/admin/api-clients/rotate/{client.pk}/")
    _client_id, new_secret = secret_on(page)
    assert new_secret != credentials.client_secret
    assert get_token(Client(), credentials.client_id, credentials.client_secret).status_code == 401
    assert get_token(Client(), credentials.client_id, new_secret).status_code == 200
    assert boss.post(f"/admin/api-clients/revoke/{client.pk}/").status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None and not client.active
    assert get_token(Client(), credentials.client_id, new_secret).status_code == 401


def test_changing_scopes_revokes_the_tokens(world, boss):
    a = world["a"]
    assert a.get("/api/v1/dossiers").status_code == 200
    client = ApiClient.objects.get(pk=a.client.pk)
    answer = boss.post(f"/admin/api-clients/edit/{client.pk}/", {"name": client.name, "agency": client.agency_id,
                                                                 "scope_choices": ["dossiers:read"], "active": "on"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    client.refresh_from_db()
    assert client.scope_list == ["dossiers:read"] and client.agency == world["agency_a"]
    assert a.get("/api/v1/dossiers").status_code == 401
    a.fetch_token()
    assert a.get("/api/v1/dossiers").status_code == 200
    assert a.post(f"/api/v1/dossiers/{world['dossier_a'].code}/acknowledge", {}).status_code == 403


def test_another_agencys_client_is_a_404_in_every_view(world, boss):
    theirs = world["b"].client
    for address in (f"/admin/api-clients/inspect/{theirs.pk}/", f"/admin/api-clients/edit/{theirs.pk}/",
                    f"/admin/api-clients/rotate/{theirs.pk}/", f"/admin/api-clients/revoke/{theirs.pk}/",
                    f"/admin/api-clients/history/{theirs.pk}/", f"/admin/api-clients/usage/{theirs.pk}/"):
        assert boss.get(address).status_code == 404, address
    assert boss.post(f"/admin/api-clients/revoke/{theirs.pk}/").status_code == 404
    assert boss.post(f"/admin/api-clients/rotate/{theirs.pk}/").status_code == 404
    listing = boss.get("/admin/api-clients/").content.decode()
    assert "Một cửa Sở Tư pháp" in listing and "Một cửa phường" not in listing
    theirs.refresh_from_db()
    assert theirs.is_usable


def test_other_staff_roles_cannot_manage_clients(world):
    receiver = make_staff("tiepnhan.tp", world["agency_a"], StaffRole.RECEIVER, StaffRole.LEADER)
    http = pass_second_factor(Client(), receiver)
    for address in ("/admin/api-clients/", "/admin/api-clients/new/",
                    f"/admin/api-clients/rotate/{world['a'].client.pk}/"):
        answer = http.get(address)
        assert answer.status_code in (302, 403, 404), address
        if answer.status_code == 302:
            assert answer["Location"] == "/admin/"
    assert StaffMembership.objects.filter(user=receiver).count() == 2
