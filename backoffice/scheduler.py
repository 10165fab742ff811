"""Running the schedule (`backoffice.schedule`): which jobs are due, the
claim that keeps one job from running twice at once, and the record of
each run in `ScheduledRun`.

The claim is one conditional UPDATE of the job's row: from any state but
`running`, and only if the last start is still the one this scheduler read
when it found the job due. Of two schedulers (two timers, two machines, a
slow run overlapping the next minute's) exactly one changes the row; the
other sees zero rows changed and skips. A run that died leaves its row
`running`; after PORTAL_SCHEDULED_STALE_MINUTES the next due run takes it over.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import traceback
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import ScheduledRun
from .schedule import SCHEDULE, Job

logger = logging.getLogger(__name__)

OUTPUT_LIMIT = 20_000
Status = ScheduledRun.Status


@dataclass(frozen=True)
class Outcome:
    job: str
    state: str  # a ScheduledRun.Status, or "not due", "busy", "off"
    output: str = ""

    @property
    def ran(self) -> bool:
        return self.state in (Status.OK, Status.FAILED, Status.MISSING)


def row_for(job: Job) -> ScheduledRun:
    try:
        with transaction.atomic():
            return ScheduledRun.objects.get_or_create(job=job.name)[0]
    except IntegrityError:  # another scheduler made it first
        return ScheduledRun.objects.get(job=job.name)


def claim(job: Job, seen: ScheduledRun, now: dt.datetime) -> bool:
    """Mark the job running, unless someone else started it since `seen` was
    read or it is running (and not stale)."""
    stale = now - dt.timedelta(minutes=getattr(settings, "PORTAL_SCHEDULED_STALE_MINUTES", 360))
    rows = ScheduledRun.objects.filter(job=job.name)
    if seen.last_started is None:
        rows = rows.filter(last_started__isnull=True)
    else:
        rows = rows.filter(last_started=seen.last_started)
    rows = rows.filter(~Q(last_status=Status.RUNNING) | Q(last_started__lt=stale))
    return rows.update(last_status=Status.RUNNING, last_started=now, last_finished=None, last_output="") == 1


def execute(job: Job) -> tuple[str, str]:
    """Run the job's command in this process; (status, its output)."""
    if job.command_name not in get_commands():
        return Status.MISSING, f"Unknown command: {job.command_name!r} is not installed."
    out = io.StringIO()
    try:
        call_command(job.command_name, *job.args, stdout=out, stderr=out)
    except (Exception, SystemExit):  # a job's failure must not stop the others
        logger.exception("Scheduled job %s failed", job.name)
        out.write(traceback.format_exc())
        return Status.FAILED, out.getvalue()
    return Status.OK, out.getvalue()


def run_job(job: Job, now: dt.datetime | None = None, force: bool = False) -> Outcome:
    """Run `job` if it is due (or `force`d) and nobody else runs it."""
    now = now or timezone.now()
    if not job.enabled:
        return Outcome(job.name, "off", f"{job.needs_setting} is not set")
    seen = row_for(job)
    if not force and not job.is_due(seen.last_started, now):
        return Outcome(job.name, "not due")
    if not claim(job, seen, now):
        return Outcome(job.name, "busy")
    status, output = execute(job)
    if len(output) > OUTPUT_LIMIT:
        output = "…" + output[-OUTPUT_LIMIT:]
    ScheduledRun.objects.filter(job=job.name, last_started=now).update(
        last_status=status, last_finished=timezone.now(), last_output=output
    )
    return Outcome(job.name, status, output)


def run_due(jobs: list[Job] | None = None, now: dt.datetime | None = None) -> list[Outcome]:
    """Run every due job in the table's order, each to its end, whatever
    the others did. `now` is read per job, so a job found due after a long
    one starts at its real time."""
    return [run_job(job, now=now) for job in (SCHEDULE if jobs is None else jobs)]
