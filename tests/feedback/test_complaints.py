"""Feedback and complaints: the state machine step by step and its
refusals, the working-day deadline across a holiday, overdue, the tracking
code, submitting (about a dossier only by its applicant) and the citizen's
tracking look-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from feedback import complaints as services
from feedback.models import Complaint, ComplaintStatus
from procedures.models import CalendarDay
from tests.feedback.complaint_world import complaint, monday_morning, world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


@pytest.fixture
def w():
    return world()


# ---------------------------------------------------------------- the state machine


def test_each_step_in_order(w, django_capture_on_commit_callbacks):
    c = complaint(w)
    assert c.status == ComplaintStatus.RECEIVED
    assert [t.action for t in services.allowed_actions(c)] == ["start"]
    services.step(c, "start", w["staff"])
    assert c.status == ComplaintStatus.HANDLING
    with django_capture_on_commit_callbacks(execute=True):
        services.step(c, "answer", w["staff"], answer="Chúng tôi đã bố trí thêm người.")
    assert c.status == ComplaintStatus.ANSWERED
    assert c.answered_by == w["staff"] and c.answered_at is not None
    services.step(c, "reopen", w["staff"])
    assert c.status == ComplaintStatus.HANDLING
    services.step(c, "answer", w["staff"], answer="Đã xử lý xong.")
    services.step(c, "close", w["staff"])
    assert c.status == ComplaintStatus.CLOSED and c.closed_at is not None
    assert services.allowed_actions(c) == []
    assert list(c.events.values_list("action", flat=True)) == [
        "submit", "start", "answer", "reopen", "answer", "close"]


@pytest.mark.parametrize(("status", "action"), [
    (ComplaintStatus.RECEIVED, "answer"),
    (ComplaintStatus.RECEIVED, "close"),
    (ComplaintStatus.RECEIVED, "reopen"),
    (ComplaintStatus.HANDLING, "start"),
    (ComplaintStatus.HANDLING, "close"),
    (ComplaintStatus.ANSWERED, "answer"),
    (ComplaintStatus.CLOSED, "reopen"),
    (ComplaintStatus.CLOSED, "start"),
    (ComplaintStatus.RECEIVED, "delete"),
])
def test_out_of_order_steps_are_refused(w, status, action):
    c = complaint(w)
    Complaint.objects.filter(pk=c.pk).update(status=status)
    c.refresh_from_db()
    with pytest.raises(services.TransitionError):
        services.step(c, action, w["staff"], answer="x")
    c.refresh_from_db()
    assert c.status == status
    assert c.events.count() == 1


def test_an_answer_needs_text(w):
    c = complaint(w)
    services.step(c, "start", w["staff"])
    with pytest.raises(services.TransitionError), translation.override("en"):
        services.step(c, "answer", w["staff"], answer="   ")
    c.refresh_from_db()
    assert c.status == ComplaintStatus.HANDLING


# ---------------------------------------------------------------- deadlines


def test_deadline_counts_working_days(w, settings):
    settings.PORTAL_FEEDBACK_DAYS = 3
    c = complaint(w, now=monday_morning())
    assert timezone.localtime(c.due_at).date() == dt.date(2026, 1, 8)  # Mon → Thu


def test_deadline_skips_a_holiday_and_the_weekend(w, settings):
    """Thursday 29 Jan + 3 working days: Fri 30 is a holiday, the weekend is
    off, so Mon 2, Tue 3 and Wed 4 February; without the holiday, Tuesday."""
    settings.PORTAL_FEEDBACK_DAYS = 3
    thursday = timezone.make_aware(dt.datetime(2026, 1, 29, 9, 0))
    assert timezone.localtime(services.deadline(thursday)).date() == dt.date(2026, 2, 3)
    CalendarDay.objects.create(date=dt.date(2026, 1, 30), kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ bù")
    c = complaint(w, now=thursday)
    assert timezone.localtime(c.due_at).date() == dt.date(2026, 2, 4)


def test_a_make_up_saturday_counts(w, settings):
    settings.PORTAL_FEEDBACK_DAYS = 1
    friday = timezone.make_aware(dt.datetime(2026, 1, 9, 9, 0))
    CalendarDay.objects.create(date=dt.date(2026, 1, 10), kind=CalendarDay.Kind.WORKING_DAY, name="Làm bù")
    assert timezone.localtime(services.deadline(friday)).date() == dt.date(2026, 1, 10)


def test_overdue_while_open_only(w, settings, capsys):
    settings.PORTAL_FEEDBACK_DAYS = 2
    late = complaint(w, now=timezone.now() - dt.timedelta(days=30))
    answered = complaint(w, now=timezone.now() - dt.timedelta(days=30))
    fresh = complaint(w)
    services.step(answered, "start", w["staff"])
    services.step(answered, "answer", w["staff"], answer="Đã trả lời.")
    assert late.is_overdue and not answered.is_overdue and not fresh.is_overdue
    assert list(Complaint.objects.overdue()) == [late]
    call_command("list_overdue_feedback")
    out = capsys.readouterr().out
    assert late.tracking_code in out and answered.tracking_code not in out and "1 overdue" in out


# ---------------------------------------------------------------- codes


def test_tracking_codes_are_random_and_unique(w):
    codes = {complaint(w).tracking_code for _i in range(20)}
    assert len(codes) == 20
    assert all(services.CODE_RE.fullmatch(code) for code in codes)
    assert services.normalise_code(" pa 7kq3m9xw2d ") == "PA-7KQ3M9XW2D"


# ---------------------------------------------------------------- submitting


def _post(client, **data):
    base = {"kind": "feedback", "subject": "agency", "title": "Chờ lâu", "body": "Nội dung", "name": "Lê Thị B",
            "email": "b@example.vn", "phone": ""}
    base.update(data)
    return client.post(reverse("feedback_complaint_new"), base)


def test_submit_about_an_agency_and_see_the_code_once(client, w):
    response = _post(client, agency=w["agency"].pk, may_publish="on")
    assert response.status_code == 302 and response["Location"] == reverse("feedback_complaint_sent")
    c = Complaint.objects.get()
    assert c.agency == w["agency"] and c.may_publish and c.email == "b@example.vn"
    page = client.get(reverse("feedback_complaint_sent"))
    assert c.tracking_code in page.content.decode()
    # shown once: the session no longer holds it
    assert client.get(reverse("feedback_complaint_sent")).status_code == 302


def test_submit_about_a_procedure_goes_to_its_agency(client, w):
    assert _post(client, subject="procedure", procedure_code=w["procedure"].code).status_code == 302
    c = Complaint.objects.get()
    assert c.procedure_id == w["procedure"].pk and c.agency == w["agency"]


def test_bad_input_is_answered_and_kept(client, w):
    with translation.override("en"):
        response = _post(client, subject="procedure", procedure_code="9.999999", email="", phone="",
                         title="Giữ lại tiêu đề")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Giữ lại tiêu đề" in html  # nothing lost
    assert Complaint.objects.count() == 0
    form = response.context["form"]
    assert "procedure_code" in form.errors and "email" in form.errors


def test_about_a_dossier_only_by_its_applicant(client, w):
    code = w["dossier"].code
    # anonymous: told to sign in
    response = _post(client, subject="dossier", dossier_code=code)
    assert response.status_code == 400 and "dossier_code" in response.context["form"].errors
    # another citizen: as if it did not exist
    client.force_login(w["other_citizen"])
    response = _post(client, subject="dossier", dossier_code=code)
    assert response.status_code == 400 and "dossier_code" in response.context["form"].errors
    assert Complaint.objects.count() == 0
    # its applicant
    client.force_login(w["citizen"])
    assert _post(client, subject="dossier", dossier_code=code.lower()).status_code == 302
    c = Complaint.objects.get()
    assert c.dossier == w["dossier"] and c.agency == w["dossier"].agency and c.user == w["citizen"]


def test_submissions_are_rate_limited(client, w):
    for _i in range(5):
        assert _post(client, agency=w["agency"].pk).status_code == 302
    assert _post(client, agency=w["agency"].pk).status_code == 429
    assert Complaint.objects.count() == 5


# ---------------------------------------------------------------- tracking


def _track(client, code, contact):
    return client.post(reverse("feedback_track"), {"code": code, "contact": contact})


def test_tracking_shows_status_and_answer(client, w, django_capture_on_commit_callbacks):
    c = complaint(w, phone="0912 345 678")
    response = _track(client, c.tracking_code, "an@example.vn")
    assert response.status_code == 200 and response.context["complaint"] == c
    services.step(c, "start", w["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        services.step(c, "answer", w["staff"], answer="Câu trả lời của cơ quan.")
    by_phone = _track(client, c.tracking_code.lower().replace("-", " "), "+84912345678")
    assert "Câu trả lời của cơ quan." in by_phone.content.decode()
    # and the citizen was told by email
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["an@example.vn"]
    assert c.tracking_code in mail.outbox[0].subject and "Câu trả lời của cơ quan." in mail.outbox[0].body


def test_not_found_and_not_matching_read_the_same(client, w):
    c = complaint(w)
    wrong_contact = _track(client, c.tracking_code, "someone@example.vn")
    unknown_code = _track(client, "PA-2345678923", "an@example.vn")
    assert wrong_contact.status_code == unknown_code.status_code == 200
    assert wrong_contact.context["complaint"] is None and unknown_code.context["complaint"] is None

    def body(response):
        return response.content.decode().replace(c.tracking_code, "PA-2345678923").replace(
            "someone@example.vn", "an@example.vn")

    assert body(wrong_contact) == body(unknown_code).replace(
        response_token(unknown_code), response_token(wrong_contact))
    assert "Chờ lâu" not in wrong_contact.content.decode()


def response_token(response) -> str:
    """The CSRF token in a page (differs between two answers)."""
    html = response.content.decode()
    start = html.index('name="csrfmiddlewaretoken" value="') + len('name="csrfmiddlewaretoken" value="')
    return html[start:html.index('"', start)]


def test_tracking_is_rate_limited_per_code(client, w, settings):
    c = complaint(w)
    for _i in range(10):
        assert _track(client, c.tracking_code, f"x{_i}@example.vn").status_code == 200
    # the right contact now waits too: guessing a contact for a code is capped
    response = _track(client, c.tracking_code, "an@example.vn")
    assert response.status_code == 429 and response.context.get("complaint") is None


def test_tracking_bad_input(client, w):
    with translation.override("en"):
        response = _track(client, "not a code", "nope")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"code", "contact"}


def test_published_list_shows_only_the_public_version(client, w):
    c = complaint(w, may_publish=True)
    services.step(c, "start", w["staff"])
    services.step(c, "answer", w["staff"], answer="Trả lời riêng cho ông An.")
    hidden = complaint(w, title="Chưa công khai")
    services.publish(c, w["staff"], title="Thời gian chờ", body="Người dân chờ lâu.", answer="Đã bố trí thêm.")
    html = client.get(reverse("feedback_complaints")).content.decode()
    assert "Thời gian chờ" in html and "Đã bố trí thêm." in html
    assert "Nguyễn Văn An" not in html and "an@example.vn" not in html and "ông An" not in html
    assert hidden.title not in html


def test_publishing_needs_consent_and_an_answer(w):
    c = complaint(w)
    with pytest.raises(services.TransitionError):
        services.publish(c, w["staff"], title="t", body="b", answer="a")
    c.may_publish = True
    c.save()
    with pytest.raises(services.TransitionError):  # not answered yet
        services.publish(c, w["staff"], title="t", body="b", answer="a")
