"""Webhooks: an API client's software is told of its agency's events.

* `outbox`: a receiver of `eforms.DossierEvent`'s post_save writes one
  `WebhookDelivery` per subscribed endpoint in the transaction of the
  event itself, so an event that commits is never lost and one rolled back
  is never sent.
* `worker`: `manage.py deliver_webhooks` claims due rows with a lease,
  POSTs them signed (`sign`), and retries failures with exponential backoff
  and jitter for PORTAL_WEBHOOK_RETRY_HOURS after the first attempt, then
  parks them as dead. Delivery is at least once: a worker that dies
  mid-send leaves its lease to run out and the row is sent again, with the
  same `Webhook-Id`, which the receiver uses to drop repeats.

README, "API" → "Webhooks", documents the headers and the check.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_VERSION = "v1"


def signature(secret: str, event_id: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of "{id}.{timestamp}.{body}" with the endpoint's secret."""
    message = f"{event_id}.{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, event_id: str, timestamp: str, body: bytes) -> str:
    """The `Webhook-Signature` header's value."""
    return f"{SIGNATURE_VERSION}={signature(secret, event_id, timestamp, body)}"


def verify(secret: str, event_id: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (README): any `v1=` value in the header matches."""
    expected = signature(secret, event_id, timestamp, body)
    for part in header.split():
        version, _, value = part.partition("=")
        if version == SIGNATURE_VERSION and hmac.compare_digest(value, expected):
            return True
    return False
