"""The citizen's account screens in headless Chromium: accessible in both
languages, and a whole sign-up → email verification → profile journey."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

PASSWORD = "Khong-doan-duoc-2025"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/login/", "Đăng nhập"),
        ("/accounts/signup/", "Đăng ký tài khoản"),
        ("/en/accounts/login/", "Log in"),
        ("/en/accounts/signup/", "Create an account"),
        ("/accounts/password/reset/", "Đặt lại mật khẩu"),
    ],
)
def test_account_screens_are_accessible(page, assert_accessible, home_page, path, heading):
    page.goto(path)
    expect(page.locator("h1").first).to_have_text(heading)
    assert_accessible(page)
    assert page.console_errors == []


def test_signup_verify_and_fill_the_profile(page, assert_accessible, home_page, live_server):
    mail.outbox = []
    page.goto("/accounts/signup/")
    page.get_by_label("Thư điện tử").fill("an.nguyen@example.com")
    page.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký tài khoản").click()

    # no consent yet: an error summary that links to the box, nothing lost
    expect(page.locator(".error-summary")).to_contain_text("Để tạo tài khoản, bạn cần đồng ý")
    assert page.locator("#id_email").input_value() == "an.nguyen@example.com"
    assert_accessible(page)

    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Đăng ký tài khoản").click()
    expect(page.locator("h1")).to_have_text("Xác nhận địa chỉ email của bạn")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("h1")).to_have_text("Hồ sơ của tôi")

    page.get_by_role("link", name="Sửa thông tin của tôi").click()
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân").fill("066 095 123456")
    page.get_by_label("Ngày sinh").fill("1995-04-30")
    page.get_by_label("Số điện thoại di động").fill("0212 345 678")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".error-summary")).to_contain_text("Vui lòng nhập số di động Việt Nam")
    assert page.locator("#id_full_name").input_value() == "Nguyễn Văn An"
    assert_accessible(page)

    page.get_by_label("Số điện thoại di động").fill("+84 912 345 678")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("h1")).to_have_text("Hồ sơ của tôi")
    expect(page.locator(".details-list")).to_contain_text("066095123456")
    expect(page.locator(".details-list")).to_contain_text("0912345678")
    assert_accessible(page)
    assert page.console_errors == []
