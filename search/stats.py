"""Query statistics without a database write in the request path.

A search request only increments a counter in this process's memory
(:func:`record`, a few microseconds; ``bench/search.py`` prints the cost).
A daemon thread writes the counters to :class:`~search.models.SearchQueryStat`
every ``SEARCH_STATS_FLUSH_SECONDS`` seconds and at exit; ``manage.py
flush_search_stats`` and tests call :func:`flush` directly. A crash can lose at
most one interval of counts, acceptable for an editors' report.
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import close_old_connections, models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

_lock = threading.Lock()
# (day, language, folded query) -> [searches, zero_results, example]
_buffer: dict[tuple[date, str, str], list] = defaultdict(lambda: [0, 0, ""])
_thread: threading.Thread | None = None


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
    """Count one search, ID and phone numbers masked. Memory only."""
    if not folded:
        return
    query = mask_numbers(query)
    folded = mask_numbers(folded, FOLDED_NUMBER_PLACEHOLDER)
    key = (_today(), language[:8], folded[:200])
    with _lock:
        entry = _buffer[key]
        entry[0] += 1
        if not found:
            entry[1] += 1
        if not entry[2]:
            entry[2] = query[:200]
    _ensure_flusher()


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
        return len(_buffer)


def discard() -> None:
    """Forget the buffered counts (tests)."""
    with _lock:
        _buffer.clear()


def flush() -> int:
    """Write the buffered counts; returns the number of rows touched."""
    from .models import SearchQueryStat

    with _lock:
        items = list(_buffer.items())
        _buffer.clear()
    if not items:
        return 0
    try:
        with transaction.atomic():
            for (day, language, query), (searches, zero, example) in items:
                updated = SearchQueryStat.objects.filter(day=day, language=language, query=query).update(
                    searches=models.F("searches") + searches, zero_results=models.F("zero_results") + zero
                )
                if not updated:
                    SearchQueryStat.objects.create(
                        day=day, language=language, query=query, example=example or query,
                        searches=searches, zero_results=zero,
                    )
    except Exception:
        # Put the counts back so the next flush retries them.
        with _lock:
            for key, (searches, zero, example) in items:
                entry = _buffer[key]
                entry[0] += searches
                entry[1] += zero
                entry[2] = entry[2] or example
        raise
    return len(items)


def purge_expired(today: date | None = None) -> int:
    """Delete the statistics older than PORTAL_SEARCH_STATS_RETENTION_DAYS
    (the days kept include today); returns the number of rows deleted."""
    from .models import SearchQueryStat

    days = settings.PORTAL_SEARCH_STATS_RETENTION_DAYS
    oldest_kept = (today or timezone.localdate()) - timedelta(days=days - 1)
    deleted, _ = SearchQueryStat.objects.filter(day__lt=oldest_kept).delete()
    return deleted


def _under_test() -> bool:
    # Django's test environment installs mail.outbox; the suite flushes by
    # hand so that no thread writes into a test's database.
    from django.core import mail

    return hasattr(mail, "outbox")


def _flush_loop(interval: int) -> None:
    stop = threading.Event()
    purged_on = None
    while not stop.wait(interval):
        try:
            flush()
            if purged_on != _today():
                purge_expired()
                purged_on = _today()
        except Exception:
            logger.exception("Could not write search statistics")
        finally:
            close_old_connections()


_flusher_checked = False


def _ensure_flusher() -> None:
    global _thread, _flusher_checked
    if _flusher_checked:
        return
    interval = getattr(settings, "SEARCH_STATS_FLUSH_SECONDS", 60)
    _flusher_checked = True
    if interval <= 0 or _under_test():
        return
    with _lock:
        if _thread is not None:
            return
        _thread = threading.Thread(target=_flush_loop, args=(interval,), name="search-stats", daemon=True)
        _thread.start()
    atexit.register(_flush_at_exit)


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:
        logger.exception("Could not write search statistics at exit")
