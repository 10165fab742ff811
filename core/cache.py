"""A namespace of cached values that one call invalidates all at once.

Data every request needs but editors rarely change (the site frame, the
search page's labels) is built once and kept under a version number; a
signal handler bumps the version when an editor changes something, and the
old entries simply expire. Works with any Django cache backend.

A namespace made with ``local=True`` also keeps its values in the worker
process's memory, under the version they were built for, and reads the
shared version at most once per request: a page that needs ten such values
then costs one read of the shared cache (one query with the database cache
backend) instead of ten, and no unpickling. Values handed out from process
memory are shared between requests: treat them as read-only.
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

#: The versions read during the current request, per namespace (only
#: between `request_started` and `request_finished`: a worker outside a
#: request, such as `db_worker`, always asks the shared cache).
_request = Local()


def _request_started(**kwargs) -> None:
    _request.versions = {}


def _request_finished(**kwargs) -> None:
    _request.versions = None


request_started.connect(_request_started, dispatch_uid="core-cache-request-started")
request_finished.connect(_request_finished, dispatch_uid="core-cache-request-finished")


def _request_versions() -> dict | None:
    return getattr(_request, "versions", None)


def _new_version() -> int:
    """A fresh version for a namespace whose version is not in the cache
    (first use, cache cleared or the key evicted): random, so it never
    matches values left behind under an earlier version, here or in a
    worker's memory."""
    return random.randrange(1, 2**62)


class VersionedCache:
    def __init__(self, namespace: str, timeout: int = 60 * 60, *, local: bool = False, local_size: int = 2000):
        self.namespace = namespace
        self.timeout = timeout
        self.version_key = f"{namespace}.version"
        self.local = local
        self.local_size = local_size
        # name -> (expires at, value), all built under `_memo_version`
        self._memo: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._memo_version: int | None = None
        self._lock = threading.Lock()

    def version(self) -> int:
        versions = _request_versions() if self.local else None
        if versions is not None and self.namespace in versions:
            return versions[self.namespace]
        version = cache.get(self.version_key)
        if version is None:
            cache.add(self.version_key, _new_version(), None)
            version = cache.get(self.version_key)
        if versions is not None:
            versions[self.namespace] = version
        return version

    def invalidate(self, **kwargs) -> None:
        """Drop every value of the namespace (usable as a signal receiver).

        A local namespace is bumped again when the current transaction
        commits: a request of another worker that read the old rows between
        the first bump and the commit would otherwise have cached them under
        the new version."""
        self._bump()
        if self.local and transaction.get_connection().in_atomic_block:
            transaction.on_commit(self._bump)

    def _bump(self) -> None:
        try:
            version = cache.incr(self.version_key)
        except ValueError:
            version = _new_version()
            cache.set(self.version_key, version, None)
        versions = _request_versions()
        if versions is not None:
            versions[self.namespace] = version
        with self._lock:
            self._memo.clear()
            self._memo_version = None

    def get_or_build(self, name: str, build: Callable[[], Any], timeout: int | None = None) -> Any:
        timeout = self.timeout if timeout is None else timeout
        version = self.version()
        if self.local:
            found, value = self._memo_get(version, name)
            if found:
                return value
        key = f"{self.namespace}.{version}.{name}"
        value = cache.get(key)
        if value is None:
            value = build()
            cache.set(key, value, timeout)
        if self.local:
            self._memo_set(version, name, value, timeout)
        return value

    # ------------------------------------------------------------ process memory

    def _memo_get(self, version: int, name: str) -> tuple[bool, Any]:
        with self._lock:
            if self._memo_version != version:
                return False, None
            entry = self._memo.get(name)
            if entry is None or entry[0] < time.monotonic():
                return False, None
            self._memo.move_to_end(name)
            return True, entry[1]

    def _memo_set(self, version: int, name: str, value: Any, timeout: int | None) -> None:
        with self._lock:
            if self._memo_version != version:
                self._memo.clear()
                self._memo_version = version
            expires = float("inf") if timeout is None else time.monotonic() + timeout
            self._memo[name] = (expires, value)
            self._memo.move_to_end(name)
            while len(self._memo) > self.local_size:
                self._memo.popitem(last=False)
