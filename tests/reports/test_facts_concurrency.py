"""The facts under concurrent changes, tried for real on PostgreSQL (one
connection per thread): dossiers of one agency, procedure and day no longer
wait for each other's transaction (their changes are appended), and the
compaction neither waits for an open transaction nor loses or doubles a
count. SQLite serialises every writer, so these run in CI's PostgreSQL pass."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections, transaction

from eforms import lifecycle
from eforms.models import Dossier
from reports import facts
from reports.models import DailyFact, Outcome
from tests.databases import postgresql_only
from tests.dossier_factories import make_citizen, make_procedure, make_staff, submit
from tests.reports.test_facts import summed

pytestmark = [postgresql_only(), pytest.mark.django_db(transaction=True)]


class Held:
    """`work()` run in a transaction of its own in another thread, kept open
    after it until `release()`."""

    def __init__(self, work: Callable[[], object]) -> None:
        self.done, self.may_commit, self.errors = threading.Event(), threading.Event(), []
        self.thread = threading.Thread(target=self._run, args=(work,))

    def _run(self, work) -> None:
        try:
            with transaction.atomic():
                work()
                self.done.set()
                assert self.may_commit.wait(60)
        except Exception as error:  # noqa: BLE001 - reported by release()
            self.errors.append(error)
            self.done.set()
        finally:
            connections.close_all()

    def __enter__(self) -> Held:
        self.thread.start()
        assert self.done.wait(60)
        assert not self.errors, self.errors
        return self

    def __exit__(self, *exc) -> None:
        self.may_commit.set()
        self.thread.join(60)
        assert not self.errors, self.errors


def finishes_alone(work: Callable[[], object], seconds: float = 30) -> bool:
    """Run `work()` in another thread (its own connection, committing on its
    own); True when it finished within `seconds`."""
    errors: list = []

    def run():
        try:
            work()
        except Exception as error:  # noqa: BLE001 - re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(seconds)
    if errors:
        raise errors[0]
    return not thread.is_alive()


@pytest.fixture
def world():
    procedure = make_procedure()
    receiver = lifecycle.Actor.staff(make_staff("tiep-nhan", procedure.agency, lifecycle.RECEIVER))
    citizen = make_citizen("dong-thoi")
    return procedure, receiver, citizen


def _receive(dossier: Dossier, actor) -> Callable[[], object]:
    return lambda: lifecycle.receive(Dossier.objects.get(pk=dossier.pk), actor)


def _received_today(procedure) -> int:
    return sum(n for (day, agency, proc, _channel, outcome), n in summed(DailyFact).items()
               if proc == procedure.pk and outcome == Outcome.RECEIVED)


def _facts_as_rebuilt() -> bool:
    current = {model: summed(model) for model in facts.FACT_MODELS}
    facts.rebuild()
    return {model: summed(model) for model in facts.FACT_MODELS} == current


def test_two_receipts_of_one_procedure_at_one_agency_on_one_day_do_not_wait_for_each_other(world):
    procedure, receiver, citizen = world
    x, y = submit(procedure, citizen), submit(procedure, citizen)
    with Held(_receive(x, receiver)):
        # X's receipt (its PDF, its facts) is written and not committed; Y's
        # adds to the same keys (day, agency, procedure, channel, received / due).
        assert finishes_alone(_receive(y, receiver)), "Y's receipt waited for X's transaction"
        assert _received_today(procedure) == 1
    assert _received_today(procedure) == 2
    assert _facts_as_rebuilt()


def test_the_compaction_does_not_wait_for_an_open_change_and_leaves_it_for_the_next_run(world):
    procedure, receiver, citizen = world
    committed = [submit(procedure, citizen) for _ in range(2)]
    for dossier in committed:
        _receive(dossier, receiver)()
    open_one = submit(procedure, citizen)
    with Held(_receive(open_one, receiver)):
        assert finishes_alone(facts.compact), "the compaction waited for an open transaction"
        received = DailyFact.objects.filter(procedure=procedure, outcome=Outcome.RECEIVED)
        assert list(received.values_list("count", "delta")) == [(2, False)]
    # The open change committed after the compaction read the key: kept, beside the merged row.
    assert sorted(received.values_list("count", "delta")) == [(1, True), (2, False)]
    assert _received_today(procedure) == 3
    facts.compact()
    assert list(received.values_list("count", "delta")) == [(3, False)]
    assert _facts_as_rebuilt()


def test_compactions_and_changes_at_once_lose_and_double_nothing(world):
    procedure, receiver, citizen = world
    waiting = [submit(procedure, citizen) for _ in range(6)]
    for dossier in waiting[:3]:
        _receive(dossier, receiver)()
    barrier = threading.Barrier(5)
    errors: list = []

    def together(work):
        def run():
            try:
                barrier.wait(30)
                work()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connections.close_all()
        return threading.Thread(target=run)

    threads = [together(facts.compact) for _ in range(2)]
    threads += [together(_receive(dossier, receiver)) for dossier in waiting[3:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive(), "a worker is stuck"
    assert not errors, errors
    assert _received_today(procedure) == 6
    assert _facts_as_rebuilt()
