"""Sending the outbox: claim, POST, record, retry.

Claiming: in one transaction, the due rows (pending, `next_attempt_at`
passed, no live lease) are read — on PostgreSQL with
`SELECT … FOR UPDATE SKIP LOCKED`, so two workers take different rows —
and updated with a fresh lease (`leased_until = now + lease`, a `lease`
token) and one more attempt. SQLite runs one writing transaction at a time,
which gives the same. The request is sent outside any transaction; the
result is written only while the worker still holds the lease (the same
token), so a worker that comes back after its lease was taken over writes
nothing. A worker killed mid-send leaves the row pending: once the lease
runs out, the next worker sends it again with the same event id.

Retries: after a failure the next attempt waits `base × 2^(attempts-1)`
(at most an hour), less a random part of up to half of it (jitter, so
receivers coming back are not hit by every sender at once), and never
later than the retry window (PORTAL_WEBHOOK_RETRY_HOURS after the first
attempt); a failure at or after the end of the window is final: `dead`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
import uuid
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import DeliveryState, WebhookAttempt, WebhookDelivery
from . import sign

logger = logging.getLogger(__name__)

BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=1)
USER_AGENT = "portal-webhooks/1"


def retry_window() -> dt.timedelta:
    return dt.timedelta(hours=settings.PORTAL_WEBHOOK_RETRY_HOURS)


def lease_length() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PORTAL_WEBHOOK_LEASE_SECONDS)


def backoff(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: exponential, capped, with jitter."""
    ceiling = min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    return ceiling * (rng or random).uniform(0.5, 1.0)


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _due(now: dt.datetime):
    return WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lte=now))


def claim(now: dt.datetime | None = None, limit: int = 20) -> list[WebhookDelivery]:
    """Lease up to `limit` due deliveries to this worker."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        due = _due(now).order_by("next_attempt_at", "pk")
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        _due(now).filter(pk__in=ids).update(leased_until=now + lease_length(), lease=token,
                                             attempts=F("attempts") + 1)
        WebhookDelivery.objects.filter(lease=token, first_attempt_at__isnull=True).update(first_attempt_at=now)
    return list(WebhookDelivery.objects.select_related("endpoint").filter(lease=token).order_by(
        "next_attempt_at", "pk"))


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    duration_ms: int = 0


def send(delivery: WebhookDelivery, now: dt.datetime | None = None) -> Outcome:
    """POST one delivery, signed. Redirects are not followed: the endpoint's address is the one registered."""
    body = body_of(delivery)
    timestamp = str(int((now or timezone.now()).timestamp()))
    event_id = str(delivery.event_id)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Webhook-Id": event_id,
        "Webhook-Timestamp": timestamp,
        "Webhook-Signature": sign(delivery.endpoint.secret, event_id, timestamp, body),
    }
    started = time.monotonic()
    try:
        answer = requests.post(delivery.endpoint.url, data=body, headers=headers, allow_redirects=False,
                               timeout=settings.PORTAL_WEBHOOK_TIMEOUT_SECONDS)
    except requests.Timeout:
        return Outcome(False, None, "timeout", int((time.monotonic() - started) * 1000))
    except requests.RequestException as error:
        return Outcome(False, None, f"{error.__class__.__name__}: {error}"[:500],
                       int((time.monotonic() - started) * 1000))
    elapsed = int((time.monotonic() - started) * 1000)
    answer.close()
    if 200 <= answer.status_code < 300:
        return Outcome(True, answer.status_code, "", elapsed)
    return Outcome(False, answer.status_code, f"HTTP {answer.status_code}", elapsed)


def record(delivery: WebhookDelivery, outcome: Outcome, now: dt.datetime | None = None,
           rng: random.Random | None = None) -> bool:
    """Write an attempt's result while this worker still holds the lease;
    False when the lease was lost (the row is someone else's now)."""
    now = now or timezone.now()
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, lease=delivery.lease, state=DeliveryState.PENDING)
    fields = {"leased_until": None, "lease": None, "last_attempt_at": now, "last_status_code": outcome.status_code,
              "last_error": outcome.error[:500]}
    if outcome.ok:
        fields.update(state=DeliveryState.DELIVERED, delivered_at=now, last_error="")
    else:
        deadline = (delivery.first_attempt_at or now) + retry_window()
        if now >= deadline:
            fields["state"] = DeliveryState.DEAD
        else:
            fields["next_attempt_at"] = min(now + backoff(delivery.attempts, rng), deadline)
    with transaction.atomic():
        if not mine.update(**fields):
            return False
        WebhookAttempt.objects.create(delivery_id=delivery.pk, at=now, ok=outcome.ok,
                                      status_code=outcome.status_code, error=outcome.error[:500],
                                      duration_ms=outcome.duration_ms)
    for name, value in fields.items():
        setattr(delivery, name, value)
    return True


def deliver_due(now: dt.datetime | None = None, limit: int = 20) -> int:
    """Claim one batch and send it; how many were claimed. `now` drives
    the clock of claiming and of recording (tests); the signature's
    timestamp is the moment of sending."""
    batch = claim(now, limit)
    for delivery in batch:
        if not delivery.endpoint.active:
            outcome = Outcome(False, None, "endpoint inactive")
        else:
            outcome = send(delivery)
        record(delivery, outcome, now)
        if not outcome.ok:
            logger.info("Webhook %s to %s failed: %s", delivery.event_id, delivery.endpoint.url, outcome.error)
    return len(batch)


def deliver_all(now: dt.datetime | None = None, limit: int = 20) -> int:
    """Every delivery due now, batch by batch."""
    total = 0
    while True:
        count = deliver_due(now, limit)
        total += count
        if count < limit:
            return total


def resend(delivery: WebhookDelivery, now: dt.datetime | None = None) -> None:
    """From the admin: send the same event (same id) again at once, with a
    fresh retry window, whatever its state."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING, next_attempt_at=now, first_attempt_at=None, leased_until=None, lease=None,
        delivered_at=None)
