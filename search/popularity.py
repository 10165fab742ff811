"""Which procedures people actually use: submitted dossiers and page views
per procedure and day, over the last :data:`WINDOW_DAYS` days.

Counted off the request path: a procedure page view only increments a
counter in memory (:func:`search.stats.record_view`), written with the query
statistics by a django-tasks task; dossiers are recounted from eforms'
``Dossier`` rows by the same task (today and yesterday) and by ``manage.py
refresh_search_popularity`` (the whole window). Counts are per translation
key, so every language ranks alike.

The search reads :func:`multipliers`: 1 for a procedure nobody used, up to
``1 + MAX_BOOST`` for the most used one, on a log scale. The bound is what
keeps popularity a tie-breaker (:mod:`search.services.ranking`).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.db import models, transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.cache import VersionedCache
from eforms.models import Dossier
from procedures.models import ProcedurePage

from .models import ProcedureActivity

WINDOW_DAYS = 90
DOSSIER_WEIGHT = 10  # one submitted dossier counts as much as ten page views
MAX_BOOST = 0.5
CACHE_TIMEOUT = 5 * 60

POPULARITY_CACHE = VersionedCache("portal.search.popularity")


def window_start(today: date | None = None) -> date:
    return (today or timezone.localdate()) - timedelta(days=WINDOW_DAYS - 1)


def activity(today: date | None = None) -> dict:
    """translation key → weighted use over the window."""
    rows = (
        ProcedureActivity.objects.filter(day__gte=window_start(today))
        .values("translation_key")
        .annotate(views=models.Sum("views"), dossiers=models.Sum("dossiers"))
    )
    return {
        row["translation_key"]: row["views"] + DOSSIER_WEIGHT * row["dossiers"]
        for row in rows if row["views"] or row["dossiers"]
    }


def multipliers(locale_id: int) -> dict[int, float]:
    """Procedure page pk → its popularity multiplier in [1, 1 + MAX_BOOST];
    procedures nobody used are absent (1)."""

    def build():
        used = activity()
        if not used:
            return {}
        top = math.log1p(max(used.values()))
        pages = ProcedurePage.objects.filter(locale_id=locale_id, translation_key__in=list(used))
        return {
            pk: 1.0 + MAX_BOOST * math.log1p(used[key]) / top
            for pk, key in pages.values_list("pk", "translation_key")
        }

    return POPULARITY_CACHE.get_or_build(f"multipliers.{locale_id}", build, CACHE_TIMEOUT)


def add_views(rows: list[tuple[date, str, int]]) -> int:
    """Add buffered page views: (day, translation key, views). Rows are
    written in (day, key) order, the order every writer of these rows
    locks them in, so two workers writing batches never deadlock."""
    with transaction.atomic():
        for day, key, views in sorted(rows, key=lambda row: (row[0], row[1])):
            updated = ProcedureActivity.objects.filter(day=day, translation_key=key).update(
                views=models.F("views") + views
            )
            if not updated:
                ProcedureActivity.objects.create(day=day, translation_key=key, views=views)
    if rows:
        POPULARITY_CACHE.invalidate()
    return len(rows)


def recount_dossiers(since: date | None = None) -> int:
    """Set the daily dossier counts from ``since`` (the window's start by
    default) to what eforms' submitted dossiers say; returns the rows set."""
    since = since or window_start()
    counts = (
        Dossier.objects.filter(submitted_at__isnull=False, submitted_at__date__gte=since)
        .annotate(day=TruncDate("submitted_at"))
        .values("day", "procedure__translation_key")
        .annotate(n=models.Count("pk"))
    )
    with transaction.atomic():
        # Lock the window's rows in (day, key) order first, as add_views does.
        list(ProcedureActivity.objects.select_for_update().filter(day__gte=since)
             .order_by("day", "translation_key").values_list("pk", flat=True))
        ProcedureActivity.objects.filter(day__gte=since).exclude(dossiers=0).update(dossiers=0)
        written = 0
        for row in sorted(counts, key=lambda row: (row["day"], row["procedure__translation_key"])):
            key, day, n = row["procedure__translation_key"], row["day"], row["n"]
            updated = ProcedureActivity.objects.filter(day=day, translation_key=key).update(dossiers=n)
            if not updated:
                ProcedureActivity.objects.create(day=day, translation_key=key, dossiers=n)
            written += 1
        ProcedureActivity.objects.filter(views=0, dossiers=0).delete()
    POPULARITY_CACHE.invalidate()
    return written


def purge_expired(today: date | None = None) -> int:
    deleted, _ = ProcedureActivity.objects.filter(day__lt=window_start(today)).delete()
    return deleted
