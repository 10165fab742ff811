"""SMS backends: one small interface, `send(to, text) -> provider id`.

A backend raises `Refused` when the gateway said no for good (bad number,
blocked content, bad credentials: retrying changes nothing) and
`TemporaryError` when it may work later (time-out, connection refused,
server error, throttled). `get_backend()` builds the one that
PORTAL_SMS_BACKEND names: `console`, `file` or `http` (or a dotted path to
a class taking no arguments).
"""

from __future__ import annotations

import abc
import base64
import json
import logging
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    pass


class Refused(DeliveryError):
    """The gateway (or mail server) refused the message: do not retry."""


class TemporaryError(DeliveryError):
    """Delivery failed but may succeed later: retry with backoff."""


class SmsBackend(abc.ABC):
    """Sends one text message; returns the provider's message id, raises
    Refused (never retried) or TemporaryError (retried with backoff)."""

    @abc.abstractmethod
    def send(self, to: str, text: str) -> str: ...


class ConsoleBackend(SmsBackend):
    """Logs the message (development)."""

    def send(self, to: str, text: str) -> str:
        provider_id = f"console-{uuid.uuid4().hex}"
        logger.info("SMS to %s (%s): %s", to, provider_id, text)
        return provider_id


class FileBackend(SmsBackend):
    """Appends one JSON line per message to `sms.jsonl` in
    PORTAL_SMS_FILE_DIR, so development and the demo can read what was sent."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or settings.PORTAL_SMS_FILE_DIR)

    @property
    def path(self) -> Path:
        return self.directory / "sms.jsonl"

    def send(self, to: str, text: str) -> str:
        provider_id = f"file-{uuid.uuid4().hex}"
        line = json.dumps({"id": provider_id, "time": timezone.now().isoformat(), "to": to, "text": text},
                          ensure_ascii=False)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as error:
            raise TemporaryError(f"cannot write {self.path}: {error}") from error
        return provider_id


def _substitute(value, values: dict[str, str]):
    """The payload template with {to}, {text}, {sender} filled inside its
    strings, after JSON parsing, so the text is always properly escaped."""
    if isinstance(value, str):
        for name, replacement in values.items():
            value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [_substitute(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, values) for key, item in value.items()}
    return value


def _lookup(document, path: str):
    """`a.b.0.c` in a parsed JSON document; None when absent."""
    current = document
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


class HttpBackend(SmsBackend):
    """A gateway that takes a JSON request. Every detail comes from settings
    (README, "Messages to applicants"): URL, credentials (HTTP basic, or a
    token in a header), the payload template, the answer that means success
    (any 2xx, or a JSON path with an expected value) and where the provider's
    message id is in the answer. 4xx answers (but 408 and 429) and a 2xx
    that does not say success are refusals; 5xx, 408, 429, time-outs and
    network errors are temporary."""

    def __init__(self, **options) -> None:
        def option(name, default=None):
            return options.get(name, getattr(settings, f"PORTAL_SMS_HTTP_{name.upper()}", default))

        self.url = option("url")
        self.username = option("username", "")
        self.password = option("password", "")
        self.token = option("token", "")
        self.token_header = option("token_header", "Authorization")
        self.payload = option("payload")
        self.success = option("success", "")
        self.id_path = option("id_path", "")
        self.timeout = float(option("timeout", 10))
        self.sender = options.get("sender", settings.PORTAL_SMS_SENDER)
        if not str(self.url or "").startswith(("http://", "https://")):
            raise ValueError("PORTAL_SMS_HTTP_URL must be an http:// or https:// address")

    def request(self, to: str, text: str) -> urllib.request.Request:
        body = _substitute(json.loads(self.payload), {"to": to, "text": text, "sender": self.sender})
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.username:
            credentials = f"{self.username}:{self.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
        if self.token:
            headers[self.token_header] = self.token
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return urllib.request.Request(self.url, data=data, headers=headers, method="POST")

    def send(self, to: str, text: str) -> str:
        try:
            with urllib.request.urlopen(self.request(to, text), timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode("utf-8", "replace")
            if error.code in (408, 429) or error.code >= 500:
                raise TemporaryError(f"HTTP {error.code}: {detail}") from error
            raise Refused(f"HTTP {error.code}: {detail}") from error
        except TimeoutError as error:
            raise TemporaryError(f"no answer within {self.timeout:g} s") from error
        except (urllib.error.URLError, OSError) as error:
            raise TemporaryError(f"cannot reach the gateway: {getattr(error, 'reason', error)}") from error
        return self._provider_id(status, raw)

    def _provider_id(self, status: int, raw: bytes) -> str:
        text = raw[:2000].decode("utf-8", "replace")
        try:
            document = json.loads(raw) if raw else None
        except ValueError:
            document = None
        if self.success:
            path, _, expected = self.success.partition("=")
            found = _lookup(document, path.strip())
            if found is None or str(found) != expected.strip():
                raise Refused(f"HTTP {status}, not a success answer: {text[:500]}")
        provider_id = _lookup(document, self.id_path) if self.id_path else None
        return str(provider_id) if provider_id is not None else ""


BACKENDS = {"console": ConsoleBackend, "file": FileBackend, "http": HttpBackend}


def get_backend() -> SmsBackend:
    name = settings.PORTAL_SMS_BACKEND
    return (BACKENDS.get(name) or import_string(name))()
