"""One request id from the request that changed a dossier to the message it
caused: the Message row keeps it, the worker runs the delivery task under it
(its log lines carry it, in another process as in this one), and the email
says it in `X-Request-ID`."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.observability import RequestIdFilter, current_request_id, request_id_context
from core.tasks import PortalTask
from notifications.models import Message, MessageState
from notifications.tasks import deliver_message, retry_messages
from tests.databases import run_data_migration

from .helpers import clear_sms_file, make_dossier

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
ROOT = Path(__file__).resolve().parents[2]
RID = "abc-0123456789-withdraw"


@pytest.mark.django_db(transaction=True)
def test_a_request_id_reaches_the_message_the_task_log_and_the_email(client, caplog):
    # A transactional test: the withdrawal commits inside the request, as in
    # production, so its messages are made while the request's id is current.
    run_data_migration("notifications.migrations.0002_default_templates", "create")
    clear_sms_file()
    dossier, _staff = make_dossier()
    client.force_login(dossier.applicant)
    mail.outbox.clear()
    with override_settings(TASKS=DB_TASKS):
        response = client.post(reverse("my_dossier_withdraw", args=[dossier.code]), {"confirm": "on"},
                               HTTP_X_REQUEST_ID=RID)
        assert response.status_code == 302 and response["X-Request-ID"] == RID
        messages = list(Message.objects.filter(event__action="withdraw"))
        assert {m.channel for m in messages} == {"email", "sms"}
        assert {m.request_id for m in messages} == {RID}
        assert all(m.state == MessageState.QUEUED for m in messages) and not mail.outbox  # queued, not sent
        queued = DBTaskResult.objects.ready().filter(task_path="notifications.tasks.deliver_message")
        assert {row.args_kwargs["kwargs"]["request_id"] for row in queued} == {RID}
        queued_ids = {str(row.id) for row in queued}
        assert len(queued_ids) == 2

        # The worker runs in no request at all; the tasks still run under the id.
        caplog.set_level(logging.INFO)
        caplog.handler.addFilter(RequestIdFilter())
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*")

    assert current_request_id() == "-"  # nothing leaks out of the worker
    sent = [r for r in caplog.records if r.name == "notifications.delivery" and "withdrawn" in r.getMessage()]
    assert len(sent) == 2 and {r.request_id for r in sent} == {RID}
    # Only this request's two tasks: a row an earlier test left in the queue
    # may run in the same batch.
    finished = [r for r in caplog.records if r.name == "django_tasks" and "SUCCESSFUL" in r.getMessage()
                and any(f"id={task_id} " in r.getMessage() for task_id in queued_ids)]
    assert len(finished) == 2 and {r.request_id for r in finished} == {RID}
    [email] = mail.outbox
    assert email.extra_headers["X-Request-ID"] == RID
    assert set(Message.objects.filter(event__action="withdraw").values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db
@override_settings(TASKS=DUMMY_TASKS)
def test_a_retry_runs_under_the_request_that_made_the_message():
    dossier, _staff = make_dossier()
    event = dossier.events.get(action="submit")
    message = Message.objects.create(
        dossier=dossier, event=event, kind="submitted", channel="sms", language="vi", recipient="0912345678",
        body="x", state=MessageState.QUEUED, attempts=1, next_attempt_at=timezone.now(), request_id="req-made-it-1",
    )
    backend = deliver_message.get_backend()
    backend.clear()
    with request_id_context("scheduler-run-0001"):
        assert retry_messages() == (0, 1)
    [result] = backend.results
    assert list(result.args) == [message.pk, 2]
    assert result.kwargs["request_id"] == "req-made-it-1"


@pytest.mark.django_db
@override_settings(TASKS=DUMMY_TASKS)
def test_a_task_enqueued_outside_a_request_gets_an_id_its_own_tasks_inherit():
    backend = deliver_message.get_backend()
    backend.clear()
    deliver_message.enqueue(1, 1)
    deliver_message.enqueue(2, 1)
    first, second = (r.kwargs["request_id"] for r in backend.results)
    assert first != second and len(first) == 32  # a fresh id each, never "-"
    with request_id_context(first):
        deliver_message.using(run_after=timezone.now()).enqueue(3, 1)  # `using` keeps the portal's task class
    assert backend.results[-1].kwargs["request_id"] == first
    deliver_message.enqueue(4, 1, request_id="given-by-caller")
    assert backend.results[-1].kwargs["request_id"] == "given-by-caller"


def test_the_task_function_runs_under_the_id_and_never_sees_it():
    seen = []

    def body(a, *, b):
        seen.append((a, b, current_request_id()))
        return "done"

    from core.tasks import runs_under_request_id

    run = runs_under_request_id(body)
    assert run(1, b=2, request_id="task-id-0001") == "done"
    assert run(3, b=4) == "done"  # a row queued before the id travelled
    assert seen == [(1, 2, "task-id-0001"), (3, 4, "-")]
    assert current_request_id() == "-"


TASK_MODULES = ["feedback.questions", "feedback.complaints", "search.stats", "eforms.notifications",
                "notifications.inbound", "notifications.tasks", "backoffice.tasks"]


def test_every_portal_task_carries_the_request_id():
    """A task declared with `django_tasks.task` would run without the id:
    every app declares its tasks with `core.tasks.task`."""
    import importlib

    from django_tasks.base import Task

    tasks = []
    for name in TASK_MODULES:
        module = importlib.import_module(name)
        tasks += [value for value in vars(module).values() if isinstance(value, Task)]
    assert len(tasks) >= 8
    assert all(isinstance(t, PortalTask) and getattr(t.func, "carries_request_id", False) for t in tasks)
    offenders = []
    for top in ROOT.iterdir():
        if not top.is_dir() or top.is_symlink() or top.name.startswith(".") or top.name in {"tests", "bench"}:
            continue
        for path in top.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path.relative_to(ROOT) == Path("core/tasks.py"):
                continue
            if "from django_tasks import task" in text or "django_tasks.task(" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
