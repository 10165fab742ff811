"""Races the code claims to win, tried for real: separate database
connections (one per thread) on PostgreSQL, whose row locks are what the
services rely on. SQLite serialises every writer, so there is nothing to
try there; these run in CI's PostgreSQL pass."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from eforms import lifecycle
from eforms.models import Dossier, DossierEvent, DossierStatus
from eforms.services import submit_dossier
from tests.databases import postgresql_only
from tests.dossier_factories import make_citizen, make_procedure, make_staff, submit

pytestmark = [postgresql_only(), pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Run each call in its own thread (so its own connection), released at
    the same moment; returns (results, errors) in the order of `calls`."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    return threads, results, errors


def join(threads) -> None:
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a worker is stuck"


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def test_the_same_submission_sent_twice_at_once_makes_one_dossier():
    procedure = make_procedure()
    citizen = make_citizen("hai-lan-bam")

    def send():
        return submit_dossier(procedure=procedure, agency=procedure.agency, applicant=citizen,
                              form_data={"purpose": "Xin việc"}, idempotency_key="one-click-twice",
                              login_method="email")

    threads, results, errors = run_together(*[send] * 6)
    join(threads)
    assert errors == [None] * 6
    assert Dossier.objects.count() == 1
    dossier = Dossier.objects.get()
    assert {r.dossier.pk for r in results} == {dossier.pk}
    assert sum(r.created for r in results) == 1
    assert DossierEvent.objects.filter(dossier=dossier, action="submit").count() == 1
    assert dossier.code.endswith("-0001")


def test_two_clerks_acting_on_one_dossier_at_once_one_wins_the_other_is_told_why():
    procedure = make_procedure()
    dossier = submit(procedure, make_citizen("mot-ho-so"))
    receiver = lifecycle.Actor.staff(make_staff("tiep-nhan", procedure.agency, lifecycle.RECEIVER))
    leader = lifecycle.Actor.staff(make_staff("lanh-dao", procedure.agency, lifecycle.LEADER))

    # Hold the dossier's row until both clerks are queued behind it, so they
    # really act at the same moment, then let them go.
    with transaction.atomic():
        Dossier.objects.select_for_update().get(pk=dossier.pk)
        threads, results, errors = run_together(
            lambda: lifecycle.receive(Dossier.objects.get(pk=dossier.pk), receiver),
            lambda: lifecycle.reject(Dossier.objects.get(pk=dossier.pk), leader, "Không thuộc thẩm quyền."),
        )
        deadline = time.monotonic() + 10
        while waiting_for_a_lock() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    join(threads)

    assert [e is None for e in errors].count(True) == 1, errors
    loser = next(e for e in errors if e is not None)
    assert isinstance(loser, lifecycle.TransitionNotAllowed)
    dossier.refresh_from_db()
    assert dossier.status in (DossierStatus.RECEIVED, DossierStatus.REJECTED)
    # The refusal names the dossier and the status the loser found.
    assert dossier.code in loser.message and str(dossier.status_label) in loser.message
    history = list(dossier.events.exclude(action__in=["submit", "issue_document"]).values_list("action", flat=True))
    assert len(history) == 1 and history[0] in ("receive", "reject")
    # The winner's document (01 or 03) only.
    assert list(dossier.documents.values_list("kind", flat=True)) == ["01" if history[0] == "receive" else "03"]
