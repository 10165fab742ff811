"""The agency's side of a dossier in headless Chromium, with the citizen in
a second browser: the officer signs in with a password and a real TOTP
code, finds the dossier in the inbox, receives it and asks for a
supplement; the citizen answers with a PDF from My dossiers; the officer
processes, completes with a result PDF and returns it online; the citizen
downloads that very PDF. The email (locmem outbox) and the SMS (the file
backend's JSON lines) the applicant gets are checked after every step, and
axe runs on every new screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from tests.databases import run_data_migration
from tests.dossier_factories import pdf_bytes
from tests.e2e.staff import act, sign_in_staff
from tests.notifications.helpers import clear_sms_file, sms_lines

PASSWORD = "mat-khau-can-bo-2025"
ITEMS = ["Bản sao căn cước công dân", "Tờ khai ghi sai ngày sinh"]
ANSWER_PDF = pdf_bytes("Can cuoc cong dan")
RESULT_PDF = pdf_bytes("Phieu ly lich tu phap so 123")


@pytest.fixture
def world(transactional_db):
    from wagtail.models import Collection, Locale

    from accounts import totp
    from eforms.services import applicant_snapshot
    from home.setup import ensure_site
    from tests.dossier_factories import JUSTICE_CODE, make_agency, make_citizen, make_procedure, make_staff, submit

    for code in ("vi", "en"):
        Locale.objects.get_or_create(language_code=code)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    ensure_site()
    run_data_migration("accounts.migrations.0002_profile_consent_staff", "create_role_groups")
    run_data_migration("backoffice.migrations.0001_inbox_permission", "grant_view_dossier")
    run_data_migration("notifications.migrations.0002_default_templates", "create")

    agency = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    procedure = make_procedure(agency=agency)
    officer = make_staff("can-bo-hanh", agency, "receiver", "handler")
    officer.set_password(PASSWORD)
    officer.first_name, officer.last_name = "Hạnh", "Trần Thị"
    officer.save()
    secret = totp.generate_secret()
    totp.activate(officer, secret)

    citizen = make_citizen("cong-dan-an", phone="0912345678")
    snapshot = applicant_snapshot(citizen)
    snapshot["sms_consent"] = True
    dossier = submit(procedure, citizen, snapshot=snapshot, result_delivery="online", language="vi")
    # The submission's own SMS and receipt are not this journey's business.
    mail.outbox.clear()
    clear_sms_file()
    yield {"officer": officer, "secret": secret, "citizen": citizen, "dossier": dossier}
    clear_sms_file()


def citizen_page(browser, live_server, user):
    """A second browser, signed in as the applicant (session cookie)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return page


def messages_since(seen: dict) -> tuple[list, list[dict]]:
    """The emails and SMS sent since the last call."""
    emails, texts = mail.outbox[seen["email"]:], sms_lines()[seen["sms"]:]
    seen["email"], seen["sms"] = len(mail.outbox), len(sms_lines())
    return emails, texts


def one_of_each(seen: dict, citizen, subject: str, sms_start: str):
    """Exactly one email and one SMS to the applicant since the last step."""
    emails, texts = messages_since(seen)
    assert [(e.to, e.subject) for e in emails] == [([citizen.email], subject)], [e.subject for e in emails]
    assert [t["to"] for t in texts] == ["0912345678"], texts
    assert texts[0]["text"].startswith(sms_start), texts[0]["text"]
    return emails[0], texts[0]


def test_receive_supplement_answer_complete_and_download(page, browser, live_server, world, assert_accessible):
    officer, citizen, dossier = world["officer"], world["citizen"], world["dossier"]
    code = dossier.code
    seen = {"email": 0, "sms": 0}

    # The officer signs in with a password, then the second factor.
    sign_in_staff(page, officer.username, PASSWORD, world["secret"])

    # The inbox, from the admin menu.
    # (its label is "Hồ sơ" once backoffice's catalogue has it; found by its address here)
    page.locator("a.sidebar-menu-item__link[href='/admin/dossiers/']").click()
    page.wait_for_url(re.compile(r"/admin/dossiers/"))
    row = page.locator("tr", has_text=code)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Nguyễn Văn An")
    assert_accessible(page)

    # The dossier screen: receive it.
    with page.expect_navigation():
        row.get_by_role("link", name=code).click()
    assert page.url.endswith(f"/admin/backoffice/dossiers/{dossier.pk}/")
    expect(page.locator("h1")).to_contain_text(code)
    assert_accessible(page)
    act(page, "receive")
    expect(page.locator("section[aria-labelledby=state-title]")).to_contain_text("Vừa tiếp nhận")
    email, sms = one_of_each(seen, citizen, f"Hồ sơ {code} đã được tiếp nhận",
                             f"Hồ sơ {code} đã được Sở Tư pháp tiếp nhận")
    assert "Ngày hẹn trả kết quả" in email.body and f"/ho-so-cua-toi/{code}/" in email.body

    # Ask for a supplement: the items, one per line, and a deadline.
    deadline = dt.date.today() + dt.timedelta(days=10)
    page.fill("#id_request_supplement-items", "\n".join(ITEMS))
    page.fill("#id_request_supplement-deadline", deadline.isoformat())
    act(page, "request_supplement")
    expect(page.locator("section[aria-labelledby=state-title]")).to_contain_text(ITEMS[1])
    assert_accessible(page)
    emails, texts = messages_since(seen)
    assert [e.to for e in emails] == [[citizen.email]] and [t["to"] for t in texts] == ["0912345678"]
    for text in (emails[0].subject + emails[0].body, texts[0]["text"]):
        assert code in text and all(item in text for item in ITEMS), text
    assert deadline.strftime("%d/%m/%Y") in emails[0].body

    # The citizen, in a second browser: My dossiers → the dossier → the items → answer.
    applicant = citizen_page(browser, live_server, citizen)
    applicant.goto("/ho-so-cua-toi/")
    with applicant.expect_navigation():
        applicant.locator(f"a[href='/ho-so-cua-toi/{code}/']").first.click()
    expect(applicant.locator(".supplement-items li")).to_have_text(ITEMS)
    assert_accessible(applicant)
    applicant.set_input_files("input[name=supplement_item_0]", files=[
        {"name": "can-cuoc.pdf", "mimeType": "application/pdf", "buffer": ANSWER_PDF}])
    applicant.fill("textarea[name=note]", "Ngày sinh đúng là 17/05/1990.")
    with applicant.expect_navigation():
        applicant.locator("form[action$='/bo-sung/'] button[type=submit]").click()
    assert applicant.url.endswith(f"/ho-so-cua-toi/{code}/"), applicant.url
    expect(applicant.locator(".supplement-items")).to_have_count(0)
    expect(applicant.locator("section[aria-labelledby=files-title]")).to_contain_text("can-cuoc.pdf")
    assert_accessible(applicant)
    one_of_each(seen, citizen, f"Đã nhận hồ sơ bổ sung của hồ sơ {code}", f"Hồ sơ {code}: đã nhận hồ sơ bổ sung")

    # The officer sees what changed, starts processing if needed, completes with the result.
    page.reload()
    expect(page.locator("main")).to_contain_text("can-cuoc.pdf")
    if page.locator("form:has(input[name=action][value=start_processing])").count():
        act(page, "start_processing")
        one_of_each(seen, citizen, f"Hồ sơ {code} đang được giải quyết", f"Hồ sơ {code} đang được giải quyết")
    page.fill("#id_complete-result", "Cấp Phiếu lý lịch tư pháp số 123/PLL.")
    page.set_input_files("#id_complete-files", files=[
        {"name": "phieu-ly-lich.pdf", "mimeType": "application/pdf", "buffer": RESULT_PDF}])
    act(page, "complete")
    expect(page.locator("section[aria-labelledby=results-title]")).to_contain_text("phieu-ly-lich.pdf")
    one_of_each(seen, citizen, f"Hồ sơ {code} đã có kết quả", f"Hồ sơ {code} đã có kết quả")

    # Returned online, as the applicant chose.
    expect(page.locator("input[name=return_result-handover_method][value=online]")).to_be_checked()
    act(page, "return_result")
    expect(page.locator("section[aria-labelledby=state-title]")).to_contain_text("Đã trả kết quả")
    one_of_each(seen, citizen, f"Đã trả kết quả hồ sơ {code}", f"Hồ sơ {code} đã được trả kết quả")
    assert_accessible(page)

    # The citizen downloads the result: the very PDF the officer attached.
    applicant.goto(f"/ho-so-cua-toi/{code}/")
    result = applicant.locator("section[aria-labelledby=result-title]")
    expect(result).to_contain_text("phieu-ly-lich.pdf")
    assert_accessible(applicant)
    with applicant.expect_download() as download:
        result.get_by_role("link", name="phieu-ly-lich.pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as downloaded:
        assert downloaded.read() == RESULT_PDF

    assert page.console_errors == [] and applicant.console_errors == []
    applicant.context.close()
