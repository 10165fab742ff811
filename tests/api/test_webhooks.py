"""Webhooks to a real HTTP receiver on loopback: the outbox row is written
with the event, the worker signs and sends it, retries a 500 and a timeout
with backoff, stops at the first 2xx, gives up after the retry window; the
admin registers endpoints, lists deliveries and resends one; an agency's
events never reach another agency's client."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import re

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import StaffRole
from api import oauth
from api.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from api.webhooks import worker
from eforms import lifecycle
from tests.api.conftest import submitted_dossier
from tests.api.webhook_receiver import Receiver
from tests.dossier_factories import make_staff
from tests.second_factor import pass_second_factor

ALL_EVENTS = ("dossier.submitted dossier.supplemented dossier.withdrawn dossier.status_changed payment.paid "
              "fee_notice.issued")
SECRET = "whsec_test-secret"


def endpoint_for(caller, url: str, events: str = ALL_EVENTS) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(client=caller.client, url=url, events=events, secret=SECRET)


def expected_signature(secret: str, headers: dict, body: bytes) -> str:
    message = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def receive(world, dossier=None):
    dossier = dossier or world["dossier_a"]
    return lifecycle.perform(dossier, lifecycle.Actor.api_client("Một cửa", dossier.agency), "receive")


def test_fails_times_out_then_succeeds_with_backoff_and_no_repeat_after_success(world, settings):
    settings.PORTAL_WEBHOOK_TIMEOUT_SECONDS = 0.5
    with Receiver(["500", "hang", "200"]) as receiver:
        endpoint_for(world["a"], receiver.url)
        new = submitted_dossier(world["procedure_a"], world["citizen"])
        delivery = WebhookDelivery.objects.get()
        assert delivery.event_type == "dossier.submitted" and delivery.dossier_code == new.code

        t0 = timezone.now()
        assert worker.deliver_all(now=t0) == 1
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.PENDING, 1, 500)
        assert t0 + dt.timedelta(seconds=15) <= delivery.next_attempt_at <= t0 + dt.timedelta(seconds=30)
        assert worker.deliver_all(now=t0 + dt.timedelta(seconds=14)) == 0  # not due yet

        t1 = delivery.next_attempt_at
        assert worker.deliver_all(now=t1) == 1
        receiver.release.set()
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.PENDING and delivery.last_error == "timeout"
        assert t1 + dt.timedelta(seconds=30) <= delivery.next_attempt_at <= t1 + dt.timedelta(seconds=60)

        t2 = delivery.next_attempt_at
        assert worker.deliver_all(now=t2) == 1
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.DELIVERED and delivery.delivered_at == t2
        assert delivery.attempts == 3

        # delivered: never sent again
        assert worker.deliver_all(now=t2 + dt.timedelta(days=2)) == 0

    assert [r["mode"] for r in receiver.requests] == ["500", "hang", "200"]
    ids = {r["headers"]["Webhook-Id"] for r in receiver.requests}
    assert ids == {str(delivery.event_id)} and receiver.accepted == [str(delivery.event_id)]
    for request in receiver.requests:
        assert request["headers"]["Webhook-Signature"] == expected_signature(SECRET, request["headers"],
                                                                             request["body"])
        assert request["headers"]["Webhook-Signature"] != expected_signature("other", request["headers"],
                                                                             request["body"])
    payload = json.loads(receiver.requests[-1]["body"])
    assert payload["id"] == str(delivery.event_id) and payload["type"] == "dossier.submitted"
    assert payload["data"]["dossier"] == {
        "code": new.code, "status": "submitted", "procedure_code": world["procedure_a"].code,
        "agency_code": world["agency_a"].unit_code, "url": f"http://testserver/api/v1/dossiers/{new.code}"}
    body = receiver.requests[-1]["body"].decode()
    assert world["citizen"].get_full_name() not in body or not world["citizen"].get_full_name()
    assert new.applicant_name not in body and (new.applicant_id_number or "x") not in body
    assert [a.ok for a in WebhookAttempt.objects.filter(delivery=delivery)] == [False, False, True]


def test_backoff_grows_with_jitter_and_is_capped():
    rng = random.Random(4)
    for attempts, ceiling in ((1, 30), (2, 60), (3, 120), (8, 3600), (30, 3600)):
        for _ in range(20):
            wait = worker.backoff(attempts, rng).total_seconds()
            assert ceiling / 2 <= wait <= ceiling


def test_dead_after_the_retry_window(world):
    with Receiver(default="500") as receiver:
        endpoint_for(world["a"], receiver.url)
        receive(world)
        delivery = WebhookDelivery.objects.get()
        assert delivery.event_type == "dossier.status_changed"
        t0 = timezone.now()
        worker.deliver_all(now=t0)
        worker.deliver_all(now=t0 + dt.timedelta(hours=23))
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.PENDING
        assert delivery.next_attempt_at <= t0 + dt.timedelta(hours=24)
        assert worker.deliver_all(now=t0 + dt.timedelta(hours=24)) == 1
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.DEAD and delivery.attempts == 3
        assert worker.deliver_all(now=t0 + dt.timedelta(hours=48)) == 0
    assert len(receiver.requests) == 3


def test_a_lease_keeps_a_delivery_from_a_second_worker_until_it_runs_out(world, settings):
    settings.PORTAL_WEBHOOK_LEASE_SECONDS = 60
    with Receiver() as receiver:
        endpoint_for(world["a"], receiver.url)
        receive(world)
        t0 = timezone.now()
        first = worker.claim(now=t0)
        assert len(first) == 1
        assert worker.claim(now=t0 + dt.timedelta(seconds=59)) == []
        # the first worker died: after its lease, another takes the row
        second = worker.claim(now=t0 + dt.timedelta(seconds=61))
        assert [d.pk for d in second] == [first[0].pk] and second[0].attempts == 2
        # the first worker coming back late writes nothing
        assert not worker.record(first[0], worker.Outcome(True, 200), now=t0 + dt.timedelta(seconds=62))
        assert worker.record(second[0], worker.send(second[0]), now=t0 + dt.timedelta(seconds=62))
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED
    assert len(receiver.accepted) == 1


def test_the_outbox_row_is_written_in_the_events_transaction(world):
    endpoint_for(world["a"], "https://onestop.example.vn/hook")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            receive(world)
            assert WebhookDelivery.objects.count() == 1
            raise RuntimeError("rolled back")
    assert WebhookDelivery.objects.count() == 0
    receive(world)
    assert WebhookDelivery.objects.count() == 1


def test_events_and_subscriptions(world):
    only_paid = endpoint_for(world["a"], "https://a.example.vn/paid", events="payment.paid")
    everything = endpoint_for(world["a"], "https://a.example.vn/all")
    receive(world)
    lifecycle.perform(world["dossier_a"], lifecycle.Actor.api_client("x", world["agency_a"]), "forward",
                      assignee=world["handler"])  # internal: no status change, no event
    assert list(WebhookDelivery.objects.values_list("endpoint", "event_type")) == [
        (everything.pk, "dossier.status_changed")]
    assert not WebhookDelivery.objects.filter(endpoint=only_paid).exists()
    withdrawn = submitted_dossier(world["procedure_a"], world["citizen"])
    lifecycle.perform(withdrawn, lifecycle.Actor.applicant(world["citizen"]), "withdraw")
    assert WebhookDelivery.objects.filter(event_type="dossier.withdrawn", dossier_code=withdrawn.code).count() == 1


def test_a_client_of_another_agency_never_receives_the_events(world):
    with Receiver() as receiver_b:
        endpoint_for(world["b"], receiver_b.url)
        without_scope, _credentials = oauth.register(name="Chỉ danh mục", agency=world["agency_a"],
                                                     scopes=["catalogue:read"])
        WebhookEndpoint.objects.create(client=without_scope, url=receiver_b.url, events=ALL_EVENTS, secret="x")
        receive(world)
        submitted_dossier(world["procedure_a"], world["citizen"])
        assert WebhookDelivery.objects.count() == 0
        worker.deliver_all()
        receive(world, world["dossier_b"])
        assert WebhookDelivery.objects.get().dossier_code == world["dossier_b"].code
        worker.deliver_all()
    assert len(receiver_b.requests) == 1
    assert json.loads(receiver_b.requests[0]["body"])["data"]["dossier"]["code"] == world["dossier_b"].code


# ---------------------------------------------------------------- the admin


@pytest.fixture
def boss_a(world):
    return pass_second_factor(Client(), make_staff("quantri.a", world["agency_a"], StaffRole.AGENCY_ADMIN))


@pytest.fixture
def boss_b(world):
    return pass_second_factor(Client(), make_staff("quantri.b", world["agency_b"], StaffRole.AGENCY_ADMIN))


def test_registering_an_endpoint_https_only_secret_shown_once(world, boss_a, settings):
    settings.PORTAL_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    client_a, client_b = world["a"].client, world["b"].client
    form = boss_a.get("/admin/api-webhooks/new/")
    assert form.status_code == 200
    html = form.content.decode()
    assert client_a.name in html and client_b.name not in html
    data = {"client": client_a.pk, "event_choices": ["dossier.submitted", "payment.paid"], "active": "on"}
    for url in ("http://onestop.example.vn/hook", "http://127.0.0.1:9/hook", "ftp://x.example.vn/"):
        refused = boss_a.post("/admin/api-webhooks/new/", {**data, "url": url})
        assert refused.status_code == 200 and not WebhookEndpoint.objects.exists(), url
    stolen = boss_a.post("/admin/api-webhooks/new/", {**data, "client": client_b.pk,
                                                      "url": "https://b.example.vn/hook"})
    assert stolen.status_code == 200 and not WebhookEndpoint.objects.exists()
    page = boss_a.post("/admin/api-webhooks/new/", {**data, "url": "https://onestop.example.vn/hook"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.client == client_a and endpoint.event_list == ["dossier.submitted", "payment.paid"]
    assert re.search(r"<code>whsec_[^<]+</code>", page.content.decode())
    assert endpoint.secret in page.content.decode()
    for address in ("/admin/api-webhooks/", f"/admin/api-webhooks/inspect/{endpoint.pk}/",
                    f"/admin/api-webhooks/edit/{endpoint.pk}/"):
        shown = boss_a.get(address)
        assert shown.status_code == 200 and endpoint.secret not in shown.content.decode(), address
    settings.PORTAL_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    assert boss_a.post("/admin/api-webhooks/new/", {**data, "url": "http://127.0.0.1:9/hook"}).status_code == 200
    assert WebhookEndpoint.objects.count() == 2


def test_endpoints_and_deliveries_of_another_agency_are_404(world, boss_a, boss_b):
    with Receiver(default="500") as receiver:
        endpoint = endpoint_for(world["a"], receiver.url)
        receive(world)
        worker.deliver_all()
    delivery = WebhookDelivery.objects.get()
    listing = boss_a.get("/admin/api-deliveries/")
    assert listing.status_code == 200 and delivery.dossier_code in listing.content.decode()
    assert "HTTP 500" in listing.content.decode()
    assert boss_a.get(f"/admin/api-deliveries/inspect/{delivery.pk}/").status_code == 200
    assert delivery.dossier_code not in boss_b.get("/admin/api-deliveries/").content.decode()
    assert receiver.url not in boss_b.get("/admin/api-webhooks/").content.decode()
    for address in (f"/admin/api-webhooks/edit/{endpoint.pk}/", f"/admin/api-webhooks/inspect/{endpoint.pk}/",
                    f"/admin/api-deliveries/inspect/{delivery.pk}/", f"/admin/api-deliveries/resend/{delivery.pk}/"):
        assert boss_b.get(address).status_code == 404, address
    assert boss_b.post(f"/admin/api-deliveries/resend/{delivery.pk}/").status_code == 404
    handler = pass_second_factor(Client(), world["handler"])
    assert handler.get("/admin/api-deliveries/").status_code in (302, 403)


def test_resend_from_the_admin_sends_the_same_event_again(world, boss_a):
    with Receiver(["200", "200"]) as receiver:
        endpoint_for(world["a"], receiver.url)
        receive(world)
        worker.deliver_all()
        delivery = WebhookDelivery.objects.get()
        assert delivery.state == DeliveryState.DELIVERED
        assert boss_a.get(f"/admin/api-deliveries/resend/{delivery.pk}/").status_code == 200
        assert boss_a.post(f"/admin/api-deliveries/resend/{delivery.pk}/").status_code == 302
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.PENDING
        assert worker.deliver_all() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    assert [r["headers"]["Webhook-Id"] for r in receiver.requests] == [str(delivery.event_id)] * 2
    assert receiver.accepted == [str(delivery.event_id)]  # the receiver dropped the repeat by its id
    assert WebhookDelivery.objects.count() == 1
