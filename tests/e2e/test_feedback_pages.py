"""axe-core on the feedback pages, in Vietnamese and in English: the
published answers, the sending form (empty and with errors), the code shown
after sending, the tracking page (with an answer, and "nothing matches"),
and the rating of a returned dossier."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from eforms.models import Dossier, DossierStatus
from feedback import complaints as services
from tests.dossier_factories import make_citizen, make_procedure, make_staff, submit
from tests.e2e.test_accessible_pages import sign_in


@pytest.fixture
def feedback_world(transactional_db):
    from wagtail.models import Collection, Locale

    from home.setup import ensure_site

    for code in ("vi", "en"):
        Locale.objects.get_or_create(language_code=code)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    ensure_site()
    procedure = make_procedure()
    citizen = make_citizen("e2e-feedback")
    staff = make_staff("e2e-feedback-staff", procedure.agency, "receiver")
    answered = services.submit(subject="agency", agency=procedure.agency, title="Chờ lâu", body="Tôi chờ hai giờ.",
                               name="Nguyễn Văn An", email="an@example.vn", may_publish=True)
    services.step(answered, "start", staff)
    services.step(answered, "answer", staff, answer="Chúng tôi đã bố trí thêm người.")
    services.publish(answered, staff, title="Thời gian chờ", body="Người dân chờ lâu.", answer="Đã bố trí thêm.")
    dossier = submit(procedure, citizen)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RETURNED, returned_at=timezone.now())
    return {"citizen": citizen, "answered": answered, "dossier": dossier, "procedure": procedure}


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_feedback_pages_are_accessible(page, live_server, feedback_world, assert_accessible, prefix):
    def visit(path, status=200):
        response = page.goto(prefix + path)
        assert response.status == status, (path, response.status)
        assert_accessible(page)

    visit("/phan-anh-kien-nghi/")
    expect(page.get_by_text("Đã bố trí thêm.")).to_be_visible()
    visit("/phan-anh-kien-nghi/gui/")
    # bad input: the error summary, nothing lost
    page.locator("input[name=title]").fill("Giữ lại")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("input[name=title]")).to_have_value("Giữ lại")
    assert_accessible(page)
    # a good one, then the code
    page.locator("input[name=subject][value=procedure]").check()
    page.locator("input[name=procedure_code]").fill(feedback_world["procedure"].code)
    page.locator("textarea[name=body]").fill("Nội dung phản ánh.")
    page.locator("input[name=name]").fill("Lê Thị B")
    page.locator("input[name=email]").fill("b@example.vn")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".tracking-code")).to_be_visible()
    assert_accessible(page)
    # tracking: the answer, then "nothing matches"
    visit("/phan-anh-kien-nghi/tra-cuu/")
    page.locator("input[name=code]").fill(feedback_world["answered"].tracking_code)
    page.locator("input[name=contact]").fill("an@example.vn")
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_text("Chúng tôi đã bố trí thêm người.")).to_be_visible()
    assert_accessible(page)
    page.locator("input[name=contact]").fill("other@example.vn")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".notice--warning")).to_be_visible()
    assert_accessible(page)
    # rating a returned dossier, from My dossiers
    sign_in(page, live_server, feedback_world["citizen"])
    code = feedback_world["dossier"].code
    visit(f"/ho-so-cua-toi/{code}/")
    visit(f"/ho-so-cua-toi/{code}/danh-gia/")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    for name in ("timeliness", "attitude", "ease"):
        page.locator(f"input[name={name}][value='4']").check()
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#rating-title")).to_be_visible()
    assert_accessible(page)
