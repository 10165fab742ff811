"""Checks behind /healthz: each returns None when the part is up, or a short
reason when it is down."""

from __future__ import annotations

import datetime as dt
import os
import uuid

from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connections
from django.utils import timezone
from wagtail.models import Page
from wagtail.search.backends import get_search_backend


def check_database() -> str | None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return exc.__class__.__name__
    return None


def check_search() -> str | None:
    try:
        backend = get_search_backend()
        client = getattr(backend, "client", None) or getattr(backend, "es", None)
        if client is not None:
            if not client.ping():
                return "unreachable"
        else:
            # The database backend lives in the database checked above; make
            # sure its index table answers.
            list(Page.objects.none().search("healthz"))
    except Exception as exc:  # noqa: BLE001
        return exc.__class__.__name__
    return None


def check_storage() -> str | None:
    """Public media and the private store: a local folder must be writable;
    a bucket must exist and answer (one HEAD request each; a missing object
    answers 404 even when the bucket is gone, so the bucket is asked)."""
    from core.storage import is_local

    try:
        for alias in ("default", "private"):
            storage = storages[alias]
            if is_local(storage):
                os.makedirs(storage.location, exist_ok=True)
                if not os.access(storage.location, os.W_OK):
                    return "not writable"
            elif hasattr(storage, "bucket_name"):  # django-storages' S3Storage
                storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
            else:
                storage.exists("healthz")
    except Exception as exc:  # noqa: BLE001
        return exc.__class__.__name__
    return None


def check_cache() -> str | None:
    """The shared cache (rate limits, look-up throttles) takes and gives back a value."""
    key = f"healthz.{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 10)
        answered = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        return exc.__class__.__name__
    return None if answered == "1" else "not answering"


CHECKS = {"database": check_database, "search": check_search, "storage": check_storage, "cache": check_cache}


def task_backlog() -> dict:
    """The database task queue (django-tasks-db): tasks waiting, running,
    failed in the last 24 hours, and how long the oldest waiting one has
    waited. Reported, not judged: a burst of receipts is not an outage."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    try:
        results = DBTaskResult.objects.all()
        oldest = results.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        return {
            "ready": results.ready().count(),
            "running": results.filter(status=TaskResultStatus.RUNNING).count(),
            "failed_24h": results.failed().filter(
                finished_at__gte=timezone.now() - dt.timedelta(hours=24)).count(),
            "oldest_ready_seconds": int((timezone.now() - oldest).total_seconds()) if oldest else None,
        }
    except Exception as exc:  # noqa: BLE001 - the table may not exist before migrate
        return {"error": exc.__class__.__name__}


def run_checks() -> tuple[bool, dict[str, str]]:
    results = {}
    healthy = True
    for name, check in CHECKS.items():
        problem = check()
        results[name] = "ok" if problem is None else f"down: {problem}"
        healthy = healthy and problem is None
    return healthy, results
