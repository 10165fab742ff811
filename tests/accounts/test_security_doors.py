"""The doors into the portal: /admin/login/ and its password reset held to
the citizens' door's limits and rules, the client's address behind proxies,
the look-up's limit per ID number, and longer passwords for staff."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.models import Consent, User
from core.client import client_ip

pytestmark = pytest.mark.django_db

STAFF_PASSWORD = "Bien-tap-vien-2026"
CITIZEN_PASSWORD = "Khong-doan-duoc-2025"
AUTH_KEY = "_auth_user_id"
TOO_MANY = "Đăng nhập sai quá nhiều lần"


@pytest.fixture
def staff(db):
    user = User.objects.create_superuser("editor", "editor@example.vn", STAFF_PASSWORD)
    EmailAddress.objects.create(user=user, email="editor@example.vn", verified=True, primary=True)
    return user


@pytest.fixture
def citizen(db):
    user = User.objects.create_user("lan", "lan@example.com", CITIZEN_PASSWORD)
    EmailAddress.objects.create(user=user, email="lan@example.com", verified=True, primary=True)
    return user


def admin_login(client, login, password, **extra):
    return client.post("/admin/login/", {"username": login, "password": password}, **extra)


def citizen_login(client, login, password, **extra):
    return client.post("/accounts/login/", {"login": login, "password": password}, **extra)


def signed_in(client) -> bool:
    return AUTH_KEY in client.session


def form_errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


# ---------------------------------------------------------------- finding 2: /admin/login/


def test_finding_02_admin_login_stops_after_the_failed_login_limit(client, staff):
    for _ in range(60):
        admin_login(client, "editor", "sai-mat-khau")
    response = admin_login(client, "editor", STAFF_PASSWORD)
    assert response.status_code == 200
    assert not signed_in(client)
    assert TOO_MANY in response.content.decode()


def test_finding_02_both_doors_share_one_failure_budget_per_account(client, staff, citizen):
    # five failures at the admin door lock the citizens' door for that email...
    for _ in range(5):
        admin_login(client, "lan@example.com", "sai-mat-khau", REMOTE_ADDR="10.9.0.1")
    response = citizen_login(client, "lan@example.com", CITIZEN_PASSWORD, REMOTE_ADDR="10.9.0.2")
    assert TOO_MANY in response.content.decode() and not signed_in(client)
    # ...and five at the citizens' door lock the admin door.
    for _ in range(5):
        citizen_login(client, "editor@example.vn", "sai-mat-khau", REMOTE_ADDR="10.9.0.3")
    response = admin_login(client, "editor@example.vn", STAFF_PASSWORD, REMOTE_ADDR="10.9.0.4")
    assert TOO_MANY in response.content.decode() and not signed_in(client)


def test_finding_02_citizens_get_the_wrong_credentials_answer_and_no_session(client, citizen):
    Authenticator.objects.create(user=citizen, type=Authenticator.Type.TOTP, data={})  # their own second factor
    wrong = admin_login(client, "lan@example.com", "sai-mat-khau")
    for login in ("lan@example.com", "LAN@example.com", "lan"):
        right = admin_login(client, login, CITIZEN_PASSWORD)
        assert right.status_code == 200, login
        assert not signed_in(client), login
        assert form_errors(right) == form_errors(wrong), login
    # the right password counts as a failure: nothing tells it apart from a wrong one
    for _ in range(2):
        admin_login(client, "lan@example.com", CITIZEN_PASSWORD)
    response = citizen_login(client, "lan@example.com", CITIZEN_PASSWORD, REMOTE_ADDR="10.9.0.9")
    assert TOO_MANY in response.content.decode() and not signed_in(client)


def test_finding_02_an_unverified_sign_up_never_signs_in(client, db):
    response = client.post("/accounts/signup/", {"email": "moi@example.com", "password1": CITIZEN_PASSWORD,
                                                 "password2": CITIZEN_PASSWORD, "consent": "on"})
    assert response.status_code == 302
    client.logout()
    user = User.objects.get(email="moi@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    user.is_staff = True  # even with admin access
    user.is_superuser = True
    user.save()

    for login in ("moi@example.com", user.username):
        admin_login(client, login, CITIZEN_PASSWORD)
        assert not signed_in(client), login
    response = citizen_login(client, "moi@example.com", CITIZEN_PASSWORD)
    assert response["Location"] == "/accounts/confirm-email/"  # allauth sends the link again
    assert not signed_in(client)
    # no other caller of authenticate() lets it in either
    assert authenticate(username=user.username, password=CITIZEN_PASSWORD) is None
    assert authenticate(username="moi@example.com", password=CITIZEN_PASSWORD) is None
    assert authenticate(email="moi@example.com", password=CITIZEN_PASSWORD) is None


def test_staff_sign_in_at_the_admin_with_username_or_email(client, staff):
    for login in ("editor", "editor@example.vn"):
        response = admin_login(client, login, STAFF_PASSWORD)
        assert response.status_code == 302, login
        assert client.session[AUTH_KEY] == str(staff.pk)
        client.logout()
    # staff created in the admin have no allauth email row; they sign in too
    User.objects.create_superuser("moderator", "mod@example.vn", STAFF_PASSWORD)
    assert admin_login(client, "moderator", STAFF_PASSWORD).status_code == 302


def test_finding_02_admin_password_reset_is_rate_limited(client, staff, citizen):
    for _ in range(3):
        assert client.post("/admin/password_reset/", {"email": "editor@example.vn"}).status_code == 302
    assert client.post("/admin/password_reset/", {"email": "editor@example.vn"}).status_code == 429
    assert len([m for m in mail.outbox if m.to == ["editor@example.vn"]]) == 3
    # per address as well, and citizens get no admin reset mail
    for n in range(9):
        client.post("/admin/password_reset/", {"email": f"p{n}@example.com"}, REMOTE_ADDR="10.8.0.1")
    assert client.post("/admin/password_reset/", {"email": "lan@example.com"},
                       REMOTE_ADDR="10.8.0.1").status_code == 302
    assert client.post("/admin/password_reset/", {"email": "p99@example.com"},
                       REMOTE_ADDR="10.8.0.1").status_code == 429
    assert not [m for m in mail.outbox if m.to == ["lan@example.com"]]


# ---------------------------------------------------------------- finding 6: the client's address


def _request(remote="10.0.0.254", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


def test_finding_06_client_ip_counts_trusted_proxies_from_the_right(settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(forwarded="198.51.100.1")) == "10.0.0.254"  # no proxy trusted: header ignored
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(forwarded="203.0.113.5")) == "203.0.113.5"
    assert client_ip(_request(forwarded="1.2.3.4, 203.0.113.5")) == "203.0.113.5"  # spoofed leftmost ignored
    assert client_ip(_request(forwarded="nonsense")) == "10.0.0.254"
    assert client_ip(_request()) == "10.0.0.254"
    settings.PORTAL_TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(forwarded="1.2.3.4, 203.0.113.5, 10.0.0.7")) == "203.0.113.5"
    assert client_ip(_request(forwarded="[2001:db8::5]:443, 10.0.0.7")) == "2001:db8::5"
    for request in (_request(forwarded="9.9.9.9, 203.0.113.5"), _request(forwarded="203.0.113.5, 10.0.0.7"),
                    _request()):
        assert get_adapter().get_client_ip(request) == client_ip(request)


def test_finding_06_behind_a_proxy_each_client_has_its_own_login_limit(client, citizen, settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    for n in range(10):
        citizen_login(client, f"user{n}@example.com", "sai", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    # the attacker is locked out, even when it writes someone else's address first
    response = citizen_login(client, "lan@example.com", CITIZEN_PASSWORD,
                             HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.66", **proxy)
    assert TOO_MANY in response.content.decode()
    response = admin_login(client, "x@example.com", "sai", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    assert TOO_MANY in response.content.decode()
    # another citizen behind the same proxy is not
    response = citizen_login(client, "lan@example.com", CITIZEN_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7",
                             **proxy)
    assert response.status_code == 302 and signed_in(client)


def test_finding_06_behind_a_proxy_each_client_has_its_own_lookup_limit(client, settings):
    from eforms import lookup

    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.254"}

    def look_up(forwarded, n):
        return client.post("/lookup/", {"way": "code", "c-code": f"000.00.10.H30-200101-{n:04d}",
                                        "c-secret": "0912345678"}, HTTP_X_FORWARDED_FOR=forwarded, **proxy)

    attempts, _seconds = lookup.RATE_PER_ADDRESS
    for n in range(attempts):
        assert look_up("203.0.113.66", n).status_code == 200
    assert look_up("203.0.113.66", 99).status_code == 429
    assert look_up("198.51.100.7, 203.0.113.66", 98).status_code == 429
    assert look_up("198.51.100.7", 97).status_code == 200


def test_finding_06_consent_and_audit_log_store_the_client_address(client, settings):
    from wagtail.models import ModelLogEntry

    from eforms.uploads import UploadRules, check_file, store
    from tests.dossier_factories import make_citizen, make_procedure, make_staff, pdf_bytes, submit, upload
    from tests.second_factor import pass_second_factor

    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.254", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 203.0.113.21"}
    client.post("/accounts/signup/", {"email": "moi@example.com", "password1": CITIZEN_PASSWORD,
                                      "password2": CITIZEN_PASSWORD, "consent": "on"}, **proxy)
    assert Consent.objects.get(user__email="moi@example.com").ip_address == "203.0.113.21"

    procedure = make_procedure()
    applicant = make_citizen("an")
    attachment = store(check_file(upload("cccd.pdf", pdf_bytes("CCCD")), UploadRules.default(), "ban_sao_cccd"),
                       uploaded_by=applicant)
    submit(procedure, applicant, attachments=[attachment])
    attachment.refresh_from_db()
    pass_second_factor(client, make_staff("clerk", procedure.agency, "receiver"))
    with translation.override("vi"):
        response = client.get(reverse("dossier_attachment", kwargs={"public_id": attachment.public_id}), **proxy)
    assert response.status_code == 200
    entry = ModelLogEntry.objects.get(action="eforms.attachment_download")
    assert entry.data["ip"] == "203.0.113.21"


def _run_production(code, tmp_path, extra_env):
    from tests.config.test_foundation_ops import _run_production as run

    return run(code, tmp_path, extra_env)


def test_finding_06_production_refuses_to_start_without_a_shared_cache(tmp_path):
    for value in ("", "locmem://"):
        result = _run_production("import django; django.setup()", tmp_path, {"DJANGO_CACHE_URL": value})
        assert result.returncode != 0, value
        assert "DJANGO_CACHE_URL must name a cache shared by every worker" in result.stderr, value
    code = ("import django; django.setup(); from django.conf import settings as s;"
            "print(s.PORTAL_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT)")
    result = _run_production(code, tmp_path, {"DJANGO_BEHIND_PROXY": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["1", "1"]


# ---------------------------------------------------------------- finding 12: look-up per ID number


def test_finding_12_lookup_is_limited_per_id_number_across_addresses(client, monkeypatch):
    from eforms import lifecycle, lookup
    from tests.dossier_factories import JUSTICE_CODE, make_agency, make_citizen, make_procedure, make_staff, submit

    citizen = make_citizen("an", id_number="001099012345", full_name="Nguyễn Văn An")
    dossier = submit(make_procedure(), citizen)
    lifecycle.receive(dossier, lifecycle.Actor.staff(make_staff("clerk", make_agency(JUSTICE_CODE, "Sở Tư pháp"),
                                                                "receiver")))

    def guess(birth: dt.date, n: int):
        return client.post("/lookup/", {"way": "person", "p-id_number": "001099012345",
                                        "p-full_name": "Nguyễn Văn An", "p-date_of_birth": birth.strftime("%d/%m/%Y")},
                           REMOTE_ADDR=f"10.4.{n // 250}.{n % 250 + 1}")

    attempts, seconds = lookup.RATE_PER_ID_NUMBER
    assert attempts <= 10 and seconds >= 3600
    start = dt.date(1990, 1, 1)
    for n in range(attempts):
        assert guess(start + dt.timedelta(days=n), n).status_code == 200
    # the right birth date, from yet another address, is refused now
    right = dt.date(1990, 5, 17)
    assert guess(right, 500).status_code == 429
    # and the limit ends by itself with its window
    now = lookup.clock()
    monkeypatch.setattr(lookup, "clock", lambda: now + seconds)
    response = guess(right, 501)
    assert response.status_code == 200 and dossier.code in response.content.decode()


# ---------------------------------------------------------------- finding 17: staff passwords


def test_finding_17_staff_need_12_characters_citizens_8(staff, citizen):
    from django.contrib.auth.forms import SetPasswordForm

    from tests.dossier_factories import make_agency, make_staff

    eleven = "Kq7#mz2!vbx"
    member = make_staff("clerk", make_agency("000.20.30.H30", "UBND phường"), "receiver")
    for user in (staff, member):
        with pytest.raises(ValidationError):
            validate_password(eleven, user=user)
        form = SetPasswordForm(user, {"new_password1": eleven, "new_password2": eleven})
        assert not form.is_valid()
    validate_password(eleven + "p", user=staff)
    validate_password("Kq7#mz2!", user=citizen)  # eight characters are enough for a citizen


def test_finding_17_admin_user_forms_ask_staff_for_12_characters(db):
    from wagtail.users.forms import UserCreationForm

    eleven = "Kq7#mz2!vbx"
    data = {"username": "newadmin", "email": "new@example.vn", "first_name": "A", "last_name": "B",
            "password1": eleven, "password2": eleven, "is_superuser": "on"}
    form = UserCreationForm(data)
    assert not form.is_valid()
    assert "password2" in form.errors


def test_finding_17_a_short_staff_password_cannot_enter_the_admin(client, db):
    user = User.objects.create_superuser("old-admin", "old@example.vn", "x")
    user.set_password("Kq7#mz2!vbx")  # set before the rule, bypassing validation
    user.save()
    response = admin_login(client, "old-admin", "Kq7#mz2!vbx")
    assert response.status_code == 200 and not signed_in(client)
    assert "12" in " ".join(form_errors(response))
