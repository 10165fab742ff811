"""Questions and answers (issue 16, point 2): asking signed in or with an
emailed link, bad input, the moderation queue and who sees it, the public
version without personal data, the procedure's page, the folded search and
the asker's email."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend

from feedback import questions as service
from feedback.models import PublishedQuestion, Question, QuestionStatus
from tests.dossier_factories import UserFactory, en, make_agency, make_citizen, make_procedure, make_staff
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.usefixtures("vietnamese")

BODY = "Tôi muốn hỏi thủ tục cấp phiếu lý lịch tư pháp cần những giấy tờ gì?"


@pytest.fixture
def procedure(db):
    return make_procedure("1.001193", title="Đăng ký khai sinh")


@pytest.fixture
def editor(db):
    user = UserFactory(username="editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def other_agency(db):
    return make_agency("000.99.99.H30", "Sở Xây dựng")


def ask_data(page, **extra):
    return {"name": "Trần Thị Bình", "email": "binh@example.com", "phone": "0912 345 678",
            "procedure": page.code, "field": "", "title": "Giấy tờ cần nộp", "body": BODY,
            "consent": "on", **extra}


def make_question(procedure, status=QuestionStatus.NEW, **fields) -> Question:
    values = {"name": "Trần Thị Bình", "email": "binh@example.com", "phone": "0912345678",
              "title": "Giấy tờ cần nộp", "body": BODY, "procedure": procedure, "field": procedure.field,
              "agency": procedure.agency, "status": status, **fields}
    return Question.objects.create(**values)


def publish(question, editor, **texts):
    question.status = QuestionStatus.ANSWERED
    question.answer = question.answer or "Cần tờ khai và bản sao căn cước."
    question.save()
    return service.publish(question, title=texts.get("title", question.title),
                           question_text=texts.get("question_text", question.body),
                           answer_text=texts.get("answer", question.answer), user=editor)


# ---------------------------------------------------------------- asking


def test_a_signed_in_citizen_asks_and_the_question_is_queued(client, procedure):
    citizen = make_citizen("citizen-q")
    client.force_login(citizen)
    page = client.get(reverse("questions_ask") + f"?procedure={procedure.code}")
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()  # the account's address is used
    data = ask_data(procedure)
    del data["name"], data["email"]
    response = client.post(reverse("questions_ask"), data)
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.status == QuestionStatus.NEW
    assert question.asker == citizen
    assert question.email == citizen.email
    assert question.name == "Nguyễn Văn An"  # from the profile
    assert question.procedure == procedure and question.agency == procedure.agency
    assert question.field == procedure.field
    assert question.phone == "0912345678"


def test_an_anonymous_asker_confirms_by_the_emailed_link(client, procedure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("questions_ask"), ask_data(procedure))
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.status == QuestionStatus.UNVERIFIED
    assert question.asker is None
    # not in the queue before the link is followed
    assert not service.visible_questions(UserFactory(is_superuser=True)).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["binh@example.com"]
    link = re.search(r"https?://\S+|/questions/confirm/\S+", mail.outbox[0].body).group(0)
    path = link[link.index("/questions/confirm/"):]
    confirmed = client.get(path)
    assert confirmed.status_code == 200
    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW and question.verified_at is not None
    # the link again does no harm
    assert client.get(path).status_code == 200


def test_a_bad_or_expired_link_is_refused(client, procedure, monkeypatch):
    question = make_question(procedure, status=QuestionStatus.UNVERIFIED)
    token = service.verification_token(question)
    assert client.get(reverse("questions_verify", args=[token + "x"])).status_code == 400
    # another question's pk under a valid signature of a different address
    forged = signing.TimestampSigner(salt=service.VERIFY_SALT).sign(f"{question.pk}:someone@example.com")
    assert client.get(reverse("questions_verify", args=[forged])).status_code == 400
    monkeypatch.setattr(service, "VERIFY_MAX_AGE", -1)
    response = client.get(reverse("questions_verify", args=[token]))
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.status == QuestionStatus.UNVERIFIED


def test_bad_input_is_answered_clearly_and_nothing_is_lost(client, procedure):
    data = ask_data(procedure, email="not-an-email", body="ngắn", procedure="9.999999", phone="12ab")
    del data["consent"]
    with translation.override("en"):
        response = client.post(reverse("questions_ask"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter a valid email address." in body
    assert "No procedure has this code" in body
    assert "Vietnamese mobile number" in body
    assert "This field is required." in body  # consent
    assert "Trần Thị Bình" in body and "Giấy tờ cần nộp" in body  # what was typed is kept
    assert not Question.objects.exists()


def test_a_question_needs_a_procedure_or_a_field(client, procedure):
    with translation.override("en"):
        response = client.post(reverse("questions_ask"), ask_data(procedure, procedure=""))
    assert response.status_code == 400
    assert "Give the procedure&#x27;s code or choose the field" in response.content.decode()
    response = client.post(reverse("questions_ask"), ask_data(procedure, procedure="", field=procedure.field.pk))
    assert response.status_code == 302
    assert Question.objects.get().field == procedure.field


def test_asking_is_rate_limited(client, procedure, monkeypatch):
    monkeypatch.setattr(service, "RATE_PER_EMAIL", (2, 3600))
    for _n in range(2):
        assert client.post(reverse("questions_ask"), ask_data(procedure)).status_code == 302
    response = client.post(reverse("questions_ask"), ask_data(procedure))
    assert response.status_code == 429
    assert Question.objects.count() == 2
    # another address from the same connection still has room under the per-connection limit
    assert client.post(reverse("questions_ask"), ask_data(procedure, email="other@example.com")).status_code == 302


# ---------------------------------------------------------------- moderation and scope


def test_the_moderation_flow(client, procedure, editor, other_agency, django_capture_on_commit_callbacks):
    question = make_question(procedure, agency=None)
    staff = make_staff("clerk-q", other_agency, "handler")
    editor_client = pass_second_factor(client, editor)
    queue = editor_client.get(reverse("feedback_questions:queue"))
    assert queue.status_code == 200 and question.title in queue.content.decode()
    url = reverse("feedback_questions:question", args=[question.pk])
    page = editor_client.get(url).content.decode()
    assert "binh@example.com" in page  # the moderator sees who asked

    # an action without its input is refused with the form kept
    assert editor_client.post(url, {"action": "send", "send-agency": ""}).status_code == 400
    assert editor_client.post(url, {"action": "send", "send-agency": other_agency.pk}).status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.SENT and question.agency == other_agency

    # the agency's staff answer it
    staff_client = pass_second_factor(type(client)(), staff)
    assert staff_client.get(reverse("feedback_questions:queue")).status_code == 200
    response = staff_client.post(url, {"action": "answer", "answer-answer": "Cần tờ khai theo mẫu."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answered_by == staff
    # staff cannot publish (the admin's answer to a missing permission: back to its home)
    refused = staff_client.post(url, {"action": "publish", "publish-title": "x", "publish-question_text": "x",
                                      "publish-answer": "x"})
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    assert not PublishedQuestion.objects.exists()

    # the editor publishes; the asker is told once
    editor_client = pass_second_factor(client, editor)
    form = editor_client.get(url).context["forms"]["publish"]
    assert "0912345678" not in form.initial["question_text"] + form.initial["title"]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, {"action": "publish", "publish-title": "Giấy tờ cần nộp",
                                            "publish-question_text": "Cần những giấy tờ gì?",
                                            "publish-answer": "Cần tờ khai theo mẫu."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.PUBLISHED and question.notified_at is not None
    published = PublishedQuestion.objects.get()
    assert published.agency == other_agency and published.procedure == procedure
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["binh@example.com"]
    assert "Cần tờ khai theo mẫu." in message.body
    assert published.get_absolute_url() in message.body
    assert service.notify_answered.call(question.pk) is False  # never twice


def test_staff_of_another_agency_neither_see_nor_answer(client, procedure, other_agency):
    question = make_question(procedure, status=QuestionStatus.SENT)
    outsider = make_staff("outsider-q", other_agency, "receiver", "leader")
    insider = make_staff("insider-q", procedure.agency, "receiver")
    assert list(service.visible_questions(insider)) == [question]
    assert not service.visible_questions(outsider).exists()
    staff_client = pass_second_factor(client, outsider)
    queue = staff_client.get(reverse("feedback_questions:queue") + "?status=sent")
    assert queue.status_code == 200 and question.title not in queue.content.decode()
    url = reverse("feedback_questions:question", args=[question.pk])
    assert staff_client.get(url).status_code == 404
    assert staff_client.post(url, {"action": "answer", "answer-answer": "Trả lời"}).status_code == 404
    with pytest.raises(service.QuestionError):
        service.answer(question, "Trả lời", outsider)
    question.refresh_from_db()
    assert question.status == QuestionStatus.SENT and question.answer == ""


def test_staff_do_not_see_new_questions_nor_a_citizen_the_queue(client, procedure):
    make_question(procedure, status=QuestionStatus.NEW)
    insider = make_staff("insider-new", procedure.agency, "receiver")
    assert not service.visible_questions(insider).exists()
    citizen = make_citizen("citizen-queue")
    assert not service.visible_questions(citizen).exists()
    assert not service.may_moderate_queue(citizen)


def test_a_rejected_question_is_never_published(procedure, editor):
    question = make_question(procedure)
    service.reject(question, "Không thuộc thẩm quyền.", editor)
    question.refresh_from_db()
    with pytest.raises(service.QuestionError):
        service.publish(question, title="x", question_text="x", answer_text="x", user=editor)
    assert not PublishedQuestion.objects.exists()


# ---------------------------------------------------------------- personal data


def test_the_first_pass_masks_emails_phones_and_id_numbers():
    text = ("Tôi là Trần Thị Bình, email binh.tran@example.com, điện thoại 0912 345 678 hoặc +84 98.765.4321, "
            "căn cước 001099012345, CMND cũ 123456789, hồ sơ 000.00.10.H30-261122-0001, năm 2025.")
    masked = service.mask_personal_data(text)
    for secret in ("binh.tran@example.com", "0912 345 678", "+84 98.765.4321", "001099012345", "123456789"):
        assert secret not in masked
    assert "000.00.10.H30-261122-0001" in masked and "2025" in masked  # codes and years stay
    question = Question(name="Trần Thị Bình")
    assert "Trần Thị Bình" not in service.mask_asker(text, question)


def test_the_public_pages_never_show_the_askers_details(client, procedure, editor):
    question = make_question(procedure, body=BODY + " Liên hệ binh@example.com, 0912345678.")
    published = publish(question, editor, question_text=service.mask_asker(question.body, question))
    for url in (reverse("questions_list"), published.get_absolute_url(), procedure.url):
        body = client.get(url).content.decode()
        assert published.title in body, url
        for secret in ("binh@example.com", "0912345678", "Trần Thị Bình"):
            assert secret not in body, (url, secret)


# ---------------------------------------------------------------- published Q&As


def test_the_procedure_page_lists_its_published_questions(client, procedure, editor):
    other = make_procedure("2.000488", title="Cấp phiếu lý lịch tư pháp")
    publish(make_question(procedure, title="Khai sinh cho con"), editor)
    publish(make_question(other, title="Lý lịch số 2"), editor)
    body = client.get(procedure.url).content.decode()
    assert "Khai sinh cho con" in body and "Lý lịch số 2" not in body
    assert f"{reverse('questions_ask')}?procedure={procedure.code}" in body


def test_search_finds_a_question_typed_without_diacritics(client, procedure, editor):
    publish(make_question(procedure, title="Đăng ký khai sinh quá hạn"), editor)
    publish(make_question(procedure, title="Lệ phí cấp bản sao"), editor)
    response = client.get(reverse("questions_list"), {"q": "dang ky khai sinh"})
    body = response.content.decode()
    assert "Đăng ký khai sinh quá hạn" in body and "Lệ phí cấp bản sao" not in body
    assert [p.title for p in service.search_published("le phi")] == ["Lệ phí cấp bản sao"]
    assert not service.search_published("khong co gi").exists()


def test_wagtail_search_finds_it_folded(procedure, editor):
    publish(make_question(procedure, title="Đăng ký khai sinh quá hạn"), editor)
    results = get_search_backend().search("dang ky khai sinh", PublishedQuestion.objects.filter(live=True))
    assert [r.title for r in results] == ["Đăng ký khai sinh quá hạn"]


def test_an_english_translation_is_shown_in_english(client, procedure, editor):
    published = publish(make_question(procedure, title="Đăng ký khai sinh quá hạn"), editor)
    untranslated = publish(make_question(procedure, title="Lệ phí cấp bản sao"), editor)
    english = published.copy_for_translation(en())
    english.title, english.question_text, english.answer = "Late birth registration", "What is needed?", "A form."
    english.save()
    with translation.override("en"):
        listing = client.get(reverse("questions_list")).content.decode()
        detail = client.get(published.get_absolute_url()).content.decode()
    assert "Late birth registration" in listing and "Đăng ký khai sinh quá hạn" not in listing
    assert "Lệ phí cấp bản sao" in listing  # not translated yet: the Vietnamese, marked lang="vi"
    assert 'lang="vi"' in listing
    assert "A form." in detail
    assert untranslated.locale == Locale.get_default()
    # the English copy keeps what it is about, and in English search finds it
    assert english.procedure == procedure and english.agency == procedure.agency
    assert [p.title for p in service.search_published("late birth", "en")] == ["Late birth registration"]


def test_a_hidden_or_unknown_question_is_not_found(client, procedure, editor):
    published = publish(make_question(procedure), editor)
    published.live = False
    published.save()
    assert client.get(published.get_absolute_url()).status_code == 404
    assert published.title not in client.get(reverse("questions_list")).content.decode()


def test_unconfirmed_questions_are_deleted_after_the_link_expired(procedure):
    from django.core.management import call_command

    stale = make_question(procedure, status=QuestionStatus.UNVERIFIED)
    fresh = make_question(procedure, status=QuestionStatus.UNVERIFIED)
    kept = make_question(procedure, status=QuestionStatus.NEW)
    Question.objects.filter(pk__in=[stale.pk, kept.pk]).update(
        created_at=timezone.now() - dt.timedelta(seconds=service.VERIFY_MAX_AGE + 60))
    call_command("purge_unverified_questions")
    assert set(Question.objects.values_list("pk", flat=True)) == {fresh.pk, kept.pk}


def test_editors_correct_a_published_question_in_the_snippets(client, procedure, editor):
    published = publish(make_question(procedure), editor)
    editor_client = pass_second_factor(client, editor)
    assert editor_client.get(reverse("wagtailsnippets_feedback_publishedquestion:list")).status_code == 200
    url = reverse("wagtailsnippets_feedback_publishedquestion:edit", args=[published.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {"title": "Tiêu đề đã sửa", "question_text": "Câu hỏi?", "answer": "Trả lời.",
                                        "procedure": procedure.pk, "field": procedure.field.pk,
                                        "agency": procedure.agency.pk, "live": "on"})
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title == "Tiêu đề đã sửa" and " tieu de da sua " in published.search_text
