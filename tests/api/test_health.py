"""Connection health: the admin screen shows each client of the user's
agencies (last call, last delivery, failures of the last 24 hours) and no
other agency's; /healthz adds the `api` section for staff past the second
factor only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts import totp
from accounts.models import StaffRole
from api.health import report
from api.models import ApiClient, DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.dossier_factories import make_staff
from tests.second_factor import pass_second_factor

PLAIN = {"status": "ok", "checks": {"database": "ok", "search": "ok", "storage": "ok", "cache": "ok"},
         "tasks": {"ready": 0, "running": 0, "failed_24h": 0, "oldest_ready_seconds": None}}


@pytest.fixture
def history(world):
    """Client A: called the API, one delivery delivered, one failed twice
    today and given up, and one failure two days ago."""
    now = timezone.now()
    client = world["a"].client
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now - dt.timedelta(minutes=5))
    endpoint = WebhookEndpoint.objects.create(client=client, url="https://a.example.vn/hook", events="x", secret="s")

    def delivery(state, **fields):
        return WebhookDelivery.objects.create(endpoint=endpoint, event_id=__import__("uuid").uuid4(),
                                              event_type="dossier.submitted", state=state, **fields)

    good = delivery(DeliveryState.DELIVERED, delivered_at=now - dt.timedelta(minutes=3))
    WebhookAttempt.objects.create(delivery=good, at=now - dt.timedelta(minutes=3), ok=True, status_code=200)
    dead = delivery(DeliveryState.DEAD, last_attempt_at=now - dt.timedelta(hours=1))
    for hours in (2, 1):
        WebhookAttempt.objects.create(delivery=dead, at=now - dt.timedelta(hours=hours), status_code=500)
    WebhookAttempt.objects.create(delivery=dead, at=now - dt.timedelta(days=2), status_code=500)
    return {"now": now, "good": good}


def test_report_counts_the_last_24_hours(world, history):
    [row] = report(ApiClient.objects.filter(pk=world["a"].client.pk), now=history["now"])
    assert row.last_call_at is not None and row.last_delivery_at == history["good"].delivered_at
    assert (row.failed_attempts, row.dead, row.failures, row.pending) == (2, 1, 3, 0)
    [quiet] = report(ApiClient.objects.filter(pk=world["b"].client.pk), now=history["now"])
    assert (quiet.last_delivery_at, quiet.failures) == (None, 0)


def test_the_health_screen_is_agency_scoped(world, history):
    boss_a = pass_second_factor(Client(), make_staff("quantri.a", world["agency_a"], StaffRole.AGENCY_ADMIN))
    page = boss_a.get("/admin/api-health/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world["a"].client.name in html and world["b"].client.name not in html
    boss_b = pass_second_factor(Client(), make_staff("quantri.b", world["agency_b"], StaffRole.AGENCY_ADMIN))
    html_b = boss_b.get("/admin/api-health/").content.decode()
    assert world["b"].client.name in html_b and world["a"].client.name not in html_b
    handler = pass_second_factor(Client(), world["handler"])
    assert handler.get("/admin/api-health/").status_code in (302, 403)


def test_healthz_detail_for_staff_past_the_second_factor_only(world, history):
    assert Client().get("/healthz").json() == PLAIN
    citizen = Client()
    citizen.force_login(world["citizen"])
    assert citizen.get("/healthz").json() == PLAIN
    boss = make_staff("quantri.a", world["agency_a"], StaffRole.AGENCY_ADMIN)
    totp.activate(boss, totp.generate_secret())
    password_only = Client()
    password_only.force_login(boss)
    assert password_only.get("/healthz").json() == PLAIN
    staff = pass_second_factor(Client(), boss)
    answer = staff.get("/healthz")
    assert answer.status_code == 200 and "no-cache" in answer["Cache-Control"]
    body = answer.json()
    assert body["status"] == "ok" and body["checks"] == PLAIN["checks"]
    [client] = body["api"]["clients"]
    assert client["client"] == world["a"].client.name and client["failures_24h"] == 3
    assert client["last_delivery_at"] and client["last_call_at"]
    assert body["api"]["failures_24h"] == 3
