"""The citizen's whole journey in headless Chromium: sign in → find the
procedure → apply → upload → next steps → review → change an answer →
submit → the confirmation → download the PDF → My dossiers → look the
dossier up with its code and phone. axe on every page of the record, My
dossiers and the look-up; no console errors."""

from __future__ import annotations

import io
import re

import pytest

from tests.dossier_factories import pdf_bytes

CODE = "1.001193"


@pytest.fixture
def journey_setup(transactional_db):
    from allauth.account.models import EmailAddress

    from accounts.services import record_consent
    from tests.dossier_factories import make_procedure
    from tests.eform_factories import citizen, make_eform

    procedure = make_procedure(CODE, title="Cấp Phiếu lý lịch tư pháp")
    make_eform(procedure)
    user = citizen("an", id_number="001090012345", phone="0912345678")
    user.set_password("mat-khau-an-2025")
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    record_consent(user)
    return {"procedure": procedure, "user": user}


def next_step(page):
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()


def test_sign_in_apply_submit_download_and_look_up(page, journey_setup, assert_accessible):
    procedure, user = journey_setup["procedure"], journey_setup["user"]

    # sign in
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "mat-khau-an-2025")
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").last.click()
    assert "/accounts/login/" not in page.url

    # find the procedure by its permanent link and open its e-form
    page.goto(f"/p/{procedure.code}/")
    page.locator(f"a[href$='/p/{procedure.code}/apply/']").first.click()
    page.wait_for_url(re.compile(r"/apply/$"))
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()

    # applicant (prefilled from the profile), the answers, the upload, agency and delivery
    page.wait_for_url(re.compile(r"/applicant/$"))
    assert page.locator("input[name=full_name]").input_value() == "Nguyễn Văn An"
    next_step(page)
    page.check("input[name=muc_dich_yeu_cau][value='Xin việc']")
    page.fill("textarea[name=noi_dung_chi_tiet]", "Bổ sung hồ sơ xin việc")
    next_step(page)
    page.set_input_files("input[name=ban_sao_can_cuoc]",
                        files=[{"name": "cccd.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    next_step(page)
    agency = page.locator("select[name=agency]")
    if agency.count():
        agency.select_option(str(procedure.agency.pk))
    else:
        page.check(f"input[name=agency][value='{procedure.agency.pk}']")
    page.check("input[name=channel][value=online]")
    page.check("input[name=result_delivery][value=office]")
    next_step(page)

    # review, change an answer, back to the review
    page.wait_for_url(re.compile(r"/review/$"))
    review_url = page.url
    assert "cccd.pdf" in page.content()
    with page.expect_navigation():
        page.locator("a[href*='return=review'][href*='muc_dich_yeu_cau']").first.click()
    page.check("input[name=muc_dich_yeu_cau][value='Du học']")
    next_step(page)
    assert page.url.split("#")[0] == review_url
    assert "Du học" in page.content()
    page.check("input[name=declaration]")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").last.click()

    # the confirmation
    problem = page.locator(".error-summary, .notice--error").all_inner_texts()
    assert re.search(r"/ho-so/.+/da-nop/$", page.url.split("#")[0]), (page.url, problem)
    code = page.locator(".dossier-code").inner_text().strip()
    assert re.fullmatch(r"000\.00\.10\.H30-\d{6}-\d{4}", code), code
    assert_accessible(page)

    # download the PDF
    with page.expect_download() as download_info:
        page.locator("a[href$='giay-tiep-nhan.pdf']").first.click()
    download = download_info.value
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages)
    assert code in text and "GIẤY TIẾP NHẬN HỒ SƠ" in text and "Du học" in text

    # the printable receipt, My dossiers and the dossier's page
    page.goto(f"/ho-so-cua-toi/{code}/giay-tiep-nhan/")
    assert page.locator(".receipt svg").count() == 2
    assert_accessible(page)
    page.goto("/ho-so-cua-toi/")
    assert code in page.content()
    assert_accessible(page)
    with page.expect_navigation():
        page.locator(f"a[href='/ho-so-cua-toi/{code}/']").click()
    assert "cccd.pdf" in page.content()
    assert_accessible(page)
    page.goto(f"/ho-so-cua-toi/{code}/rut-ho-so/")
    assert_accessible(page)

    # look it up with the code and phone, signed out, as the QR code lands
    page.context.clear_cookies()
    page.goto(f"/lookup/?code={code}")
    assert page.locator("#id_c-code").input_value() == code
    assert_accessible(page)
    page.fill("#id_c-secret", "0912 345 678")
    with page.expect_navigation():
        page.locator("form:has(input[name=way][value=code]) button[type=submit]").click()
    results = page.locator(".lookup-results").inner_text()
    assert code in results and "Nguyễn Văn An" not in results
    assert_accessible(page)
    assert page.console_errors == []


def test_lookup_and_my_dossiers_work_without_javascript(browser, live_server, journey_setup):
    from tests.dossier_factories import submit

    dossier = submit(journey_setup["procedure"], journey_setup["user"])
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(f"/lookup/?code={dossier.code}")
    page.fill("#id_c-secret", "001090012345")
    page.locator("form:has(input[name=way][value=code]) button[type=submit]").click()
    assert dossier.code in page.locator(".lookup-results").inner_text()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", journey_setup["user"].email)
    page.fill("input[name=password]", "mat-khau-an-2025")
    page.locator("form[method=post] button[type=submit]").last.click()
    page.goto(f"/ho-so-cua-toi/{dossier.code}/rut-ho-so/")
    page.check("input[name=confirm]")
    page.locator("main form[method=post] button[type=submit]").click()
    assert page.url.endswith(f"/ho-so-cua-toi/{dossier.code}/")
    dossier.refresh_from_db()
    assert dossier.status == "cancelled"
    context.close()
