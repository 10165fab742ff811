"""From the search box in the site header to applying: a visitor types a
procedure's name without diacritics, opens it from the results, follows
"apply online", signs in and lands on the e-form's first step. Every page on
the way passes axe; no console errors."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.dossier_factories import make_procedure
from tests.e2e.test_apply_journey import PASSWORD, sign_in
from tests.eform_factories import citizen, make_eform

CODE = "1.001193"


@pytest.fixture
def applicant(transactional_db):
    from allauth.account.models import EmailAddress

    cache.clear()
    make_procedure(CODE)
    make_procedure("1.000894", title="Đăng ký kết hôn")
    make_eform(make_procedure("2.000488", title="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"),
               translate=False)
    user = citizen("an", id_number="001090012345")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_from_the_header_search_box_to_the_e_form(page, assert_accessible, applicant):
    page.goto("/thu-tuc/")  # any page but the home page, whose own search box stands in for the header's
    box = page.locator("#header-search")
    box.fill("phieu ly lich tu phap cong dan")
    with page.expect_navigation():
        box.press("Enter")
    assert "q=phieu+ly+lich+tu+phap+cong+dan" in page.url
    result = page.locator("main").get_by_role("link", name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
    expect(result.first).to_be_visible()
    assert_accessible(page)

    result.first.click()
    expect(page.locator("h1")).to_have_text("Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
    assert_accessible(page)

    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.locator("h1")).to_have_text("Đăng nhập")  # applying needs an account
    assert "next=" in page.url
    page.locator("#id_login").fill(applicant.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()

    expect(page.locator("h1")).to_contain_text("Nộp hồ sơ trực tuyến")
    expect(page.locator("main")).to_contain_text("Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
    assert_accessible(page)
    page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()
    expect(page.locator(".apply-progress__count")).to_have_text("Bước 1/5")
    expect(page.locator("#id_full_name")).to_have_value("Nguyễn Văn An")
    assert page.console_errors == []


def test_a_signed_in_visitor_goes_from_the_results_straight_to_the_e_form(page, applicant):
    sign_in(page, applicant)
    page.goto("/search/?q=ly+lich+tu+phap")
    page.locator("main").get_by_role("link", name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam").first.click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.locator("h1")).to_contain_text("Nộp hồ sơ trực tuyến")
    assert page.console_errors == []
