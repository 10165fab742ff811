"""Level 4 from end to end in headless Chromium: the citizen applies to a
level-4 procedure and chooses the result online → pays the fee owed at
submission in the sandbox bank (whose notification reaches the portal over
HTTP before the browser comes back) → the officer, in a second browser with
password and TOTP, receives, processes and completes the dossier with a
result PDF → the citizen downloads the result, signed with the agency's
certificate → /verify/ says it is valid, and says it was changed once one
byte of it is altered. axe runs on the citizen's new pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.databases import run_data_migration
from tests.dossier_factories import pdf_bytes
from tests.e2e.staff import act, sign_in_staff

CODE = "4.000001"
CITIZEN_PASSWORD = "mat-khau-an-2025"
STAFF_PASSWORD = "mat-khau-can-bo-2025"
RESULT_PDF = pdf_bytes("Phieu ly lich tu phap so 456")


@pytest.fixture
def level4_world(transactional_db, settings, live_server):
    from allauth.account.models import EmailAddress

    from accounts import totp
    from accounts.services import record_consent
    from signing import certificates
    from tests.dossier_factories import make_staff
    from tests.eform_factories import citizen, make_eform
    from tests.payments.builders import level4_procedure
    from tests.signing.pki import PASSWORD, make_authority, make_signer

    settings.PORTAL_PAYMENT_SANDBOX_BASE_URL = live_server.url
    run_data_migration("accounts.migrations.0002_profile_consent_staff", "create_role_groups")
    run_data_migration("backoffice.migrations.0001_inbox_permission", "grant_view_dossier")

    procedure = level4_procedure(CODE, notice_fees=())
    make_eform(procedure)
    authority = make_authority("Demo Root CA")
    signer = make_signer(authority, "Sở Tư pháp tỉnh")
    certificates.install(procedure.agency, signer.p12(), PASSWORD)

    user = citizen("an", id_number="001090012345", phone="0912345678")
    user.set_password(CITIZEN_PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    record_consent(user)

    officer = make_staff("can-bo-lan", procedure.agency, "receiver", "handler")
    officer.set_password(STAFF_PASSWORD)
    officer.save()
    secret = totp.generate_secret()
    totp.activate(officer, secret)
    return {"procedure": procedure, "user": user, "officer": officer, "secret": secret}


def next_step(page):
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()


def apply_online(page, procedure) -> str:
    """Fill and submit the e-form, result online; returns the dossier code."""
    page.goto(f"/p/{procedure.code}/apply/")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/applicant/$"))
    next_step(page)
    page.check("input[name=muc_dich_yeu_cau][value='Xin việc']")
    page.fill("textarea[name=noi_dung_chi_tiet]", "Hồ sơ xin việc")
    next_step(page)
    page.set_input_files("input[name=ban_sao_can_cuoc]",
                        files=[{"name": "cccd.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    next_step(page)
    agency = page.locator("select[name=agency]")
    if agency.count():
        agency.select_option(str(procedure.agency.pk))
    elif page.locator("input[name=agency]").count():
        page.check(f"input[name=agency][value='{procedure.agency.pk}']")
    page.check("input[name=channel][value=online]")
    page.check("input[name=result_delivery][value=online]")
    next_step(page)
    page.wait_for_url(re.compile(r"/review/$"))
    page.check("input[name=declaration]")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").last.click()
    match = re.search(r"/ho-so/([^/]+)/da-nop/", page.url)
    assert match, page.url
    return match.group(1)


def officer_page(browser, live_server, world):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    page = context.new_page()
    sign_in_staff(page, world["officer"].username, STAFF_PASSWORD, world["secret"])
    return page


def verify_upload(page, name: str, content: bytes) -> str:
    page.goto("/en/verify/")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": "application/pdf",
                                                      "buffer": content}])
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    return page.locator("section.verify-result").inner_text()


def test_apply_pay_in_the_sandbox_receive_a_signed_result_and_verify_it(
    page, browser, live_server, level4_world, assert_accessible
):
    from eforms.models import Dossier
    from payments.models import FeeNotice, Payment, PaymentState

    world = level4_world
    procedure, user = world["procedure"], world["user"]

    # sign in and apply, with the result to be delivered online
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", CITIZEN_PASSWORD)
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").last.click()
    code = apply_online(page, procedure)
    dossier = Dossier.objects.get(code=code)
    assert dossier.result_delivery == "online"

    # the fee owed at submission is on the dossier's page, payable online
    notice = FeeNotice.objects.get(dossier=dossier)
    assert notice.total_vnd == 200_000 and notice.paid_at is None
    page.goto(f"/ho-so-cua-toi/{code}/")
    fees = page.locator("section[aria-labelledby=fees-title]")
    expect(fees).to_contain_text(notice.number)
    assert_accessible(page)

    # pay in the sandbox bank: its notification reaches the portal first
    with page.expect_navigation():
        fees.locator("button[name=provider][value=sandbox]").click()
    assert "/payments/sandbox/pay/" in page.url, page.url
    expect(page.locator("main")).to_contain_text("200")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("button[name=action][value=pay]").click()
    payment = Payment.objects.get(notice=notice)
    assert payment.state == PaymentState.PAID and payment.amount_vnd == 200_000
    notice.refresh_from_db()
    assert notice.paid_at is not None
    # the return page only shows what the notification already settled
    assert payment.notifications.filter(source="ipn", verified=True).count() == 1
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)

    # the e-receipt of the paid payment, from the dossier's page
    page.goto(f"/ho-so-cua-toi/{code}/")
    with page.expect_download() as receipt:
        page.locator("section[aria-labelledby=fees-title] a[href*='/bien-lai/']").click()
    with open(receipt.value.path(), "rb") as downloaded:
        assert downloaded.read().startswith(b"%PDF")
    payment.refresh_from_db()
    assert payment.receipt_number

    # the officer receives, processes and completes with a result PDF
    officer = officer_page(browser, live_server, world)
    officer.goto(f"/admin/backoffice/dossiers/{dossier.pk}/")
    expect(officer.locator("h1")).to_contain_text(code)
    act(officer, "receive")
    act(officer, "start_processing")
    officer.fill("#id_complete-result", "Cấp Phiếu lý lịch tư pháp số 456/PLL.")
    officer.set_input_files("#id_complete-files", files=[
        {"name": "phieu-ly-lich.pdf", "mimeType": "application/pdf", "buffer": RESULT_PDF}])
    act(officer, "complete")
    officer.context.close()

    # the citizen downloads the result: the agency signed it
    page.goto(f"/ho-so-cua-toi/{code}/")
    result = page.locator("section[aria-labelledby=result-title]")
    expect(result).to_contain_text("phieu-ly-lich.pdf")
    assert_accessible(page)
    with page.expect_download() as download:
        result.get_by_role("link", name="phieu-ly-lich.pdf").click()
    with open(download.value.path(), "rb") as downloaded:
        signed = downloaded.read()
    assert signed.startswith(RESULT_PDF[:8]) and len(signed) > len(RESULT_PDF) and b"/ByteRange" in signed

    # /verify/: valid as issued; changed once one byte is altered
    answer = verify_upload(page, "ket-qua.pdf", signed)
    assert "Valid: this document was issued by the portal" in answer, answer
    assert "Sở Tư pháp tỉnh" in answer
    assert_accessible(page)
    position = signed.index(b"Phieu ly lich")
    altered = signed[:position] + b"X" + signed[position + 1:]
    answer = verify_upload(page, "ket-qua-sua.pdf", altered)
    assert "Changed: this document was issued by the portal" in answer, answer

    assert page.console_errors == []
