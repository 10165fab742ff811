"""Origins that may frame the embed card, and the `src` parameter.

An allowed origin is `https://host[:port]`, or `http://` for a loopback
host (localhost, 127.0.0.0/8, ::1) while developing: no path, query,
fragment, user name or wildcard. It is kept normalised (lower case, the
host in its IDNA form, no default port), which is also how browsers compare
it with the framing page's origin.

`src` names the site that sent an applicant ("sotuphap.hanoi.gov.vn" or a
short label such as "ubnd-phuong-1"): letters, digits, dots, hyphens,
underscores and a port colon, at most 200 characters; anything else is
ignored, never an error the applicant would see.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SOURCE_MAX_LENGTH = 200
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9._:\-]*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9\-]{1,63}(?<!-)$")
DEFAULT_PORTS = {"https": 443, "http": 80}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host(host: str) -> str:
    """The host (as `urlsplit` gives it: lower case, no brackets) in its
    IDNA (punycode) form, or ValueError."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else str(address)
    ascii_host = host.encode("idna").decode("ascii").lower()
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(host)
    return ascii_host


def normalise_origin(value: str) -> str:
    """`value` as a normalised origin, or ValidationError with a message an
    editor can act on."""
    text = (value or "").strip()
    invalid = ValidationError(
        _("Enter an origin such as https://www.example.gov.vn (or https://host:port): the scheme and the "
          "host only, no path and no wildcard. http:// is accepted only for localhost while developing."),
        code="invalid_origin",
    )
    if not text or "*" in text or any(ch.isspace() for ch in text):
        raise invalid
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise invalid from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        raise invalid
    if parts.path not in ("", "/") or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise invalid
    try:
        host = _host(parts.hostname)
    except (ValueError, UnicodeError) as error:
        raise invalid from error
    if scheme == "http" and not is_loopback(host):
        raise invalid
    if port is not None and port == DEFAULT_PORTS[scheme]:
        port = None
    if port == 0:
        raise invalid
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


def validate_origin(value: str) -> None:
    normalise_origin(value)


def clean_source(value) -> str:
    """A valid `src` value in lower case, or "" (ignored)."""
    if not isinstance(value, str):
        return ""
    text = value.strip().lower()
    if not text or len(text) > SOURCE_MAX_LENGTH or not _SOURCE.match(text):
        return ""
    return text


def source_for_site(value: str) -> str:
    """What the builder puts in `src` for a site an editor typed: the host
    (and port) of a URL, or the label itself; "" when it is not usable."""
    text = (value or "").strip()
    if "://" in text:
        try:
            parts = urlsplit(text)
            host = parts.hostname or ""
            port = parts.port
        except ValueError:
            return ""
        text = host + (f":{port}" if port is not None else "")
    return clean_source(text)
