"""Checks behind /healthz: each returns None when the part is up, or a short
reason when it is down."""

from __future__ import annotations

import os

from django.core.files.storage import default_storage
from django.db import connections
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
    try:
        location = getattr(default_storage, "location", None)
        if location is not None:
            os.makedirs(location, exist_ok=True)
            if not os.access(location, os.W_OK):
                return "not writable"
        else:
            default_storage.exists("healthz")
    except Exception as exc:  # noqa: BLE001
        return exc.__class__.__name__
    return None


CHECKS = {"database": check_database, "search": check_search, "storage": check_storage}


def run_checks() -> tuple[bool, dict[str, str]]:
    results = {}
    healthy = True
    for name, check in CHECKS.items():
        problem = check()
        results[name] = "ok" if problem is None else f"down: {problem}"
        healthy = healthy and problem is None
    return healthy, results
