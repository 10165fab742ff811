"""One request id per request, in the response and in every log line.

`RequestIdMiddleware` takes the id a trusted proxy or load balancer sent
(`X-Request-ID`, when it looks like an id) or makes one, keeps it in a
context variable for the request's duration and returns it in the
response. `RequestIdFilter` puts it on every log record (`-` outside a
request), and `JsonFormatter` writes one JSON object per line when
`PORTAL_LOG_JSON` is on, for log shippers.

The id travels beyond the request: `core.tasks.task` hands it to the
background tasks the request enqueues, `request_id_context` runs a block
under a stored id (a message's delivery under the id of the request that
made it), and `request_id_headers` puts it on outgoing emails.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

request_id: ContextVar[str] = ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request being served, or "-"."""
    return request_id.get()


def new_request_id(offered: str | None = None) -> str:
    """`offered` when it looks like an id (so a proxy's id runs through),
    else a fresh one."""
    if offered and _VALID.match(offered):
        return offered
    return uuid.uuid4().hex


@contextmanager
def request_id_context(rid: str | None) -> Iterator[str]:
    """Run the block under `rid` (checked like an incoming header: what is
    not an id is replaced by a fresh one); an empty `rid` leaves the
    current id as it is."""
    if not rid or rid == "-":
        yield current_request_id()
        return
    rid = new_request_id(rid)
    token = request_id.set(rid)
    try:
        yield rid
    finally:
        request_id.reset(token)


def request_id_headers() -> dict[str, str]:
    """`{"X-Request-ID": id}` for an outgoing email or call made on behalf of
    a request (or of a task carrying one); empty outside one."""
    rid = current_request_id()
    return {REQUEST_ID_HEADER: rid} if rid != "-" else {}


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = new_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger,
    message, request id, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)

    def formatTime(self, record, datefmt=None):
        return time.strftime(datefmt or "%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
