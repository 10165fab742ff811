"""The delivery task, and how attempts are scheduled.

Retries: django-tasks retries nothing by itself, so a failed attempt
schedules the next one. On a backend that can defer (the database backend)
the next attempt is enqueued at once with `run_after`; on one that cannot
(the immediate backend in development and tests) the row just waits,
`queued` with its `next_attempt_at`, and `manage.py retry_messages` (run
every minute by cron or a timer) enqueues what is due. The command is also
the safety net for the database backend: a wake-up that was lost (the
queue was down when the event committed) or a worker killed mid-send.
Duplicate wake-ups are harmless: only one run can claim an attempt.
"""

from __future__ import annotations

import datetime as dt
import logging

from core.tasks import task

from . import delivery

logger = logging.getLogger(__name__)


@task()
def deliver_message(message_id: int, attempt: int = 1) -> str:
    """Deliver one message (attempt number `attempt`); schedule the next
    attempt after a temporary failure. Safe to run twice: the attempt is
    claimed before anything is sent (notifications.delivery)."""
    outcome = delivery.attempt_delivery(message_id, attempt)
    if outcome.retry_at is not None:
        schedule(message_id, outcome.next_attempt, outcome.retry_at)
    return outcome.state


def schedule(message_id: int, attempt: int, run_after: dt.datetime | None = None, request_id: str = "") -> bool:
    """Enqueue an attempt; False when it must wait for `retry_messages`
    (a deferred attempt on a backend without `run_after`, or a queue error).
    `request_id`: the id the message was made under (default: the current one)."""
    try:
        if run_after is None:
            deliver_message.enqueue(message_id, attempt, request_id=request_id)
        elif deliver_message.get_backend().supports_defer:
            deliver_message.using(run_after=run_after).enqueue(message_id, attempt, request_id=request_id)
        else:
            return False
    except Exception:  # the row stays queued: retry_messages enqueues it
        logger.exception("Could not enqueue message %s (attempt %s)", message_id, attempt)
        return False
    return True


def retry_messages(now: dt.datetime | None = None) -> tuple[int, int]:
    """Requeue stale `sending` rows and enqueue every due attempt.
    Returns (requeued stale rows, attempts enqueued)."""
    stale = delivery.requeue_stale(now)
    enqueued = 0
    for message in delivery.due(now).only("pk", "attempts", "request_id"):
        enqueued += schedule(message.pk, message.attempts + 1, request_id=message.request_id)
    return len(stale), enqueued
