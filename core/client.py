"""The client's address, one answer for every part of the portal.

Behind reverse proxies REMOTE_ADDR is the nearest proxy, so rate limits,
the audit log and consent records would all see one address. Each trusted
proxy appends the address it received the request from to
X-Forwarded-For, so with N trusted proxies the client is the N-th entry
from the right; anything further left was written by the client and is
never believed. allauth counts the same way (ALLAUTH_TRUSTED_PROXY_COUNT,
set from the same setting), and the portal's account adapter asks this
module, so sign-in limits and the portal's own throttles key on the same
address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 0) or 0))


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address of the client that sent `request`: REMOTE_ADDR, or with
    PORTAL_TRUSTED_PROXY_COUNT = N > 0 the N-th X-Forwarded-For entry from
    the right. "" when no valid address can be found."""
    remote = _clean(request.META.get("REMOTE_ADDR", "") or "") or ""
    count = trusted_proxy_count()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = forwarded.split(",")
        if len(hops) >= count:
            return _clean(hops[-count]) or remote
    return remote
