"""Messages to applicants: which events are announced, by which channel, in
which language, only after the change commits, and each message once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from eforms import lifecycle
from notifications import delivery
from notifications.dossier import messages_for
from notifications.models import Message, MessageState
from notifications.tasks import deliver_message, retry_messages

from .helpers import clear_sms_file, make_dossier, sms_lines

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _empty_outboxes():
    clear_sms_file()
    yield
    clear_sms_file()


def test_receiving_is_announced_by_email_and_sms_only_after_commit(django_capture_on_commit_callbacks):
    dossier, staff = make_dossier()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = lifecycle.receive(dossier, staff)
    assert not Message.objects.exists() and not mail.outbox and not sms_lines()

    for callback in callbacks:
        callback()

    email, sms = (Message.objects.get(event=event, channel=c) for c in ("email", "sms"))
    assert email.state == sms.state == MessageState.SENT and email.attempts == sms.attempts == 1
    [sent] = mail.outbox
    assert sent.to == ["an@example.com"] and sent.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert "Sở Tư pháp đã tiếp nhận hồ sơ" in sent.body and "Ngày hẹn trả kết quả: " in sent.body
    assert f"/ho-so-cua-toi/{dossier.code}/" in sent.body
    html = sent.alternatives[0][0]
    assert f'href="http://testserver/ho-so-cua-toi/{dossier.code}/"' in html
    assert email.provider_message_id == sent.extra_headers["Message-ID"]
    [line] = sms_lines()
    assert line["to"] == "0912345678" and line["text"].startswith(f"Hồ sơ {dossier.code} đã được Sở Tư pháp tiếp nhận")
    assert sms.provider_message_id == line["id"]


def test_status_change_inside_a_request_sends_nothing_before_commit(client, django_capture_on_commit_callbacks):
    dossier, _staff = make_dossier()
    client.force_login(dossier.applicant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("my_dossier_withdraw", args=[dossier.code]), {"confirm": "on"})
    assert response.status_code == 302
    assert not mail.outbox and not Message.objects.exists() and not sms_lines()

    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == [f"Hồ sơ {dossier.code} đã được rút"]
    assert len(sms_lines()) == 1


def test_english_dossier_gets_the_english_template(django_capture_on_commit_callbacks):
    dossier, staff = make_dossier(language="en")
    lifecycle.receive(dossier, staff)  # not committed: not announced
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.request_supplement(dossier, staff, items=["Birth certificate copy", "Two photos"],
                                     deadline=timezone.localdate() + dt.timedelta(days=10))
    [sent] = mail.outbox
    deadline = (timezone.localdate() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    assert sent.subject == f"Dossier {dossier.code} needs more documents by {deadline}"
    assert "Birth certificate copy; Two photos" in sent.body and "Sở Tư pháp (EN)" in sent.body
    assert f"http://testserver/en/ho-so-cua-toi/{dossier.code}/" in sent.body
    assert sms_lines()[0]["text"].startswith(f"Dossier {dossier.code} needs: Birth certificate copy")
    assert Message.objects.get(channel="email").language == "en"


@pytest.mark.parametrize("consent", [None, False])
def test_no_sms_without_consent(consent, django_capture_on_commit_callbacks):
    dossier, staff = make_dossier(consent=consent)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.receive(dossier, staff)
    assert list(Message.objects.values_list("channel", flat=True)) == ["email"]
    assert not sms_lines()


def test_submission_gets_an_sms_but_no_second_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier, _staff = make_dossier()
    assert len(mail.outbox) == 1  # eforms' receipt, with its PDF
    assert mail.outbox[0].attachments
    assert list(Message.objects.values_list("channel", flat=True)) == ["sms"]
    assert sms_lines()[0]["text"] == (f"Hồ sơ {dossier.code} đã được nộp trực tuyến thành công, "
                                      "đang chờ Sở Tư pháp tiếp nhận.")


def test_internal_steps_are_not_announced(django_capture_on_commit_callbacks):
    dossier, staff = make_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.receive(dossier, staff)
    assert Message.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lifecycle.record(dossier, staff, "forward", dossier.status, note="Chuyển phòng nghiệp vụ")
    assert not callbacks and Message.objects.count() == 2


def test_sms_without_diacritics_when_the_gateway_needs_ascii(django_capture_on_commit_callbacks, settings):
    settings.PORTAL_SMS_ASCII = True
    dossier, staff = make_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.reject(dossier, staff, reason="Thiếu giấy tờ đăng ký")
    [line] = sms_lines()
    assert line["text"] == f"Ho so {dossier.code} bi tu choi tiep nhan. Ly do: Thieu giay to dang ky"
    assert "Thiếu giấy tờ đăng ký" in mail.outbox[-1].body  # email keeps its letters


@override_settings(TASKS=DUMMY_TASKS)
def test_a_message_is_sent_once_when_the_task_runs_twice(django_capture_on_commit_callbacks):
    dossier, staff = make_dossier(consent=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = lifecycle.receive(dossier, staff)
    sms = Message.objects.get(event=event, channel="sms")
    assert sms.state == MessageState.QUEUED and not sms_lines()  # only enqueued

    assert deliver_message.call(sms.pk, 1) == MessageState.SENT
    assert deliver_message.call(sms.pk, 1) == "skipped"
    assert len(sms_lines()) == 1
    sms.refresh_from_db()
    assert sms.state == MessageState.SENT and sms.attempts == 1
    # the event announced again (a replayed signal) makes no second row
    assert delivery.create_messages(event.pk) == []
    assert Message.objects.filter(event=event).count() == 2


@override_settings(TASKS=DUMMY_TASKS)
def test_a_message_left_sending_by_a_dead_worker_is_requeued_after_the_timeout(
    django_capture_on_commit_callbacks, settings
):
    dossier, staff = make_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        event = lifecycle.receive(dossier, staff)
    sms = Message.objects.get(event=event, channel="sms")
    started = timezone.now()
    assert delivery.claim(sms.pk, 1, started)  # the worker claimed it, then was killed with -9

    assert deliver_message.call(sms.pk, 1) == "skipped"  # the same task run again sends nothing
    assert retry_messages(started + dt.timedelta(minutes=5)) == (0, 1)  # only the email, still queued
    sms.refresh_from_db()
    assert sms.state == MessageState.SENDING

    later = started + dt.timedelta(minutes=settings.PORTAL_MESSAGE_SENDING_TIMEOUT_MINUTES + 1)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        assert retry_messages(later) == (1, 2)
    sms.refresh_from_db()
    assert sms.state == MessageState.SENT and sms.attempts == 2
    assert len(sms_lines()) == 1


def test_messages_for_lists_the_delivery_rows_of_a_dossier(django_capture_on_commit_callbacks):
    dossier, staff = make_dossier()
    other, other_staff = make_dossier(username="binh", procedure=dossier.procedure)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.receive(dossier, staff)
        lifecycle.start_processing(dossier, staff)
        lifecycle.receive(other, other_staff)
    rows = list(messages_for(dossier))
    assert [(m.event.action, m.channel) for m in rows] == [
        ("receive", "email"), ("receive", "sms"), ("start_processing", "email"), ("start_processing", "sms"),
    ]
    assert all(m.dossier_id == dossier.pk and m.state == MessageState.SENT for m in rows)
