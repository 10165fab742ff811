"""Markers for tests that need a particular database, and what a
transactional test needs back after an earlier one flushed it."""

import importlib

import pytest
from django.db import connection


def postgresql_only(reason: str = "needs PostgreSQL's row locks between real connections; "
                                  "runs in CI's PostgreSQL pass"):
    """Skip at collection on other databases, before any database set-up:
    a transactional test's flush must not run for a test that will skip."""
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=reason)


def waiting_for_a_lock() -> int:
    """Sessions of this test database now waiting for a row or table lock
    (PostgreSQL): how a race test knows its second party is queued."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def run_data_migration(module: str, function: str) -> None:
    """Run a data migration's function again: a transactional test that ran
    before flushed what the migrations had put in the database (role groups
    and their permissions, message templates); post_migrate brings back
    only content types and permissions."""
    from django.apps import apps

    getattr(importlib.import_module(module), function)(apps, None)


def restore_staff_groups() -> None:
    """The staff role groups and the back office's inbox permission."""
    run_data_migration("accounts.migrations.0002_profile_consent_staff", "create_role_groups")
    run_data_migration("backoffice.migrations.0001_inbox_permission", "grant_view_dossier")
