"""The task queue for operators: what waits, what runs, what failed.

Reads django-tasks-db's own table (public model and queryset methods), so
it shows the queue whatever app enqueued the work (emails, SMS, webhooks,
search statistics). Superusers only: a failed task's traceback can name
internal details.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

LISTED = 50


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
