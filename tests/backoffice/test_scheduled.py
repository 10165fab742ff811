"""Scheduled work: `manage.py run_scheduled` runs each job of the schedule
at its own interval, once, never twice at once, and goes on after a failure
(backoffice.schedule, backoffice.scheduler)."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import CommandError, call_command, get_commands
from django.db import connections
from django.utils import timezone

from backoffice.models import ScheduledRun
from backoffice.schedule import SCHEDULE, Job
from backoffice.scheduler import run_due, run_job
from tests.databases import postgresql_only

MINUTE = dt.timedelta(minutes=1)


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


DAY = dt.date(2031, 3, 12)


def writer(name: str, path, **schedule) -> Job:
    """A job that appends a line to `path` each time it runs (Django's own
    `shell -c`, so what runs is a real management command)."""
    code = f"open({str(path)!r}, 'a').write('ran\\n')"
    return Job(name, command="shell", args=("-c", code), **schedule)


def runs(path) -> int:
    return path.read_text().count("ran") if path.exists() else 0


@pytest.mark.django_db
def test_jobs_run_when_due_and_are_skipped_until_due_again(tmp_path):
    minutely, every5, nightly = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    jobs = [writer("minutely", minutely, every=MINUTE), writer("every5", every5, every=5 * MINUTE),
            writer("nightly", nightly, daily_at=dt.time(1, 0))]

    first = run_due(jobs, now=at(DAY, 0, 59, 30))
    assert [o.state for o in first] == ["ok", "ok", "ok"]  # never ran: all due
    assert [runs(p) for p in (minutely, every5, nightly)] == [1, 1, 1]

    assert [o.state for o in run_due(jobs, now=at(DAY, 0, 59, 50))] == ["not due"] * 3
    # The next minute's timer fires a little early: the minute still counts.
    assert [o.state for o in run_due(jobs, now=at(DAY, 1, 0, 0))] == ["ok", "not due", "ok"]
    assert [o.state for o in run_due(jobs, now=at(DAY, 1, 4, 31))] == ["ok", "ok", "not due"]
    assert [o.state for o in run_due(jobs, now=at(DAY, 23, 59))] == ["ok", "ok", "not due"]
    # A machine down at 01:00 runs the nightly job when it comes back.
    assert [o.state for o in run_due(jobs, now=at(DAY + dt.timedelta(days=1), 9, 15))][2] == "ok"
    assert [runs(p) for p in (minutely, every5, nightly)] == [5, 4, 3]

    row = ScheduledRun.objects.get(job="nightly")
    assert row.last_status == ScheduledRun.Status.OK
    assert row.last_started == at(DAY + dt.timedelta(days=1), 9, 15)
    assert row.last_finished is not None


@pytest.mark.django_db
def test_a_failure_is_recorded_and_the_next_job_still_runs(tmp_path):
    after = tmp_path / "after"
    jobs = [
        Job("broken", command="shell", args=("-c", "raise RuntimeError('the disk is full')"), every=MINUTE),
        Job("not_installed", command="no_such_command_here", every=MINUTE),
        writer("after", after, every=MINUTE),
    ]
    outcomes = run_due(jobs, now=at(DAY, 10, 0))
    assert [o.state for o in outcomes] == ["failed", "missing", "ok"]
    assert runs(after) == 1
    broken = ScheduledRun.objects.get(job="broken")
    assert broken.last_status == ScheduledRun.Status.FAILED
    assert "the disk is full" in broken.last_output
    assert ScheduledRun.objects.get(job="not_installed").last_status == ScheduledRun.Status.MISSING


@pytest.mark.django_db
def test_a_job_running_elsewhere_is_not_started_again_until_its_claim_is_stale(tmp_path, settings):
    path = tmp_path / "out"
    job = writer("busy", path, every=MINUTE)
    ScheduledRun.objects.create(job="busy", last_started=at(DAY, 9, 0), last_status=ScheduledRun.Status.RUNNING)
    assert run_job(job, now=at(DAY, 9, 30)).state == "busy"
    assert run_job(job, now=at(DAY, 9, 31), force=True).state == "busy"
    assert runs(path) == 0
    settings.PORTAL_SCHEDULED_STALE_MINUTES = 60
    assert run_job(job, now=at(DAY, 10, 1)).state == "ok"  # the run that died is taken over
    assert runs(path) == 1


@pytest.mark.django_db
def test_the_command_lists_forces_one_job_and_fails_loudly():
    out = io.StringIO()
    call_command("run_scheduled", "--list", stdout=out)
    listing = out.getvalue()
    for job in SCHEDULE:
        assert job.name in listing
    assert "flag_due_dossiers" in listing and "daily at 01:00" in listing
    with pytest.raises(CommandError):
        call_command("run_scheduled", "--force", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No scheduled job"):
        call_command("run_scheduled", "--job", "nope", stdout=io.StringIO())

    out = io.StringIO()
    call_command("run_scheduled", "--job", "flag_due_dossiers", "--force", stdout=out)
    assert "flag_due_dossiers: ok" in out.getvalue()
    assert ScheduledRun.objects.get(job="flag_due_dossiers").last_status == ScheduledRun.Status.OK


def test_the_schedule_names_installed_commands_except_announced_ones():
    """Every job is a command of an installed app, but for the supplement
    deadlines, which run_scheduled reports as missing until its app has it."""
    missing = {job.command_name for job in SCHEDULE} - set(get_commands())
    assert missing <= {"flag_supplement_deadlines"}
    by_name = {job.name: job for job in SCHEDULE}
    assert by_name["retry_messages"].every == MINUTE
    assert by_name["rescan_pending_uploads"].every == 5 * MINUTE
    assert by_name["flag_supplement_deadlines"].every == 60 * MINUTE
    for name in ("flag_due_dossiers", "purge_drafts", "purge_draft_uploads", "refresh_search_popularity"):
        assert by_name[name].daily_at == dt.time(1, 0)


@pytest.mark.django_db
def test_a_job_needing_a_setting_is_off_without_it(settings, tmp_path):
    settings.PORTAL_CLAMAV_SOCKET = ""
    job = Job("rescan_pending_uploads", every=5 * MINUTE, needs_setting="PORTAL_CLAMAV_SOCKET")
    assert run_job(job).state == "off"
    assert not ScheduledRun.objects.filter(job="rescan_pending_uploads").exists()


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_run_a_job_once(tmp_path):
    path = tmp_path / "out"
    code = f"import time; time.sleep(2); open({str(path)!r}, 'a').write('ran\\n')"
    job = Job("slow", command="shell", args=("-c", code), every=MINUTE)
    now = at(DAY, 8, 0)
    barrier = threading.Barrier(4)
    states: list[str] = []

    def scheduler(force):
        try:
            barrier.wait(timeout=30)
            states.append(run_job(job, now=now, force=force).state)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler, args=(force,)) for force in (False, False, True, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    assert states.count("ok") == 1, states
    assert set(states) - {"ok"} <= {"busy", "not due"}  # "not due": it read the row after the claim
    assert runs(path) == 1
