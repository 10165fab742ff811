"""The HTTP SMS gateway backend against a real HTTP server on loopback,
which records exactly what we send and answers as it is told: success,
refusal (4xx), server error (5xx) or nothing in time."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.utils import timezone

from eforms import lifecycle
from notifications.models import Message, MessageState
from notifications.tasks import deliver_message, retry_messages

from .helpers import make_dossier

pytestmark = pytest.mark.django_db

PAYLOAD = '{"phone": "{to}", "message": "{text}", "brandname": "{sender}", "meta": {"unicode": true}}'


class Gateway:
    """A scripted SMS gateway: `answers` is consumed one per request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append({"method": self.command, "path": self.path,
                                         "headers": dict(self.headers), "body": body})
                kind, *rest = gateway.answers.pop(0) if gateway.answers else ("ok",)
                if kind == "sleep":
                    time.sleep(rest[0])
                    return
                status, document = {
                    "ok": (200, {"status": "ok", "data": {"message_id": f"gw-{len(gateway.requests)}"}}),
                    "refuse": (400, {"status": "error", "error": "invalid phone number"}),
                    "error": (503, {"status": "error", "error": "maintenance"}),
                    "not_ok": (200, {"status": "rejected", "error": "brandname not registered"}),
                }[kind]
                raw = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # the client hung up on a sleeping answer
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v2/sms/send?tenant=dvc"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    server = Gateway()
    settings.PORTAL_SMS_BACKEND = "http"
    settings.PORTAL_SMS_HTTP_URL = server.url
    settings.PORTAL_SMS_HTTP_TOKEN = "Bearer s3cret-token"
    settings.PORTAL_SMS_HTTP_TOKEN_HEADER = "Authorization"
    settings.PORTAL_SMS_HTTP_USERNAME = ""
    settings.PORTAL_SMS_HTTP_PAYLOAD = PAYLOAD
    settings.PORTAL_SMS_HTTP_SUCCESS = "status=ok"
    settings.PORTAL_SMS_HTTP_ID_PATH = "data.message_id"
    settings.PORTAL_SMS_HTTP_TIMEOUT = 1
    settings.PORTAL_SMS_SENDER = "UBND-DAKLAK"
    settings.PORTAL_MESSAGE_RETRY_BASE_SECONDS = 60
    yield server
    server.close()


def receive(django_capture_on_commit_callbacks, consent=True):
    """Receive a consenting applicant's dossier; return it with its SMS row."""
    dossier, staff = make_dossier(consent=consent)
    with django_capture_on_commit_callbacks(execute=True):
        event = lifecycle.receive(dossier, staff)
    return dossier, Message.objects.get(event=event, channel="sms")


def test_success_sends_exactly_the_configured_request(gateway, django_capture_on_commit_callbacks):
    dossier, sms = receive(django_capture_on_commit_callbacks)
    assert sms.state == MessageState.SENT and sms.provider_message_id == "gw-1" and sms.attempts == 1
    [request] = gateway.requests
    assert request["method"] == "POST" and request["path"] == "/api/v2/sms/send?tenant=dvc"
    assert request["headers"]["Authorization"] == "Bearer s3cret-token"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(request["body"]) == {
        "phone": "0912345678",
        "message": sms.body,
        "brandname": "UBND-DAKLAK",
        "meta": {"unicode": True},
    }
    assert sms.body.startswith(f"Hồ sơ {dossier.code} đã được Sở Tư pháp tiếp nhận")


def test_basic_auth_credentials(gateway, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_SMS_HTTP_TOKEN = ""
    settings.PORTAL_SMS_HTTP_USERNAME = "portal"
    settings.PORTAL_SMS_HTTP_PASSWORD = "mật-khẩu"
    settings.PORTAL_SMS_HTTP_SUCCESS = ""  # any 2xx
    _dossier, sms = receive(django_capture_on_commit_callbacks)
    assert sms.state == MessageState.SENT
    expected = base64.b64encode("portal:mật-khẩu".encode()).decode()
    assert gateway.requests[0]["headers"]["Authorization"] == f"Basic {expected}"


@pytest.mark.parametrize("answer", ["refuse", "not_ok"])
def test_a_refusal_fails_at_once_and_is_never_retried(answer, gateway, django_capture_on_commit_callbacks):
    gateway.answers = [(answer,)]
    _dossier, sms = receive(django_capture_on_commit_callbacks)
    assert sms.state == MessageState.FAILED and sms.attempts == 1
    assert ("invalid phone number" if answer == "refuse" else "brandname not registered") in sms.last_error
    assert retry_messages(timezone.now() + dt.timedelta(days=2)) == (0, 0)
    assert len(gateway.requests) == 1


@pytest.mark.parametrize("failure", [("error",), ("sleep", 2)], ids=["server-error", "timeout"])
def test_errors_and_timeouts_are_retried_with_backoff_until_the_gateway_recovers(
    failure, gateway, django_capture_on_commit_callbacks
):
    gateway.answers = [failure, failure]
    before = timezone.now()
    _dossier, sms = receive(django_capture_on_commit_callbacks)
    assert sms.state == MessageState.QUEUED and sms.attempts == 1
    assert ("503" in sms.last_error) if failure[0] == "error" else ("1 s" in sms.last_error)
    first_wait = sms.next_attempt_at - before
    assert dt.timedelta(seconds=60) <= first_wait <= dt.timedelta(seconds=60 + 10)

    assert retry_messages(sms.next_attempt_at - dt.timedelta(seconds=1)) == (0, 0)  # not due yet
    assert retry_messages(sms.next_attempt_at) == (0, 1)
    sms.refresh_from_db()
    assert sms.state == MessageState.QUEUED and sms.attempts == 2
    second_wait = sms.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=110) <= second_wait <= dt.timedelta(seconds=120)  # doubled

    assert retry_messages(sms.next_attempt_at) == (0, 1)  # the gateway is back
    sms.refresh_from_db()
    assert sms.state == MessageState.SENT and sms.attempts == 3 and sms.provider_message_id == "gw-3"
    assert len(gateway.requests) == 3
    assert retry_messages(timezone.now() + dt.timedelta(days=2)) == (0, 0)


def test_gives_up_after_the_last_attempt(gateway, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_MESSAGE_MAX_ATTEMPTS = 2
    gateway.answers = [("error",)] * 3
    _dossier, sms = receive(django_capture_on_commit_callbacks)
    retry_messages(sms.next_attempt_at)
    sms.refresh_from_db()
    assert sms.state == MessageState.FAILED and sms.attempts == 2 and "503" in sms.last_error
    assert len(gateway.requests) == 2


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_with_the_database_backend_the_retry_is_enqueued_with_run_after(gateway, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    gateway.answers = [("error",)]
    _dossier, sms = receive(django_capture_on_commit_callbacks)
    assert sms.state == MessageState.QUEUED and not gateway.requests  # only enqueued so far

    def deliveries():
        rows = DBTaskResult.objects.filter(task_path="notifications.tasks.deliver_message").order_by("enqueued_at")
        return [(row.args_kwargs["args"], row.run_after) for row in rows if row.args_kwargs["args"][0] == sms.pk]

    [(args, _run_after)] = deliveries()
    assert args == [sms.pk, 1]

    assert deliver_message.call(sms.pk, 1) == MessageState.QUEUED  # what the worker runs
    sms.refresh_from_db()
    assert deliveries()[1] == ([sms.pk, 2], sms.next_attempt_at)

    assert deliver_message.call(sms.pk, 2) == MessageState.SENT
    assert deliver_message.call(sms.pk, 2) == "skipped"  # a second run of the same task
    assert len(gateway.requests) == 2
