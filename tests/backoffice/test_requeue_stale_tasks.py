"""A worker killed mid-task loses no task: a task left `RUNNING` for longer
than PORTAL_TASK_STALE_MINUTES is made ready again and run once by the next
worker; a recent running task is left alone; a task whose workers keep dying
is failed; the staff page counts the stale ones."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.users.models import UserProfile

from backoffice.schedule import job_named
from home.task_queue import MAX_RUNS, queue_summary, requeue_stale_tasks
from tests.databases import postgresql_only
from tests.home.stale_tasks_module import record_run, wait_then_record

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ROOT = Path(__file__).resolve().parents[2]


def run_worker() -> None:
    """A real worker in this process, until the queue is empty. Its loop
    closes connections inside a transaction, so its tests are transactional."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*",
                 stdout=io.StringIO())


def as_if_claimed(result_id, *, minutes_ago: int, workers: list[str]) -> None:
    """What a worker's claim leaves on the row, `minutes_ago`."""
    DBTaskResult.objects.filter(pk=result_id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        worker_ids=workers)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, PORTAL_TASK_STALE_MINUTES=15)
def test_a_stale_running_task_is_requeued_and_run_once_and_a_recent_one_is_left(tmp_path):
    runs, other_runs = tmp_path / "runs.txt", tmp_path / "other.txt"
    stale = record_run.enqueue(str(runs))
    recent = record_run.enqueue(str(other_runs))
    as_if_claimed(stale.id, minutes_ago=20, workers=["killed-worker"])
    as_if_claimed(recent.id, minutes_ago=5, workers=["busy-worker"])
    assert queue_summary()["stale_running"] == 1

    out = io.StringIO()
    call_command("requeue_stale_tasks", stdout=out)
    assert f"requeued: {stale.id} tests.home.stale_tasks_module.record_run" in out.getvalue()
    row = DBTaskResult.objects.get(pk=stale.id)
    assert (row.status, row.started_at, row.worker_ids) == (TaskResultStatus.READY, None, ["killed-worker"])
    assert DBTaskResult.objects.get(pk=recent.id).status == TaskResultStatus.RUNNING

    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == 1
    assert len(row.worker_ids) == 2 and row.worker_ids[0] == "killed-worker"
    assert runs.read_text() == "run\n"  # its effect, once
    assert not other_runs.exists()  # the recent one was not run by anyone else
    assert DBTaskResult.objects.get(pk=recent.id).status == TaskResultStatus.RUNNING

    # A second sweep finds nothing more to do, and a worker runs nothing twice.
    assert requeue_stale_tasks().requeued == []
    run_worker()
    assert runs.read_text() == "run\n"


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, PORTAL_TASK_STALE_MINUTES=15)
def test_a_task_whose_workers_keep_dying_is_failed_not_requeued(tmp_path):
    poisoned = record_run.enqueue(str(tmp_path / "runs.txt"))
    as_if_claimed(poisoned.id, minutes_ago=30, workers=[f"w{i}" for i in range(MAX_RUNS)])
    sweep = requeue_stale_tasks()
    assert [str(row.pk) for row in sweep.failed] == [poisoned.id] and sweep.requeued == []
    row = DBTaskResult.objects.get(pk=poisoned.id)
    assert row.status == TaskResultStatus.FAILED and row.exception_class_path == "home.task_queue.WorkerLost"
    assert f"{MAX_RUNS} workers stopped" in row.traceback


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, PORTAL_TASK_STALE_MINUTES=15)
def test_the_staff_page_counts_stale_running_tasks(admin_client_with_second_factor, admin_user_with_second_factor,
                                                    tmp_path):
    # The admin speaks the user's preferred language, not the request's.
    profile = UserProfile.get_for_user(admin_user_with_second_factor)
    profile.preferred_language = "en"
    profile.save()
    for minutes in (40, 20, 1):
        as_if_claimed(record_run.enqueue(str(tmp_path / "r")).id, minutes_ago=minutes, workers=["w"])
    html = admin_client_with_second_factor.get("/admin/reports/task-queue/").content.decode()
    assert "2 tasks have been running for more than 15 minutes" in html
    assert html.count("(worker taken for dead)") == 2


def test_the_sweeper_is_on_the_schedule():
    job = job_named("requeue_stale_tasks")
    assert job is not None and job.every is not None and job.every <= dt.timedelta(minutes=5)


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(path: Path, process: subprocess.Popen, limit: float = 120) -> bool:
    """Until `path` exists (True), the process ends or the limit passes (False)."""
    deadline = time.monotonic() + limit
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@postgresql_only("a worker process on the test database needs a database shared between processes")
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, PORTAL_TASK_STALE_MINUTES=15)
def test_a_real_worker_killed_mid_task_loses_nothing(tmp_path):
    started, go, runs = tmp_path / "started", tmp_path / "go", tmp_path / "runs.txt"
    result = wait_then_record.enqueue(str(started), str(go), str(runs))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
           "PORTAL_TASKS_BACKEND": "database"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1",
         "--worker-id", "killed-worker"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        running = wait_for(started, process)
    finally:
        process.send_signal(signal.SIGKILL)
        _out, err = process.communicate(timeout=30)
    assert running, err.decode()[-3000:]
    assert process.returncode == -signal.SIGKILL

    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.worker_ids) == (TaskResultStatus.RUNNING, ["killed-worker"])  # left behind
    assert requeue_stale_tasks().requeued == []  # not stale yet: it might still be running
    later = timezone.now() + dt.timedelta(minutes=16)
    assert [r.pk for r in requeue_stale_tasks(now=later).requeued] == [row.pk]

    go.write_text("go")
    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.worker_ids[0] == "killed-worker"
    assert len(row.worker_ids) == 2
    assert runs.read_text() == "run\n"
