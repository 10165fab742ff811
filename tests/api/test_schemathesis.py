"""Schemathesis against the API's own schema (/api/v1/openapi.json), through
Django's real WSGI handler: for every operation, generated requests (valid
and invalid data) with a token of a client holding every scope, and
without one for the open endpoints; the dossier operations also with the
code of a real dossier of the client's agency. No answer may be a server
error, and every answer must match the schema: its status code documented,
its content type and its body as declared. Bounded (derandomized, a few
examples an operation, no shrinking) so it runs in CI.

(Hypothesis' own loop over `operation.as_strategy()`, not schemathesis'
pytest plugin, whose fixture loader does not run on this pytest.)"""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
EXAMPLES = 10
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


@pytest.fixture
def wsgi_app(world, settings):
    """The portal's WSGI application, keeping the test's database connection
    open across requests (as tests/wsgi.py does), with the open data's rate
    limit out of the way so requests reach the code."""
    settings.PORTAL_API_OPEN_RATE = "100000/60"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 10, [op.label for op in found]
    return found


def fuzz(operation, headers: dict, failures: list, **fixed) -> None:
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        @given(case=operation.as_strategy(generation_mode=mode, **fixed))
        @BOUNDED
        def run(case):
            extra = dict(headers)
            if case.method.upper() != "GET" and "Authorization" in extra:
                extra["Idempotency-Key"] = uuid.uuid4().hex
            case.call_and_validate(headers=extra, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid (an operation without parameters)
            assert mode == GenerationMode.NEGATIVE
        except (AssertionError, FailureGroup) as error:  # every operation's failures, reported together
            failures.append(f"{operation.label} ({mode.value}{', ' + str(fixed) if fixed else ''}):\n{error}")


def test_every_operation_with_a_token_of_every_scope(wsgi_app, world):
    headers = {"Authorization": f"Bearer {world['a'].token}"}
    failures: list[str] = []
    for operation in operations(wsgi_app):
        fuzz(operation, headers, failures)
        if "{code}" in operation.path and "/open/" not in operation.path:
            fuzz(operation, headers, failures, path_parameters={"code": world["dossier_a"].code})
    assert not failures, "\n\n".join(failures)


def test_the_open_endpoints_without_a_token(wsgi_app):
    failures: list[str] = []
    for operation in operations(wsgi_app):
        if "/open/" in operation.path:
            fuzz(operation, {}, failures)
    assert not failures, "\n\n".join(failures)
