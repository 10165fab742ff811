"""Markers for tests that need a particular database."""

import pytest
from django.db import connection


def postgresql_only(reason: str = "needs PostgreSQL's row locks between real connections; "
                                  "runs in CI's PostgreSQL pass"):
    """Skip at collection on other databases, before any database set-up:
    a transactional test's flush must not run for a test that will skip."""
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=reason)
