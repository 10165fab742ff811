"""The request id in responses and log lines, JSON logs, and what /healthz
says of the cache and the task queue."""

import json
import logging

import pytest
from django.test import Client, override_settings

from core.observability import JsonFormatter, RequestIdFilter, current_request_id, new_request_id

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id_and_a_proxy_id_runs_through():
    first = Client().get("/healthz")
    second = Client().get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    passed = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")
    assert passed["X-Request-ID"] == "lb-7f3a9c21-0001"
    # Something that is not an id (too short, a newline to forge log lines) is replaced.
    assert Client().get("/healthz", HTTP_X_REQUEST_ID="x\nforged")["X-Request-ID"] != "x\nforged"
    assert new_request_id("abc") != "abc"
    assert current_request_id() == "-"  # outside a request


def test_log_lines_of_a_request_carry_its_id(caplog):
    from django.urls import path

    from config import urls as root

    seen = []

    def view(request):
        logging.getLogger("portal.test").warning("inside the view")
        from django.http import HttpResponse

        seen.append(current_request_id())
        return HttpResponse("ok")

    class Urls:
        urlpatterns = [path("observe/", view), *root.urlpatterns]

    with override_settings(ROOT_URLCONF=Urls):
        caplog.handler.addFilter(RequestIdFilter())
        response = Client().get("/observe/", HTTP_X_REQUEST_ID="req-12345678")
    assert response["X-Request-ID"] == "req-12345678" == seen[0]
    [record] = [r for r in caplog.records if r.name == "portal.test"]
    assert record.request_id == "req-12345678"


def test_the_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("portal.x", logging.ERROR, __file__, 1, "Hồ sơ %s", ("000.00.01.H01-261201-0001",),
                               None)
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert "\n" not in line
    assert data["message"] == "Hồ sơ 000.00.01.H01-261201-0001"
    assert (data["level"], data["logger"], data["request_id"]) == ("ERROR", "portal.x", "-")
    assert data["time"].endswith("Z")


def test_healthz_reports_a_cache_that_does_not_answer():
    # A real Redis cache at a port where nothing listens.
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:9/0", "OPTIONS": {"socket_connect_timeout": 1}}}
    with override_settings(CACHES=caches):
        from django.core.cache import caches as handler

        handler["default"].close()
        del handler["default"]
        response = Client().get("/healthz")
        del handler["default"]
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("down")


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_healthz_reports_the_task_backlog():
    from notifications.tasks import deliver_message

    deliver_message.enqueue(1, 1)
    deliver_message.enqueue(2, 1)
    tasks = Client().get("/healthz").json()["tasks"]
    assert (tasks["ready"], tasks["running"], tasks["failed_24h"]) == (2, 0, 0)
    assert tasks["oldest_ready_seconds"] >= 0
