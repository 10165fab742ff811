"""Requests through Django's real WSGI handler, for what the test client
hides: the script prefix (SCRIPT_NAME), and a body stream read (or not) as a
server would give it."""

from __future__ import annotations

import io

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import set_script_prefix


def environ(path: str, method: str = "GET", **extra) -> dict:
    base = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    base.update(extra)
    return base


def call(env: dict) -> tuple[str, list, bytes, object]:
    """(status line, headers, body, response). Like Django's test client, it
    keeps the test's database connection open across the request (a real
    server closes it at the end of each request, which would end the test's
    transaction on PostgreSQL), and resets the script prefix afterwards."""
    started = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(env, lambda status, headers, *exc: started.append((status, headers)))
        body = b"".join(response)
        return started[0][0], started[0][1], body, response
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        set_script_prefix("/")
