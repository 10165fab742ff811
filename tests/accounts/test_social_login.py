"""Social and OpenID Connect login against a real OpenID Connect provider
(tests/oidc_provider, django-oauth-toolkit in its own process on loopback).

The portal side runs in Django's test client; the citizen's part at the
provider (sign in, consent) is played over HTTP; the portal exchanges the
code, fetches the keys and userinfo from the provider for real.
"""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from accounts.signals import LOGIN_METHOD_SESSION_KEY
from accounts.social import STAFF_REFUSED_MESSAGE
from config.settings.base import oidc_apps_from_env
from tests.oidc_provider.fixtures import local_path, oidc_provider  # noqa: F401

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/oidc/vneid/login/"


@pytest.fixture(autouse=True)
def plain_http(settings):
    """Production sends https callback URLs; the test client speaks http."""
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"


def sign_in_with_provider(client, provider, username, *, allow=True, process=None):
    """Portal button → provider (sign in, consent) → portal callback; returns
    the portal's answer to the callback."""
    data = {"process": process} if process else {}
    start = client.post(LOGIN_URL, data)
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(provider.issuer + "/authorize/")
    callback = provider.consent(start["Location"], username, allow=allow)
    assert callback.startswith("http://testserver/accounts/oidc/vneid/login/callback/"), callback
    return client.get(local_path(callback))


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def make_user(email, password="a-Strong-pass-42", **fields):
    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_oidc_login_signs_up_with_a_verified_profile(client, oidc_provider):  # noqa: F811
    oidc_provider.social_app()
    response = sign_in_with_provider(client, oidc_provider, "citizen")

    assert response.status_code == 302
    user = get_user_model().objects.get(email="mai.nguyen@example.vn")
    assert signed_in_user_id(client) == str(user.pk)
    assert client.session[LOGIN_METHOD_SESSION_KEY] == "vneid"
    assert EmailAddress.objects.get(user=user, email="mai.nguyen@example.vn").verified
    assert SocialAccount.objects.get(user=user).provider == "vneid"

    profile = user.profile
    assert profile.full_name == "Nguyễn Thị Mai"
    assert profile.date_of_birth == datetime.date(1990, 5, 17)
    assert profile.id_number == "066190001234"
    assert profile.phone == "0912345678"
    assert set(profile.verified_fields) == {"full_name", "date_of_birth", "id_number", "phone"}
    assert profile.verified_by == "vneid"


def test_provider_refusal_creates_no_account(client, oidc_provider):  # noqa: F811
    oidc_provider.social_app()
    users_before = get_user_model().objects.count()

    response = sign_in_with_provider(client, oidc_provider, "citizen", allow=False)

    assert response.status_code == 302
    response = client.get(response["Location"])
    assert "socialaccount/login_cancelled.html" in [t.name for t in response.templates]
    assert get_user_model().objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert signed_in_user_id(client) is None


def test_unverified_email_does_not_take_over_an_existing_account(client, oidc_provider):  # noqa: F811
    oidc_provider.social_app()
    owner = make_user("owner@example.vn")
    users_before = get_user_model().objects.count()

    sign_in_with_provider(client, oidc_provider, "unverified")

    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()
    assert get_user_model().objects.count() == users_before
    owner.refresh_from_db()
    assert owner.check_password("a-Strong-pass-42")


def test_verified_email_logs_into_a_citizen_account_only_where_the_operator_allows_it(client, oidc_provider):  # noqa: F811
    """The control for the staff test below: with email authentication
    switched on for a provider, a provider-verified email does sign in to
    an ordinary citizen's account."""
    oidc_provider.social_app(email_authentication=True)
    owner = make_user("owner@example.vn")

    sign_in_with_provider(client, oidc_provider, "owner")

    assert signed_in_user_id(client) == str(owner.pk)


def test_verified_email_never_takes_over_a_staff_account(client, oidc_provider):  # noqa: F811
    oidc_provider.social_app(email_authentication=True)
    staff = make_user("staff@example.vn", is_staff=True)

    sign_in_with_provider(client, oidc_provider, "staffmail")

    assert signed_in_user_id(client) != str(staff.pk)
    assert not SocialAccount.objects.filter(user=staff).exists()
    staff.refresh_from_db()
    assert staff.check_password("a-Strong-pass-42"), "the staff password must not be wiped"


def test_default_settings_never_sign_in_by_email_even_when_verified(client, oidc_provider):  # noqa: F811
    oidc_provider.social_app()
    owner = make_user("owner@example.vn")

    sign_in_with_provider(client, oidc_provider, "owner")

    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.filter(user=owner).exists()


def test_citizen_links_the_provider_after_signing_in(client, oidc_provider):  # noqa: F811
    oidc_provider.social_app()
    owner = make_user("owner@example.vn")
    client.force_login(owner)

    sign_in_with_provider(client, oidc_provider, "owner", process="connect")
    assert SocialAccount.objects.get(provider="vneid").user == owner

    client.logout()
    sign_in_with_provider(client, oidc_provider, "owner")
    assert signed_in_user_id(client) == str(owner.pk)
    assert client.session[LOGIN_METHOD_SESSION_KEY] == "vneid"
    assert owner.profile.verified_by == "vneid"
    assert owner.profile.full_name == "Lê Văn Chủ"


def test_staff_cannot_link_a_provider(client, oidc_provider):  # noqa: F811
    oidc_provider.social_app()
    staff = make_user("staff@example.vn", is_staff=True)
    client.force_login(staff)

    response = sign_in_with_provider(client, oidc_provider, "staffmail", process="connect")

    assert response.status_code == 302
    assert not SocialAccount.objects.exists()
    messages = [m.message for m in response.wsgi_request._messages]
    assert STAFF_REFUSED_MESSAGE in messages


def test_a_link_made_before_promotion_to_staff_no_longer_signs_in(client, oidc_provider):  # noqa: F811
    oidc_provider.social_app()
    owner = make_user("owner@example.vn")
    client.force_login(owner)
    sign_in_with_provider(client, oidc_provider, "owner", process="connect")
    client.logout()
    owner.is_staff = True
    owner.save()

    sign_in_with_provider(client, oidc_provider, "owner")

    assert signed_in_user_id(client) is None


def test_password_login_records_the_email_method(client):
    make_user("citizen@example.vn")
    response = client.post("/accounts/login/", {"login": "citizen@example.vn", "password": "a-Strong-pass-42"})
    assert response.status_code == 302
    assert client.session[LOGIN_METHOD_SESSION_KEY] == "email"


def test_oidc_providers_come_from_the_environment():
    environ = {
        "OIDC_PROVIDERS": "vneid, keycloak ,half",
        "OIDC_VNEID_CLIENT_ID": "portal",
        "OIDC_VNEID_SECRET": "s3cret",
        "OIDC_VNEID_SERVER_URL": "https://sso.example.gov.vn/",
        "OIDC_VNEID_NAME": "VNeID",
        "OIDC_VNEID_CLAIMS": '{"id_number": "cccd"}',
        "OIDC_VNEID_SCOPES": "openid profile, phone",
        "OIDC_KEYCLOAK_CLIENT_ID": "portal",
        "OIDC_KEYCLOAK_SERVER_URL": "https://id.example.org/realms/x",
        "OIDC_KEYCLOAK_PKCE": "false",
        "OIDC_KEYCLOAK_VERIFIES_IDENTITY": "no",
        "OIDC_KEYCLOAK_TOKEN_AUTH_METHOD": "client_secret_post",
        "OIDC_HALF_CLIENT_ID": "no server url, so skipped",
    }
    vneid, keycloak = oidc_apps_from_env(environ)
    assert vneid == {
        "provider_id": "vneid",
        "name": "VNeID",
        "client_id": "portal",
        "secret": "s3cret",
        "settings": {
            "server_url": "https://sso.example.gov.vn",
            "oauth_pkce_enabled": True,
            "verifies_identity": True,
            "scope": ["openid", "profile", "phone"],
            "claims": {"id_number": "cccd"},
        },
    }
    assert keycloak["name"] == "keycloak"
    assert keycloak["settings"]["oauth_pkce_enabled"] is False
    assert keycloak["settings"]["verifies_identity"] is False
    assert keycloak["settings"]["token_auth_method"] == "client_secret_post"
    with pytest.raises(ValueError):
        oidc_apps_from_env({"OIDC_PROVIDERS": "Bad Id"})


def test_an_administrator_adds_an_identity_provider_in_the_admin(admin_client_with_second_factor):
    from allauth.socialaccount.models import SocialApp
    from django.test import Client

    admin = admin_client_with_second_factor
    assert admin.get("/admin/identity_providers/new/").status_code == 200
    refused = admin.post(
        "/admin/identity_providers/new/",
        {"provider": "openid_connect", "provider_id": "", "name": "VNeID", "client_id": "portal", "secret": "s",
         "server_url": "", "settings": ""},
    )
    assert refused.status_code == 200, "an OIDC provider without issuer or id is refused"
    assert not SocialApp.objects.exists()

    response = admin.post(
        "/admin/identity_providers/new/",
        {"provider": "openid_connect", "provider_id": "vneid", "name": "VNeID", "client_id": "portal",
         "secret": "s3cret", "server_url": "https://sso.example.gov.vn/", "settings": '{"claims": {"id_number": "cccd"}}'},
    )
    assert response.status_code == 302
    app = SocialApp.objects.get(provider_id="vneid")
    assert app.settings == {"server_url": "https://sso.example.gov.vn", "claims": {"id_number": "cccd"}}
    assert app.secret == "s3cret"
    assert "s3cret" not in admin.get(f"/admin/identity_providers/edit/{app.pk}/").content.decode()

    login_page = Client().get("/accounts/login/").content.decode()
    assert 'data-provider="vneid"' in login_page
    assert 'action="/accounts/oidc/vneid/login/' in login_page


def social_login_for(user, provider, extra_data):
    from allauth.socialaccount.models import SocialLogin

    account = SocialAccount(provider=provider, uid="uid-1", extra_data=extra_data, user=user)
    return SocialLogin(user=user, account=account)


def test_google_only_fills_empty_fields_and_vouches_for_nothing(rf):
    from allauth.core import context
    from allauth.socialaccount.models import SocialApp

    from accounts.models import CitizenProfile
    from accounts.social import profile_from_claims

    SocialApp.objects.create(provider="google", name="Google", client_id="g", secret="s")
    user = make_user("g@example.vn")
    CitizenProfile.objects.create(user=user, full_name="Tên Tự Nhập")
    login = social_login_for(user, "google", {"name": "Another Name", "phone_number": "0912 345 678"})
    with context.request_context(rf.get("/")):
        profile = profile_from_claims(user, login)
    assert profile.full_name == "Tên Tự Nhập"
    assert profile.phone == "0912345678"
    assert profile.verified_fields == []
    assert profile.verified_by == ""


def test_an_identity_provider_maps_its_own_claim_names_and_bad_values_are_dropped(rf):
    from allauth.core import context
    from allauth.socialaccount.models import SocialApp

    from accounts.social import profile_from_claims

    SocialApp.objects.create(provider="openid_connect", provider_id="vneid", name="VNeID", client_id="c",
                             settings={"server_url": "https://sso.example.gov.vn", "claims": {"id_number": "cccd"}})
    user = make_user("v@example.vn")
    claims = {"sub": "1", "name": "Phạm Văn Bình", "cccd": "066085000111", "birthdate": "1985-01-02",
              "phone_number": "12345", "id_number": "999999999999"}
    login = social_login_for(user, "vneid", {"userinfo": claims, "id_token": {"sub": "1"}})
    with context.request_context(rf.get("/")):
        profile = profile_from_claims(user, login)
    assert profile.id_number == "066085000111"
    assert profile.phone == "", "an invalid phone claim is not stored"
    assert set(profile.verified_fields) == {"full_name", "date_of_birth", "id_number"}
    assert profile.verified_by == "vneid"
