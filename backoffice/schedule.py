"""The schedule: every periodic job of the portal, by management command,
with its interval. `manage.py run_scheduled`, started every minute by cron
or a systemd timer (README, "Scheduled work"), runs the ones that are due
(`backoffice.scheduler`).

It lives in the top app because the jobs belong to every app below it; it
names commands, so it imports none of them, and a command that is not
installed (an app left out) is reported by the run, not fatal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


@dataclass(frozen=True)
class Job:
    """One job: a management command (with arguments) run `every` so often,
    or once a day from `daily_at` local time (TIME_ZONE). `needs_setting`
    names a setting that must be set for the job to run at all."""

    name: str
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None
    command: str = ""
    args: tuple[str, ...] = field(default=())
    needs_setting: str = ""

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"Job {self.name}: give either `every` or `daily_at`.")

    @property
    def command_name(self) -> str:
        return self.command or self.name

    @property
    def enabled(self) -> bool:
        return not self.needs_setting or bool(getattr(settings, self.needs_setting, None))

    def last_slot(self, now: dt.datetime) -> dt.datetime:
        """For a daily job: the latest start time at or before `now`."""
        local = timezone.localtime(now)
        slot = timezone.make_aware(dt.datetime.combine(local.date(), self.daily_at))
        if slot > local:
            slot = timezone.make_aware(dt.datetime.combine(local.date() - dt.timedelta(days=1), self.daily_at))
        return slot

    def is_due(self, last_started: dt.datetime | None, now: dt.datetime) -> bool:
        """Due when it never ran, when `every` has passed since the last start
        (counted in whole minutes, so a timer firing a second early does not
        skip a beat), or when today's `daily_at` has passed since the last
        start (a machine down at that time catches up when it comes back)."""
        if last_started is None:
            return True
        if self.every is not None:
            return _minute(now) - _minute(last_started) >= self.every
        return last_started < self.last_slot(now)

    def describe(self) -> str:
        if self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            return f"every {minutes} min" if minutes != 1 else "every minute"
        return f"daily at {self.daily_at:%H:%M}"


MINUTE = dt.timedelta(minutes=1)
NIGHT = dt.time(1, 0)

SCHEDULE: list[Job] = [
    Job("retry_messages", every=MINUTE),
    # tasks a dead worker left running (PORTAL_TASK_STALE_MINUTES) go back to the queue
    Job("requeue_stale_tasks", every=5 * MINUTE),
    Job("rescan_pending_uploads", every=5 * MINUTE, needs_setting="PORTAL_CLAMAV_SOCKET"),
    Job("flag_supplement_deadlines", every=60 * MINUTE),
    # the statistics' facts: each dossier change appends rows, merged here into one per key; every
    # 10 minutes keeps a key to a few rows on a busy day (the figures sum them) and each run short
    Job("compact_statistics", every=10 * MINUTE),
    Job("flag_due_dossiers", daily_at=NIGHT),
    Job("purge_drafts", daily_at=NIGHT),
    Job("purge_draft_uploads", daily_at=NIGHT),
    Job("refresh_search_popularity", daily_at=NIGHT),
    Job("flush_search_stats", daily_at=NIGHT),
    # payments the bank took but never notified: asked for, today's and (after midnight) yesterday's
    Job("reconcile_payments", every=30 * MINUTE, args=("--day", "today")),
    Job("reconcile_payments_yesterday", daily_at=NIGHT, command="reconcile_payments", args=("--day", "yesterday")),
    Job("prune_api", daily_at=NIGHT),
    Job("purge_unverified_questions", daily_at=NIGHT),
    # the API's webhooks: every delivery due now (a long-running `deliver_webhooks` may run as well)
    Job("deliver_webhooks", every=MINUTE, args=("--once",)),
]


def job_named(name: str, jobs: list[Job] | None = None) -> Job | None:
    return next((job for job in (SCHEDULE if jobs is None else jobs) if job.name == name), None)
