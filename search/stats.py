"""Search activity without a database write per request: query statistics
and procedure page views.

A search (:func:`record`) or a procedure page view (:func:`record_view`)
only increments a counter in this process's memory. At most every
``SEARCH_STATS_FLUSH_SECONDS`` seconds the request that finds the interval
over hands the counters to the django-tasks task :func:`write_activity`:
the immediate backend (development) writes them at once, the database
backend (production) queues them for ``manage.py db_worker``. ``0`` turns
the automatic hand-over off (the test settings): :func:`flush` and ``manage.py
flush_search_stats`` write the counts of the process they run in. A process
that stops loses at most one interval of counts, acceptable for an editors'
report and a ranking signal.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from core.tasks import task

from . import popularity
from .models import SearchQueryStat, WrittenStatsBatch

_lock = threading.Lock()
# (day, language, folded query) -> [searches, zero_results, example]
_queries: dict[tuple[date, str, str], list] = defaultdict(lambda: [0, 0, ""])
# (day, procedure translation key) -> views
_views: dict[tuple[date, str], int] = defaultdict(int)
_clock = {"started": None}  # monotonic time of the last hand-over (or of the first count)
PURGED_KEY = "search:stats:purged-on"


# What may stand before a number that is kept: procedure codes as the
# national catalogue writes them (1.001193, 2.000123.000.00.00.H30), agency
# codes and dossier codes (000.00.00.H30-261122-0001).
_CODE = r"\d{1,2}\.\d{6}(?:\.[0-9A-Za-z]+)*|\d{3}(?:\.\d{2}){2}\.[A-Za-z]\d{2}(?:-\d+)*"
# Nine digits or more, single spaces, dots or hyphens between them, an
# optional "+": a citizen ID (12 digits), an old ID card (9), a phone number
# (0912 345 678, +84 912.345.678), a tax or bank account number.
_LONG_NUMBER = r"\+?\d(?:[ .\-]?\d){8,}"
_NUMBERS = re.compile(rf"(?P<code>{_CODE})|(?<![\d.\-])(?P<number>{_LONG_NUMBER})(?!\d)(?![.\-]\d)")
NUMBER_PLACEHOLDER = "[số]"
FOLDED_NUMBER_PLACEHOLDER = "[so]"


def mask_numbers(text: str, placeholder: str = NUMBER_PLACEHOLDER) -> str:
    """`text` with every run of digits shaped like an ID or a phone number
    replaced by `placeholder`: the statistics are for editors, and a citizen
    who types their ID number into the search box did not publish it."""
    return _NUMBERS.sub(lambda m: m.group("code") or placeholder, text)


def record(query: str, folded: str, language: str, found: int) -> None:
    """Count one search, ID and phone numbers masked. Memory only, until
    the interval is over."""
    if not folded:
        return
    query = mask_numbers(query)
    folded = mask_numbers(folded, FOLDED_NUMBER_PLACEHOLDER)
    key = (_today(), language[:8], folded[:200])
    with _lock:
        entry = _queries[key]
        entry[0] += 1
        if not found:
            entry[1] += 1
        if not entry[2]:
            entry[2] = query[:200]
    _hand_over_if_due()


def record_view(translation_key) -> None:
    """Count one view of a procedure page (any translation)."""
    with _lock:
        _views[(_today(), str(translation_key))] += 1
    _hand_over_if_due()


# What the search page and procedure pages leave with a page the page cache
# stores (core.pagecache.note), so a visit answered from the cache counts too.
QUERY_NOTE = "search.query"
VIEW_NOTE = "search.procedure_view"


def count_cached_visit(sender, request, notes, **kwargs) -> None:
    """core.pagecache.served_from_cache: count the search or the procedure
    page view the stored page stands for (GET only, as when rendered)."""
    if request.method != "GET":
        return
    if query := notes.get(QUERY_NOTE):
        record(*query)
    if key := notes.get(VIEW_NOTE):
        record_view(key)


_day_cache: list = [0.0, None]


def _today() -> date:
    """The local date, recomputed at most once a minute (it is on the hot path)."""
    now = time.monotonic()
    if now - _day_cache[0] > 60 or _day_cache[1] is None:
        _day_cache[:] = [now, timezone.localdate()]
    return _day_cache[1]


def pending() -> int:
    """How many distinct queries wait to be written."""
    with _lock:
        return len(_queries)


def pending_views() -> int:
    with _lock:
        return sum(_views.values())


def discard() -> None:
    """Forget the buffered counts (tests)."""
    with _lock:
        _queries.clear()
        _views.clear()
        _clock["started"] = None


def take() -> dict:
    """Empty the buffers into a payload a task can carry (JSON)."""
    with _lock:
        queries = [[day.isoformat(), language, query, *entry] for (day, language, query), entry in _queries.items()]
        views = [[day.isoformat(), key, n] for (day, key), n in _views.items()]
        _queries.clear()
        _views.clear()
    return {"batch": uuid.uuid4().hex, "queries": queries, "views": views}


def _hand_over_if_due() -> None:
    interval = settings.SEARCH_STATS_FLUSH_SECONDS
    if interval <= 0:
        return
    now = time.monotonic()
    with _lock:
        started = _clock["started"]
        if started is None:
            _clock["started"] = now
            return
        if now - started < interval:
            return
        _clock["started"] = now
    write_activity.enqueue(take())


def write(payload: dict) -> int:
    """Write a payload of :func:`take`; returns the number of query rows
    touched. A batch already written (the same task run again) adds nothing."""
    queries = payload.get("queries", [])
    with transaction.atomic():
        if payload.get("batch"):
            _batch, new = WrittenStatsBatch.objects.get_or_create(batch=uuid.UUID(payload["batch"]))
            if not new:
                return 0
        # In key order: two workers writing batches lock the same rows in the same order.
        for day, language, query, searches, zero, example in sorted(queries, key=lambda row: row[:3]):
            updated = SearchQueryStat.objects.filter(day=day, language=language, query=query).update(
                searches=models.F("searches") + searches, zero_results=models.F("zero_results") + zero
            )
            if not updated:
                SearchQueryStat.objects.create(
                    day=day, language=language, query=query, example=example or query,
                    searches=searches, zero_results=zero,
                )
        popularity.add_views([(date.fromisoformat(day), key, n) for day, key, n in payload.get("views", [])])
    return len(queries)


@task()
def write_activity(payload: dict) -> int:
    """Write the handed-over counts, recount today's and yesterday's
    dossiers for the popularity signal, and once a day delete what is past
    its retention. Safe to run twice: the batch is written once (its id),
    the recount and the purge give the same result again."""
    written = write(payload)
    today = timezone.localdate()
    popularity.recount_dossiers(since=today - timedelta(days=1))
    if cache.get(PURGED_KEY) != today.isoformat():
        purge_expired(today)
        popularity.purge_expired(today)
        cache.set(PURGED_KEY, today.isoformat(), 2 * 24 * 3600)
    return written


def flush() -> int:
    """Write this process's buffered counts now; returns the query rows touched."""
    payload = take()
    try:
        return write(payload)
    except Exception:
        _put_back(payload)  # the next flush retries them
        raise


def _put_back(payload: dict) -> None:
    with _lock:
        for day, language, query, searches, zero, example in payload["queries"]:
            entry = _queries[(date.fromisoformat(day), language, query)]
            entry[0] += searches
            entry[1] += zero
            entry[2] = entry[2] or example
        for day, key, n in payload["views"]:
            _views[(date.fromisoformat(day), key)] += n


def purge_expired(today: date | None = None) -> int:
    """Delete the statistics older than PORTAL_SEARCH_STATS_RETENTION_DAYS
    (the days kept include today); returns the number of rows deleted."""
    days = settings.PORTAL_SEARCH_STATS_RETENTION_DAYS
    oldest_kept = (today or timezone.localdate()) - timedelta(days=days - 1)
    deleted, _ = SearchQueryStat.objects.filter(day__lt=oldest_kept).delete()
    WrittenStatsBatch.objects.filter(written_at__lt=timezone.now() - timedelta(days=2)).delete()
    return deleted
