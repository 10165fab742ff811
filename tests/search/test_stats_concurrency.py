"""Two task workers writing search statistics at once, for real on
PostgreSQL (one connection per thread): batches that hold the same rows in
opposite orders wait for each other instead of deadlocking, and every count
is added once. SQLite serialises every writer, so these run in CI's
PostgreSQL pass."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date

import pytest
from django.db import connection, connections

from search import popularity, stats
from search.models import ProcedureActivity, SearchQueryStat
from tests.databases import postgresql_only, waiting_for_a_lock

pytestmark = [postgresql_only(), pytest.mark.django_db(transaction=True)]

DAY = date(2026, 11, 30)



class PausedAfterFirstUpdate:
    """Runs `work()` in a thread whose connection stops right after its first
    UPDATE of `table` (that row now locked) until `go()`."""

    def __init__(self, table: str, work) -> None:
        self.table, self.work = table, work
        self.locked, self.may_go, self.errors = threading.Event(), threading.Event(), []
        self.thread = threading.Thread(target=self._run)

    def _wrapper(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("UPDATE") and f'"{self.table}"' in sql and not self.locked.is_set():
            self.locked.set()
            assert self.may_go.wait(60)
        return result

    def _run(self) -> None:
        try:
            with connection.execute_wrapper(self._wrapper):
                self.work()
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.errors.append(error)
        finally:
            connections.close_all()


def run_crossed(table: str, first, second) -> list:
    """`first` takes one row and stops; `second` starts and must wait for
    that row; then `first` goes on. Returns the errors of both."""
    held = PausedAfterFirstUpdate(table, first)
    held.thread.start()
    assert held.locked.wait(30)
    other_errors: list = []

    def run_second():
        try:
            second()
        except Exception as error:  # noqa: BLE001 - reported by the test
            other_errors.append(error)
        finally:
            connections.close_all()

    other = threading.Thread(target=run_second)
    other.start()
    deadline = time.monotonic() + 10
    while waiting_for_a_lock() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    held.may_go.set()
    held.thread.join(60)
    other.join(60)
    assert not held.thread.is_alive() and not other.is_alive()
    return held.errors + other_errors


def test_two_query_batches_in_opposite_orders_are_both_written():
    for query in ("giay khai sinh", "ly lich tu phap"):
        SearchQueryStat.objects.create(day=DAY, language="vi", query=query, example=query, searches=1)
    rows = [[DAY.isoformat(), "vi", "giay khai sinh", 2, 0, ""], [DAY.isoformat(), "vi", "ly lich tu phap", 3, 1, ""]]

    def batch(ordered):
        return lambda: stats.write({"batch": str(uuid.uuid4()), "queries": ordered, "views": []})

    errors = run_crossed(SearchQueryStat._meta.db_table, batch(rows), batch(rows[::-1]))

    assert errors == []
    counts = dict(SearchQueryStat.objects.values_list("query", "searches"))
    assert counts == {"giay khai sinh": 1 + 2 + 2, "ly lich tu phap": 1 + 3 + 3}
    assert SearchQueryStat.objects.get(query="ly lich tu phap").zero_results == 2


def test_two_view_batches_in_opposite_orders_are_both_written():
    keys = sorted(str(uuid.uuid4()) for _ in range(2))
    for key in keys:
        ProcedureActivity.objects.create(day=DAY, translation_key=key, views=1)
    rows = [(DAY, keys[0], 5), (DAY, keys[1], 7)]

    errors = run_crossed(ProcedureActivity._meta.db_table,
                         lambda: popularity.add_views(rows), lambda: popularity.add_views(rows[::-1]))

    assert errors == []
    views = {str(key): n for key, n in ProcedureActivity.objects.values_list("translation_key", "views")}
    assert views == {keys[0]: 1 + 5 + 5, keys[1]: 1 + 7 + 7}
