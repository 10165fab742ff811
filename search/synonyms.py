"""Query expansion with the editors' synonym groups.

Expansion happens on the folded query, before any backend sees it, so the
same groups work on the database backends and on Elasticsearch.
"""

from __future__ import annotations

import threading
import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import SynonymGroup

VERSION_KEY = "search:synonyms:version"
MAX_VARIANTS = 10
_RECHECK_SECONDS = 5

_lock = threading.Lock()
_state: dict = {"version": None, "checked": 0.0, "groups": []}


def _load_groups() -> list[list[tuple[str, ...]]]:
    groups = []
    for group in SynonymGroup.objects.filter(active=True):
        terms = [tuple(term.split()) for term in group.folded_terms()]
        if len(terms) >= 2:
            groups.append(terms)
    return groups


def groups() -> list[list[tuple[str, ...]]]:
    """Active groups as lists of folded term token tuples, cached in memory and
    reloaded when an editor changes a group (a version number in the cache)."""
    now = time.monotonic()
    if now - _state["checked"] < _RECHECK_SECONDS and _state["version"] is not None:
        return _state["groups"]
    version = cache.get(VERSION_KEY, 0)
    with _lock:
        if _state["version"] != version:
            _state["groups"] = _load_groups()
            _state["version"] = version
        _state["checked"] = now
        return _state["groups"]


def invalidate() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)
    _state["checked"] = 0.0
    _state["version"] = None


def _find(words: list[str], term: tuple[str, ...]) -> int:
    n = len(term)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) == term:
            return i
    return -1


def expand(folded_query: str) -> list[str]:
    """The query followed by its variants with one synonym swapped for each
    other term of a matching group, e.g. ``lam so do`` → ``[lam so do,
    lam giay chung nhan quyen su dung dat]``."""
    variants = [folded_query]
    for group in groups():
        for current in list(variants):
            words = current.split()
            for term in group:
                at = _find(words, term)
                if at < 0:
                    continue
                for other in group:
                    if other == term:
                        continue
                    candidate = " ".join([*words[:at], *other, *words[at + len(term) :]])
                    if candidate not in variants:
                        variants.append(candidate)
                    # the synonym alone too: "lam so do" also searches "giay chung nhan ..."
                    if len(words) > len(term) and " ".join(other) not in variants:
                        variants.append(" ".join(other))
                break
            if len(variants) >= MAX_VARIANTS:
                return variants[:MAX_VARIANTS]
    return variants


@receiver(post_save, sender="search.SynonymGroup")
@receiver(post_delete, sender="search.SynonymGroup")
def _synonyms_changed(**kwargs):
    invalidate()
