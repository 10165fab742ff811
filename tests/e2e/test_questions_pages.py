"""axe-core on the public pages of questions and answers, in Vietnamese and
English: the list, a search, a question, the ask form with its errors, the
"sent" and link pages, and the procedure's page listing its questions."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect
from wagtail.models import Locale

from feedback.models import PublishedQuestion, Question, QuestionStatus
from home.setup import translate_page
from tests.dossier_factories import en
from tests.e2e.test_accessible_pages import catalogue, check  # noqa: F401


def published(procedure, title, en_title=None):
    question = Question.objects.create(name="Trần Thị Bình", email="binh@example.com", title=title,
                                       body="Cần những giấy tờ gì?", procedure=procedure, field=procedure.field,
                                       agency=procedure.agency, status=QuestionStatus.ANSWERED,
                                       answer="Tờ khai theo mẫu.")
    item = PublishedQuestion.objects.create(question=question, title=title, question_text=question.body,
                                            answer=question.answer, procedure=procedure, field=procedure.field,
                                            agency=procedure.agency, published_at=timezone.now(),
                                            locale=Locale.get_default())
    if en_title:
        copy = item.copy_for_translation(en())
        copy.title, copy.question_text, copy.answer = en_title, "What is needed?", "The form."
        copy.save()
    return item


def test_question_pages_in_both_languages(page, catalogue, assert_accessible, vietnamese):  # noqa: F811
    from procedures.models import ProcedurePage

    procedure = ProcedurePage.objects.get(code="1.001193", locale=Locale.get_default())
    first = published(procedure, "Đăng ký khai sinh quá hạn", "Late birth registration")
    published(procedure, "Lệ phí cấp bản sao")

    # Vietnamese headings come from the catalogues: only the English ones are asserted
    check(page, assert_accessible, "/questions/", "")
    check(page, assert_accessible, "/questions/?q=dang+ky+khai+sinh", "")
    expect(page.locator(".question-card")).to_have_count(1)
    check(page, assert_accessible, first.get_absolute_url(), "Đăng ký khai sinh quá hạn")
    check(page, assert_accessible, "/en/questions/", "Questions and answers")
    check(page, assert_accessible, "/en" + first.get_absolute_url(), "Late birth registration")
    check(page, assert_accessible, procedure.url, "Đăng ký khai sinh")
    expect(page.locator("#questions-title")).to_be_visible()
    translate_page(procedure, "en", title="Birth registration", slug="birth-registration")
    check(page, assert_accessible, "/en/p/1.001193/", "Birth registration")
    expect(page.locator("#questions-title")).to_contain_text("Questions and answers")
    expect(page.locator("a[href$='/questions/" + str(first.translation_key) + "/']")).to_contain_text(
        "Late birth registration")
    check(page, assert_accessible, "/questions/confirm/bad-link/", "", status=400)
    check(page, assert_accessible, "/en/questions/ask/sent/", "Question received")


def test_ask_form_and_its_errors_in_both_languages(page, catalogue, assert_accessible):  # noqa: F811
    for prefix, heading in (("", ""), ("/en", "Ask a question")):
        check(page, assert_accessible, f"{prefix}/questions/ask/?procedure=1.001193", heading)
        page.locator("form.form [type=submit]").click()
        expect(page.locator(".error-summary")).to_be_visible()
        assert_accessible(page)
    # a full question from someone not signed in: the "check your email" page
    page.goto("/questions/ask/?procedure=1.001193")
    page.locator("#id_name").fill("Trần Thị Bình")
    page.locator("#id_email").fill("binh@example.com")
    page.locator("#id_title").fill("Giấy tờ cần nộp")
    page.locator("#id_body").fill("Tôi cần nộp những giấy tờ gì để đăng ký khai sinh quá hạn?")
    page.locator("#id_consent").check()
    page.locator("form.form [type=submit]").click()
    expect(page.locator("[role=status]").first).to_be_visible()
    assert_accessible(page)
    assert Question.objects.filter(status=QuestionStatus.UNVERIFIED).count() == 1
