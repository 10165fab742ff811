"""Email accounts with django-allauth, in Vietnamese and English: sign-up
with consent and email verification, login, logout, password reset, email
change; rate limits per IP and per account that end by themselves and never
tell whether an email has an account."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from accounts.models import Consent, User

PASSWORD = "Khong-doan-duoc-2025"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    user = User.objects.create_user("lan", "lan@example.com", PASSWORD)
    EmailAddress.objects.create(user=user, email="lan@example.com", verified=True, primary=True)
    return user


def _main(response) -> str:
    return response.content.decode().split('<main id="main"')[1].split("</main>")[0]


# ---------------------------------------------------------------- screens in both languages

SCREENS = [
    ("/accounts/login/", "Đăng nhập", "Log in"),
    ("/accounts/signup/", "Đăng ký tài khoản", "Create an account"),
    ("/accounts/password/reset/", "Đặt lại mật khẩu", "Password Reset"),
    ("/accounts/password/reset/done/", "Chúng tôi đã gửi email cho bạn", "We have sent you an email"),
    ("/accounts/confirm-email/", "Xác nhận địa chỉ email của bạn", "Verify Your Email Address"),
    ("/accounts/privacy/notice/", "Thông báo xử lý dữ liệu cá nhân", "Privacy notice"),
]
SIGNED_IN_SCREENS = [
    ("/accounts/profile/", "Hồ sơ của tôi", "My profile"),
    ("/accounts/email/", "Đổi email", "Change Email"),
    ("/accounts/password/change/", "Đổi mật khẩu", "Change Password"),
    ("/accounts/logout/", "Bạn có muốn đăng xuất khỏi Cổng?", "Do you want to log out of the portal?"),
    ("/accounts/privacy/", "Dữ liệu và quyền riêng tư của tôi", "My data and privacy"),
    ("/accounts/privacy/delete/", "Xóa tài khoản của tôi", "Delete my account"),
]


@pytest.mark.parametrize(("url", "vi", "en"), SCREENS)
def test_screens_render_in_vietnamese_and_english(client, db, url, vi, en):
    response = client.get(url)
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert vi in _main(response)
    assert en not in _main(response)
    response = client.get("/en" + url)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert en in _main(response)
    # the portal's own frame (header, footer), not allauth's bare layout
    assert 'class="site-header"' in response.content.decode()


@pytest.mark.parametrize(("url", "vi", "en"), SIGNED_IN_SCREENS)
def test_signed_in_screens_render_in_vietnamese_and_english(client, member, url, vi, en):
    client.force_login(member)
    assert vi in _main(client.get(url))
    assert en in _main(client.get("/en" + url))


def test_vietnamese_login_form_has_no_english_left(client, db):
    text = re.sub(r"<[^>]+>", " ", _main(client.get("/accounts/login/")))
    for english in ("Sign In", "Password", "Remember Me", "Forgot your password", "Email address"):
        assert english not in text


# ---------------------------------------------------------------- sign-up


def test_signup_states_purposes_and_takes_explicit_consent(client, db):
    page = _main(client.get("/accounts/signup/"))
    for purpose in ("Địa chỉ email", "Để đăng nhập, xác nhận địa chỉ là của bạn",
                    "Mật khẩu chỉ được lưu dưới dạng băm một chiều", "Nghị định 13/2023/NĐ-CP"):
        assert purpose in page
    consent_box = re.search(r'<input[^>]*name="consent"[^>]*>', page).group(0)
    assert "checked" not in consent_box  # never pre-ticked

    response = client.post("/accounts/signup/", {"email": "moi@example.com", "password1": PASSWORD,
                                                 "password2": PASSWORD})
    assert response.status_code == 200
    assert "Để tạo tài khoản, bạn cần đồng ý cho xử lý dữ liệu của mình." in response.content.decode()
    assert 'value="moi@example.com"' in response.content.decode()
    assert not User.objects.filter(email="moi@example.com").exists()


def test_signup_verifies_the_email_and_records_consent(client, db, settings):
    response = client.post("/accounts/signup/", {"email": "moi@example.com", "password1": PASSWORD,
                                                 "password2": PASSWORD, "consent": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="moi@example.com")
    consent = Consent.objects.get(user=user)
    assert consent.version == settings.PORTAL_PRIVACY_NOTICE_VERSION
    assert consent.given_at is not None
    assert consent.purposes == ["account", "dossiers", "notifications", "security"]
    assert consent.ip_address == "127.0.0.1"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["moi@example.com"]
    assert message.subject == "Vui lòng xác nhận địa chỉ email của bạn"
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)

    # not yet verified: cannot log in
    client.logout()
    response = client.post("/accounts/login/", {"login": "moi@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"

    page = client.get(link)
    assert "Xác nhận địa chỉ email" in page.content.decode()
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/accounts/profile/").status_code == 200  # logged in on confirmation


def test_english_signup_mail_is_in_english(client, db):
    client.post("/en/accounts/signup/", {"email": "new@example.com", "password1": PASSWORD,
                                         "password2": PASSWORD, "consent": "on"})
    assert mail.outbox[0].subject == "Please Confirm Your Email Address"
    assert "/en/accounts/confirm-email/" in mail.outbox[0].body


def test_signup_with_a_taken_email_does_not_say_so(client, member):
    response = client.post("/accounts/signup/", {"email": "lan@example.com", "password1": PASSWORD,
                                                 "password2": PASSWORD, "consent": "on"})
    # the same answer as for a new address; the owner gets a mail instead
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email__iexact="lan@example.com").count() == 1
    assert mail.outbox[0].to == ["lan@example.com"]
    assert mail.outbox[0].subject == "Tài khoản đã tồn tại"


# ---------------------------------------------------------------- login, logout


def test_login_and_logout(client, member):
    response = client.post("/accounts/login/", {"login": "lan@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert "Bạn đã đăng nhập." in client.get("/accounts/profile/").content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 302


def test_login_honours_a_safe_next_only(client, member):
    response = client.post("/accounts/login/?next=/search/", {"login": "lan@example.com", "password": PASSWORD})
    assert response["Location"] == "/search/"
    client.logout()
    cache.clear()
    response = client.post("/accounts/login/?next=https://evil.example/", {"login": "lan@example.com",
                                                                          "password": PASSWORD})
    assert response["Location"] == "/accounts/profile/"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, member):
    wrong = client.post("/accounts/login/", {"login": "lan@example.com", "password": "sai-mat-khau"})
    unknown = client.post("/accounts/login/", {"login": "ai-do@example.com", "password": "sai-mat-khau"})
    message = "Địa chỉ email hoặc mật khẩu không đúng."
    assert message in wrong.content.decode() and message in unknown.content.decode()


# ---------------------------------------------------------------- password reset, email change


def test_password_reset(client, member):
    response = client.post("/accounts/password/reset/", {"email": "lan@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    message = mail.outbox[0]
    assert message.subject == "Email đặt lại mật khẩu"
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", message.body).group(1)
    form_url = client.get(link)["Location"]  # allauth moves the key into the session
    response = client.post(form_url, {"password1": "Mat-khau-moi-2025", "password2": "Mat-khau-moi-2025"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Mat-khau-moi-2025")


def test_password_reset_does_not_reveal_unknown_addresses(client, member):
    known = client.post("/accounts/password/reset/", {"email": "lan@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "ai-do@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_email_change_needs_the_new_address_verified(client, member):
    client.force_login(member)
    response = client.post("/accounts/email/", {"action_add": "", "email": "lan.moi@example.com"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["lan.moi@example.com"]
    member.refresh_from_db()
    assert member.email == "lan@example.com"  # not changed until verified
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    client.post(link)
    member.refresh_from_db()
    assert member.email == "lan.moi@example.com"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", flat=True)) == ["lan.moi@example.com"]


# ---------------------------------------------------------------- rate limits


def _fail(client, email):
    return client.post("/accounts/login/", {"login": email, "password": "sai-mat-khau"})


def test_login_is_locked_per_account_and_the_lock_ends_by_itself(client, member, monkeypatch):
    for _ in range(5):
        assert "Địa chỉ email hoặc mật khẩu không đúng." in _fail(client, "lan@example.com").content.decode()
    # the right password no longer helps, and the message says for how long
    locked = client.post("/accounts/login/", {"login": "lan@example.com", "password": PASSWORD})
    assert locked.status_code == 200
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    assert "15 phút" in locked.content.decode()
    # an unknown address is locked in exactly the same way
    for _ in range(5):
        _fail(client, "ai-do@example.com")
    assert "Đăng nhập sai quá nhiều lần" in _fail(client, "ai-do@example.com").content.decode()

    # 16 minutes later the lock has ended by itself
    import allauth.core.internal.ratelimit as rl

    real_time = rl.time.time
    monkeypatch.setattr(rl.time, "time", lambda: real_time() + 16 * 60)
    response = client.post("/accounts/login/", {"login": "lan@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"


def test_login_failures_are_limited_per_ip(client, member):
    for n in range(10):
        _fail(client, f"user{n}@example.com")
    response = client.post("/accounts/login/", {"login": "lan@example.com", "password": PASSWORD})
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()


@override_settings(ACCOUNT_RATE_LIMITS={"signup": "2/10m/ip"})
def test_signup_is_limited_per_ip_with_a_clear_page(client, db):
    for n in range(2):
        client.post("/accounts/signup/", {"email": f"a{n}@example.com", "password1": PASSWORD, "password2": PASSWORD,
                                          "consent": "on"})
    response = client.post("/accounts/signup/", {"email": "a9@example.com", "password1": PASSWORD,
                                                 "password2": PASSWORD, "consent": "on"})
    assert response.status_code == 429
    assert "Quá nhiều lần thử" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()
    assert not User.objects.filter(email="a9@example.com").exists()


def test_signup_is_limited_per_email(client, db):
    # different IPs (REMOTE_ADDR), one address: the per-account limit applies
    for n in range(3):
        client.post("/accounts/signup/", {"email": "x@example.com", "password1": "ngan", "password2": "ngan",
                                          "consent": "on"}, REMOTE_ADDR=f"10.0.0.{n}")
    response = client.post("/accounts/signup/", {"email": "x@example.com", "password1": PASSWORD,
                                                 "password2": PASSWORD, "consent": "on"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200
    assert "Địa chỉ email này đã được dùng để đăng ký quá nhiều lần." in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_password_reset_is_limited_per_account_the_same_for_unknown_addresses(client, member):
    for address in ("lan@example.com", "ai-do@example.com"):
        for _ in range(3):
            assert client.post("/accounts/password/reset/", {"email": address}).status_code == 302
        response = client.post("/accounts/password/reset/", {"email": address})
        assert response.status_code == 429
        assert "Quá nhiều lần thử" in response.content.decode()
    assert len([m for m in mail.outbox if m.to == ["lan@example.com"]]) == 3


def test_password_reset_is_limited_per_ip(client, db):
    for n in range(10):
        client.post("/accounts/password/reset/", {"email": f"p{n}@example.com"})
    assert client.post("/accounts/password/reset/", {"email": "p99@example.com"}).status_code == 429
