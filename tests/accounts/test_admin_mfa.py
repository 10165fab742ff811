"""Staff reach /admin/ only with a second factor (TOTP), enforced by
accounts.mfa.AdminSecondFactorMiddleware after Wagtail's own login."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.utils import translation

from accounts import mfa
from accounts.enrolment import issue_code
from accounts.signals import LOGIN_METHOD_SESSION_KEY
from accounts.totp import activate
from accounts.totp import generate_secret as generate_totp_secret
from tests.second_factor import totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "staff-Pass-2026"


def in_any_language(message, text: str) -> bool:
    for language in ("vi", "en"):
        with translation.override(language):
            if str(message) in text:
                return True
    return False


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.vn", PASSWORD)


def admin_login(client, user):
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step itself must pass"
    return response


def test_staff_without_a_second_factor_is_refused_and_sent_to_set_one_up(client, staff):
    admin_login(client, staff)
    assert client.session[LOGIN_METHOD_SESSION_KEY] == "email"

    for url in ("/admin/", "/admin/pages/", "/admin/users/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/second-factor/setup/?next="), url
    assert client.get("/admin/second-factor/").status_code == 302  # nothing to verify yet: set up first


def test_setting_up_totp_with_a_valid_code_lets_staff_in(client, staff):
    admin_login(client, staff)
    page = client.get("/admin/second-factor/setup/?next=/admin/pages/")
    assert page.status_code == 200
    shown = re.search(r'data-testid="totp-secret"[^>]*>([A-Z2-7 ]+)<', page.content.decode()).group(1)
    secret = shown.replace(" ", "")
    assert "<svg" in page.content.decode()

    enrolment_code = issue_code(staff)
    wrong = client.post("/admin/second-factor/setup/", {"enrolment_code": enrolment_code,
                                                        "code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert not Authenticator.objects.filter(user=staff).exists()

    response = client.post("/admin/second-factor/setup/", {"enrolment_code": enrolment_code, "code": totp_code(secret),
                                                           "next": "/admin/pages/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/users/").status_code == 200


def test_staff_with_an_authenticator_passes_only_with_a_valid_code(client, staff):
    secret = generate_totp_secret()
    activate(staff, secret)
    admin_login(client, staff)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/second-factor/?next=%2Fadmin%2F"

    bad_code = "000000" if totp_code(secret) != "000000" else "111111"
    refused = client.post("/admin/second-factor/", {"code": bad_code, "next": "/admin/"})
    assert refused.status_code == 400
    assert client.get("/admin/").status_code == 302

    passed = client.post("/admin/second-factor/", {"code": totp_code(secret), "next": "https://evil.example/"})
    assert passed.status_code == 302
    assert passed["Location"] == "/admin/", "an outside next URL is never followed"
    assert client.get("/admin/users/").status_code == 200


def test_a_code_cannot_be_replayed_and_a_new_login_asks_again(client, staff):
    secret = generate_totp_secret()
    activate(staff, secret)
    code = totp_code(secret)
    admin_login(client, staff)
    assert client.post("/admin/second-factor/", {"code": code}).status_code == 302
    assert client.get("/admin/users/").status_code == 200

    client.post("/admin/logout/")
    admin_login(client, staff)
    assert client.get("/admin/").status_code == 302
    assert client.post("/admin/second-factor/", {"code": code}).status_code == 400
    assert client.get("/admin/").status_code == 302


def test_wrong_codes_lock_the_check(client, staff):
    secret = generate_totp_secret()
    activate(staff, secret)
    admin_login(client, staff)
    good = totp_code(secret)
    bad = "000000" if good != "000000" else "111111"
    for _ in range(mfa.MAX_FAILURES):
        client.post("/admin/second-factor/", {"code": bad})

    response = client.post("/admin/second-factor/", {"code": good})
    assert response.status_code == 400
    assert in_any_language(mfa.LOCKED_OUT_MESSAGE, response.content.decode())
    assert client.get("/admin/").status_code == 302


def test_an_authenticator_cannot_be_replaced_on_a_password_alone(client, staff):
    activate(staff, generate_totp_secret())
    admin_login(client, staff)
    response = client.get("/admin/second-factor/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/second-factor/?")
    assert Authenticator.objects.filter(user=staff).count() == 1


def test_citizens_are_not_let_into_the_admin(client, django_user_model):
    citizen = django_user_model.objects.create_user("dan", "dan@example.vn", PASSWORD)
    client.force_login(citizen)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_lost_authenticator_is_reset_by_command(client, staff):

    from django.core.management import call_command

    activate(staff, generate_totp_secret())
    call_command("reset_second_factor", "editor@example.vn")
    assert not Authenticator.objects.filter(user=staff).exists()
    admin_login(client, staff)
    assert client.get("/admin/")["Location"].startswith("/admin/second-factor/setup/")
