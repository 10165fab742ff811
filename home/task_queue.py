"""The task queue for operators: what waits, what runs, what failed, and
the sweeper that gives a dead worker's task to a live one.

Reads django-tasks-db's own table (public model and queryset methods), so
it shows the queue whatever app enqueued the work (emails, SMS, webhooks,
search statistics). Superusers only: a failed task's traceback can name
internal details.

A worker killed mid-task (SIGKILL, the machine lost, out of memory) leaves
its row `RUNNING` for ever: django-tasks-db has no lease. A row running for
longer than PORTAL_TASK_STALE_MINUTES is taken for such a one and made
`READY` again (`requeue_stale_tasks`, run by `manage.py requeue_stale_tasks`
from the schedule), so the next free worker runs it; its `worker_ids` keep
every worker that took it, so a task that kills its worker each time is
marked failed after MAX_RUNS instead of going round for ever. Each update is
conditional on the row still being the one read (running, same start), so
two sweepers, or a worker that finishes meanwhile, never clash. Every
portal task is safe to run twice (README, "Background tasks").
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

LISTED = 50
#: A task is not started again after this many workers died running it.
MAX_RUNS = 3

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """Recorded as the error of a task whose workers kept dying while running it."""


def stale_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(minutes=settings.PORTAL_TASK_STALE_MINUTES)


def stale_running(now: dt.datetime | None = None):
    """Rows `RUNNING` since before the cutoff: their worker is taken for dead."""
    return DBTaskResult.objects.running().filter(started_at__lt=stale_cutoff(now))


@dataclass
class Sweep:
    requeued: list[DBTaskResult] = field(default_factory=list)
    failed: list[DBTaskResult] = field(default_factory=list)


def requeue_stale_tasks(now: dt.datetime | None = None) -> Sweep:
    """Make each stale running task runnable again (or failed, after
    MAX_RUNS dead workers); returns what was done."""
    now = now or timezone.now()
    sweep = Sweep()
    for row in stale_running(now).order_by("started_at"):
        same = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at)
        runs = len(row.worker_ids or [])
        if runs >= MAX_RUNS:
            if same.update(
                status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__qualname__}: {runs} workers stopped while running this task "
                          f"(killed, or out of memory); it is not started again.",
            ):
                logger.error("Task %s (%s) failed: its worker died %s times", row.pk, row.task_path, runs)
                sweep.failed.append(row)
        elif same.update(status=TaskResultStatus.READY, started_at=None):
            logger.warning("Task %s (%s) requeued: running since %s on worker %s, taken for dead",
                           row.pk, row.task_path, row.started_at.isoformat(), (row.worker_ids or ["?"])[-1])
            sweep.requeued.append(row)
    return sweep


def queue_summary(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    results = DBTaskResult.objects.all()
    by_status = dict(results.values_list("status").annotate(n=Count("id")).order_by())
    waiting = results.ready().order_by("enqueued_at")
    oldest = waiting.values_list("enqueued_at", flat=True).first()
    return {
        "counts": [(TaskResultStatus(status).label, by_status.get(status, 0)) for status in TaskResultStatus.values],
        "oldest_waiting": oldest,
        "oldest_waiting_minutes": int((now - oldest).total_seconds() // 60) if oldest else None,
        "per_task": list(waiting.values("task_path").annotate(n=Count("id")).order_by("-n", "task_path")[:20]),
        "failed": list(results.failed().order_by("-finished_at")[:LISTED]),
        "running": list(results.filter(status=TaskResultStatus.RUNNING).order_by("started_at")[:LISTED]),
        "stale_running": stale_running(now).count(),
        "stale_cutoff": stale_cutoff(now),
        "stale_minutes": settings.PORTAL_TASK_STALE_MINUTES,
    }


class TaskQueueView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "home/admin/task_queue.html"
    page_title = _("Task queue")
    header_icon = "cogs"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**queue_summary(), listed=LISTED, **kwargs)
