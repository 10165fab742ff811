"""The /verify/ page's rate limit: checks per client address in fixed
windows, counted in the shared cache (the status look-up's scheme: an
atomic increment, windows aligned to the clock so a limit ends by itself,
keys hashed so no address sits in the cache)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from core.client import client_ip

#: (checks, seconds) per client address.
RATE_PER_ADDRESS = getattr(settings, "PORTAL_VERIFY_RATE_PER_ADDRESS", (20, 600))

#: The clock; tests move it to end a window.
clock = time.time


def client_address(request) -> str:
    return client_ip(request) or "unknown"


def _key(value: str, seconds: int) -> str:
    digest = salted_hmac("signing.verify.rate", value).hexdigest()[:32]
    return f"verify-rate:{digest}:{int(clock() // seconds)}"


def limited(address: str, limit: tuple[int, int] | None = None) -> bool:
    attempts, seconds = limit or RATE_PER_ADDRESS
    return (cache.get(_key(address, seconds)) or 0) >= attempts


def hit(address: str, limit: tuple[int, int] | None = None) -> None:
    _attempts, seconds = limit or RATE_PER_ADDRESS
    key = _key(address, seconds)
    cache.add(key, 0, seconds * 2)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 1, seconds * 2)
