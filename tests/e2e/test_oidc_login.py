"""The OpenID Connect journey in headless Chromium, against a real provider
on loopback (tests/oidc_provider: django-oauth-toolkit in OIDC mode, its
own process, RS256 key made at start): portal login page → the provider's
login and consent → back on the portal, signed in, with the citizen profile
filled and marked verified from the provider's claims. And the refusal: the
citizen cancels at the consent page."""

from __future__ import annotations

import datetime
import re

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from tests.oidc_provider.fixtures import oidc_provider  # noqa: F401


@pytest.fixture
def portal(transactional_db, settings, oidc_provider):  # noqa: F811
    from home.setup import ensure_site

    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"  # the live server speaks plain http
    ensure_site()
    return oidc_provider.social_app(name="VNeID")


def loopback(live_server) -> str:
    """The live server's address as an IP literal: an OAuth client's
    loopback redirect URI is 127.0.0.1, on any port (RFC 8252 §7.3)."""
    return live_server.url.replace("//localhost:", "//127.0.0.1:")


def start_at_portal(page, live_server, oidc_provider, assert_accessible):  # noqa: F811
    page.goto(f"{loopback(live_server)}/accounts/login/")
    assert_accessible(page)
    page.locator('button[data-provider="vneid"]').click()
    page.wait_for_url(f"{oidc_provider.url}/login/**")
    page.get_by_label("User name").fill("citizen")
    page.get_by_label("Password").fill(oidc_provider.password("citizen"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{oidc_provider.url}/o/authorize/**")


def test_oidc_login_fills_a_verified_profile(page, live_server, portal, oidc_provider, assert_accessible):  # noqa: F811
    start_at_portal(page, live_server, oidc_provider, assert_accessible)
    page.get_by_role("button", name="Allow").click()
    # Back on the portal (the home page, or the profile page the account
    # adapter sends a fresh login to) and signed in: the header offers to log out.
    page.wait_for_url(re.compile(re.escape(loopback(live_server)) + r"/(accounts/profile/)?$"))
    assert page.locator("header form[action='/accounts/logout/'] button").is_visible()
    user = get_user_model().objects.get(email="mai.nguyen@example.vn")
    assert user.emailaddress_set.get().verified
    profile = user.profile
    assert profile.full_name == "Nguyễn Thị Mai"
    assert profile.date_of_birth == datetime.date(1990, 5, 17)
    assert profile.id_number == "066190001234"
    assert profile.phone == "0912345678"
    assert set(profile.verified_fields) == {"full_name", "date_of_birth", "id_number", "phone"}
    assert profile.verified_by == "vneid"
    if "/accounts/profile/" in page.url:
        assert page.get_by_text("Nguyễn Thị Mai").first.is_visible()
    assert_accessible(page)
    assert page.console_errors == []


def test_cancelling_at_the_provider_creates_no_account(page, live_server, portal, oidc_provider, assert_accessible):  # noqa: F811
    users_before = get_user_model().objects.count()
    start_at_portal(page, live_server, oidc_provider, assert_accessible)
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(f"{loopback(live_server)}/accounts/3rdparty/login/cancelled/")

    message = page.get_by_role("status").filter(has_text="no account was created")
    if not message.count():  # the Vietnamese catalogue is active
        message = page.get_by_role("status").filter(has_text="không có tài khoản nào được tạo")
    assert message.is_visible()
    assert page.get_by_role("link", name="Back to log in").or_(page.get_by_role("link", name="Quay lại đăng nhập")).is_visible()
    assert get_user_model().objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert page.locator("header a[href='/accounts/login/']").is_visible(), "still signed out"
    assert_accessible(page)
    assert page.console_errors == []
