"""Background work of the back office (django-tasks): the late-dossier
digests, one task per person so one bad address does not stop the rest."""

from __future__ import annotations

import datetime as dt

from core.tasks import task

from . import late


@task()
def send_due_digest(user_id: int, day: str) -> str:
    """Email one person their due-soon and overdue dossiers for `day`
    (ISO date); sends at most once per person and day (a run again finds
    the day's `DueDigest` row)."""
    return late.send_digest(user_id, dt.date.fromisoformat(day))


def enqueue_digests(today: dt.date) -> int:
    """Enqueue a digest for everyone a flagged dossier concerns; returns how many."""
    people = late.recipients()
    for user_id in sorted(people):
        send_due_digest.enqueue(user_id, today.isoformat())
    return len(people)
