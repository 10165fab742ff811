"""Nothing is lost when the worker dies mid-send: a real `manage.py
deliver_webhooks --once` process on the test database is killed (SIGKILL)
while the receiver holds its request; once the lease runs out, another
worker delivers the event, with the same id."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from api.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from api.webhooks import worker
from tests.api.test_webhooks import ALL_EVENTS, SECRET, receive
from tests.api.webhook_receiver import Receiver
from tests.databases import postgresql_only

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@postgresql_only("a worker process on the test database needs a database shared between processes")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_nothing(world):
    with Receiver(["hang", "200"]) as receiver:
        WebhookEndpoint.objects.create(client=world["a"].client, url=receiver.url, events=ALL_EVENTS, secret=SECRET)
        receive(world)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
               "PORTAL_WEBHOOK_LEASE_SECONDS": "300", "PORTAL_WEBHOOK_TIMEOUT_SECONDS": "120"}
        process = subprocess.Popen([sys.executable, "manage.py", "deliver_webhooks", "--once"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            arrived = receiver.arrived.wait(timeout=120)
        finally:
            process.send_signal(signal.SIGKILL)
            out, err = process.communicate(timeout=30)
        assert arrived, err.decode()[-3000:]
        assert process.returncode == -signal.SIGKILL

        delivery = WebhookDelivery.objects.get()
        assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
        assert delivery.leased_until is not None
        # the dead worker's lease holds the row for its time...
        assert worker.deliver_all(now=delivery.leased_until - dt.timedelta(seconds=1)) == 0
        # ...then the next worker takes it again
        assert worker.deliver_all(now=delivery.leased_until + dt.timedelta(seconds=1)) == 1

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    ids = [r["headers"]["Webhook-Id"] for r in receiver.requests]
    assert ids == [str(delivery.event_id)] * 2  # the same event id, twice at most
    assert receiver.accepted == [str(delivery.event_id)]
