"""axe-core on the pages no journey walks through: the citizen's privacy
pages, legal documents, agency and field pages, the 404 and 429 pages, the
look-up's "not found" and rate-limited answers, and the staff
second-factor screens. Every WCAG 2.x A/AA violation fails
(tests/e2e/conftest.py, AXE_ALLOWED)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.dossier_factories import make_citizen
from tests.procedures.fixtures import JUSTICE, WARD, build_catalogue, make_legal_document, make_procedure

UNKNOWN_CODE = "000.00.10.H30-200101-0001"


@pytest.fixture
def catalogue(transactional_db):
    from wagtail.models import Collection, Locale

    from home.setup import ensure_site

    # a transactional test before this one flushed what the migrations made
    for code in ("vi", "en"):
        Locale.objects.get_or_create(language_code=code)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    catalogue = build_catalogue(ensure_site())
    decree = make_legal_document(catalogue.legal_index, "123/2015/NĐ-CP",
                                 "Nghị định quy định chi tiết Luật Hộ tịch", "Decree on civil status")
    make_procedure(catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"],
                   catalogue.agencies[WARD], level=4, legal=[decree])
    make_procedure(catalogue.index, "2.000488", "Cấp Phiếu lý lịch tư pháp", catalogue.fields["ho-tich"],
                   catalogue.agencies[JUSTICE], tier="province")
    catalogue.documents["decree"] = decree
    return catalogue


def sign_in(page, live_server, user):
    """The browser carries the session of `user` signed in with a password
    only (no second factor passed)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


def check(page, assert_accessible, path, heading, status=200):
    response = page.goto(path)
    assert response.status == status, (path, response.status)
    expect(page.locator("h1").first).to_contain_text(heading)
    assert_accessible(page)
    assert [e for e in page.console_errors if "status of 4" not in e] == []


def test_catalogue_pages(page, catalogue, assert_accessible):
    decree = catalogue.documents["decree"]
    check(page, assert_accessible, "/van-ban/", "Văn bản pháp luật")
    check(page, assert_accessible, decree.get_url(), "Nghị định quy định chi tiết Luật Hộ tịch")
    check(page, assert_accessible, "/en/legal-documents/", "Legal documents")
    check(page, assert_accessible, f"/thu-tuc-hanh-chinh/co-quan/{JUSTICE.replace('.', '_')}/", "Sở Tư pháp")
    check(page, assert_accessible, "/thu-tuc-hanh-chinh/linh-vuc/ho-tich/", "Hộ tịch")
    check(page, assert_accessible, "/en/procedures/", "Administrative procedures")


def test_not_found_pages(page, catalogue, assert_accessible):
    check(page, assert_accessible, "/khong-co-trang-nay/", "Không tìm thấy trang", status=404)
    check(page, assert_accessible, "/en/no-such-page/", "Page not found", status=404)
    check(page, assert_accessible, "/p/9.999999/", "", status=404)


def test_too_many_requests_page(page, catalogue, assert_accessible):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("chief", "chief@example.vn", "a-strong-pass-123")
    for _attempt in range(10):
        page.goto("/admin/password_reset/")
        page.locator("#id_email").fill("chief@example.vn")
        with page.expect_navigation() as navigation:
            page.locator("form [type=submit]").first.click()
        if navigation.value.status == 429:
            break
    else:
        pytest.fail("the admin password reset never answered 429")
    assert_accessible(page)


def test_look_up_answers(page, catalogue, assert_accessible):
    def look_up():
        page.goto(f"/lookup/?code={UNKNOWN_CODE}")
        page.locator("#id_c-secret").fill("0912345678")
        with page.expect_navigation() as navigation:
            page.locator("#id_c-secret").press("Enter")
        return navigation.value.status

    assert look_up() == 200
    expect(page.locator(".lookup-results [role=status]")).to_contain_text("Không tìm thấy hồ sơ phù hợp")
    assert_accessible(page)
    for _attempt in range(30):
        if look_up() == 429:
            break
    else:
        pytest.fail("the look-up never answered 429")
    expect(page.locator("[role=alert]").first).to_contain_text("Bạn đã tra cứu quá nhiều lần")
    assert_accessible(page)


def test_privacy_pages(page, catalogue, live_server, assert_accessible):
    sign_in(page, live_server, make_citizen("an"))
    check(page, assert_accessible, "/accounts/privacy/", "")
    check(page, assert_accessible, "/accounts/privacy/notice/", "")
    check(page, assert_accessible, "/en/accounts/privacy/", "")
    # the export is a download, not a page
    with page.expect_download() as download:
        page.locator("a[href$='/privacy/export/']").first.click()
    assert download.value.suggested_filename.endswith(".json")
    check(page, assert_accessible, "/accounts/privacy/delete/", "")
    page.locator("form[method=post] [type=submit]").last.click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)


def test_staff_second_factor_screens(page, catalogue, live_server, assert_accessible):
    from django.contrib.auth import get_user_model

    from accounts import totp

    users = get_user_model().objects
    new = users.create_superuser("new-chief", "new-chief@example.vn", "a-strong-pass-123")
    sign_in(page, live_server, new)
    check(page, assert_accessible, "/admin/second-factor/setup/", "")
    expect(page.locator("input[name=code], input[autocomplete=one-time-code]").first).to_be_visible()

    page.context.clear_cookies()
    enrolled = users.create_superuser("chief", "chief@example.vn", "a-strong-pass-123")
    totp.activate(enrolled, totp.generate_secret())
    sign_in(page, live_server, enrolled)
    check(page, assert_accessible, "/admin/second-factor/", "")
    page.locator("input[autocomplete=one-time-code], input[name=code]").first.fill("000000")
    page.locator("form [type=submit]").first.click()
    expect(page.locator("input[aria-invalid=true]:visible")).to_have_count(1)
    assert_accessible(page)
