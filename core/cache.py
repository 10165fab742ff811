"""A namespace of cached values that one call invalidates all at once.

Data every request needs but editors rarely change (the site frame, the
search page's labels) is built once and kept under a version number; a
signal handler bumps the version when an editor changes something, and the
old entries simply expire. Works with any Django cache backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache


class VersionedCache:
    def __init__(self, namespace: str, timeout: int = 60 * 60):
        self.namespace = namespace
        self.timeout = timeout
        self.version_key = f"{namespace}.version"

    def version(self) -> int:
        version = cache.get(self.version_key)
        if version is None:
            version = 1
            cache.add(self.version_key, version, None)
        return version

    def invalidate(self, **kwargs) -> None:
        """Drop every value of the namespace (usable as a signal receiver)."""
        try:
            cache.incr(self.version_key)
        except ValueError:
            cache.set(self.version_key, 1, None)

    def get_or_build(self, name: str, build: Callable[[], Any], timeout: int | None = None) -> Any:
        key = f"{self.namespace}.{self.version()}.{name}"
        value = cache.get(key)
        if value is None:
            value = build()
            cache.set(key, value, self.timeout if timeout is None else timeout)
        return value
