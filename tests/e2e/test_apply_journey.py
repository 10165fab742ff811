"""Applying online in headless Chromium: sign in → find
the procedure → apply → upload → next steps → review → change an answer →
submit → confirmation; then the key steps again with JavaScript off.
Every applying page passes axe; no console errors."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from eforms.models import Dossier, DossierStatus
from tests.dossier_factories import exe_bytes, pdf_bytes
from tests.eform_factories import citizen, make_eform
from tests.eforms.test_apply import CODE

PASSWORD = "Mat-khau-du-manh-2026"


@pytest.fixture
def applicant(db):
    from allauth.account.models import EmailAddress

    from tests.dossier_factories import make_procedure

    cache.clear()
    procedure = make_procedure(CODE)
    make_eform(procedure, translate=False)
    user = citizen("an", id_number="001090012345")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(page, user, next_path="/"):
    page.goto(f"/accounts/login/?next={next_path}")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def pdf_file(name="cccd.pdf"):
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}


def continue_(page):
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_load_state()


def test_apply_journey_with_javascript(page, assert_accessible, applicant):
    sign_in(page, applicant)
    # find the procedure in the catalogue and open its e-form
    page.goto(f"/p/{CODE}/")
    expect(page.locator("h1")).to_have_text("Cấp Phiếu lý lịch tư pháp")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.locator("h1")).to_contain_text("Nộp hồ sơ trực tuyến")
    assert_accessible(page)
    page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()

    # step 1: the applicant, prefilled; the commune list follows the province
    expect(page.locator(".apply-progress__count")).to_have_text("Bước 1/5")
    expect(page.locator("#id_full_name")).to_have_value("Nguyễn Văn An")
    expect(page.locator("[data-units-refresh]")).to_be_hidden()
    expect(page.locator("#id_behalf_name")).to_be_hidden()
    assert_accessible(page)
    page.locator("#id_address_0").select_option("01")
    expect(page.locator("#id_address_1 option", has_text="Phường Hoàn Kiếm")).to_have_count(1)
    page.locator("#id_address_0").select_option("66")
    expect(page.locator("#id_address_1 option", has_text="Phường Buôn Ma Thuột")).to_have_count(1)
    page.locator("#id_address_1").select_option("24133")
    continue_(page)

    # step 2: the e-form's first section, with an error first
    expect(page.locator(".apply-progress__count")).to_have_text("Bước 2/5")
    page.locator("#id_noi_dung_chi_tiet").fill("Xin việc tại công ty")
    continue_(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#id_noi_dung_chi_tiet")).to_have_value("Xin việc tại công ty")
    assert_accessible(page)
    page.get_by_label("Xin việc").check()
    continue_(page)

    # step 3: uploads, sent with a progress bar
    expect(page.locator(".apply-progress__count")).to_have_text("Bước 3/5")
    assert_accessible(page)
    page.locator("#id_ban_sao_can_cuoc").set_input_files([pdf_file()])
    continue_(page)

    # step 4: agency, channel, result
    expect(page.locator(".apply-progress__count")).to_have_text("Bước 4/5")
    expect(page.locator("#id_pickup_address")).to_be_hidden()
    assert_accessible(page)
    page.locator("#id_agency").select_option(label="Sở Tư pháp")
    continue_(page)

    # review, change an answer, come back
    expect(page.locator("h1")).to_have_text("Kiểm tra lại thông tin")
    expect(page.locator("main")).to_contain_text("cccd.pdf")
    assert_accessible(page)
    page.locator("a[href*='#id_muc_dich_yeu_cau']").click()
    page.get_by_label("Du học").check()
    page.get_by_role("button", name="Lưu và quay lại trang kiểm tra").click()
    expect(page.locator("h1")).to_have_text("Kiểm tra lại thông tin")
    expect(page.locator(".review-list").nth(1)).to_contain_text("Du học")

    # declaration and submit
    page.locator("#id_declaration").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_load_state()
    dossier = Dossier.objects.get(applicant=applicant)
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.form_data["answers"]["muc_dich_yeu_cau"] == "Du học"
    expect(page.locator("main")).to_contain_text(dossier.code)
    assert page.console_errors == []


def test_apply_key_steps_without_javascript(browser, live_server, applicant):
    """axe needs JavaScript, so the same pages are checked in the journey above."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, applicant, next_path=f"/p/{CODE}/apply/")
        page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()
        # the address is prefilled from the profile; its commune list is the province's
        expect(page.locator("#id_full_name")).to_have_value("Nguyễn Văn An")
        expect(page.locator("#id_address_1 option", has_text="Phường Buôn Ma Thuột")).to_have_count(1)
        expect(page.locator("[data-units-refresh]")).to_be_visible()
        continue_(page)
        page.get_by_label("Xin việc").check()
        continue_(page)
        # a renamed program is refused, the good file is kept
        page.locator("#id_ban_sao_can_cuoc").set_input_files([
            {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": exe_bytes()}, pdf_file("trang-1.pdf"),
        ])
        continue_(page)
        expect(page.locator(".error-summary")).to_contain_text("scan.pdf")
        expect(page.locator(".attached-files")).to_contain_text("trang-1.pdf")
        continue_(page)
        # home service without its details is refused, with messages at the fields
        page.locator("#id_agency").select_option(label="Sở Tư pháp")
        page.get_by_label(re.compile("Dịch vụ công tại nhà")).check()
        continue_(page)
        expect(page.locator(".error-summary")).to_contain_text("Chọn ngày bưu điện đến nhận hồ sơ")
        page.get_by_label(re.compile("Chỉ trực tuyến")).check()
        continue_(page)
        expect(page.locator("h1")).to_have_text("Kiểm tra lại thông tin")
        expect(page.locator("main")).to_contain_text("trang-1.pdf")
        page.locator("#id_declaration").check()
        page.get_by_role("button", name="Nộp hồ sơ").click()
        page.wait_for_load_state()
        dossier = Dossier.objects.get(applicant=applicant)
        expect(page.locator("main")).to_contain_text(dossier.code)
        assert dossier.attachments.count() == 1
    finally:
        context.close()
