"""Races the code claims to win, tried for real: separate database
connections (one per thread) on PostgreSQL, whose row locks are what the
services rely on. SQLite serialises every writer, so there is nothing to
try there; these run in CI's PostgreSQL pass."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction

from eforms import lifecycle
from eforms.models import Dossier, DossierCodeCounter, DossierEvent, DossierStatus
from eforms.services import submit_dossier
from tests.databases import postgresql_only, waiting_for_a_lock
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
    # A copy that found no dossier yet took a number before its transaction;
    # the losers' numbers are gaps, never given again.
    taken = DossierCodeCounter.objects.get().last_value
    assert 1 <= int(dossier.code.rsplit("-", 1)[1]) <= taken <= 6
    assert submit(procedure, citizen).code.endswith(f"-{taken + 1:04d}")


@pytest.mark.usefixtures("vietnamese")  # the clerks' threads speak the default language
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


# ---------------------------------------------------------------- nothing held through a submission


def _scan():
    from eforms.file_kinds import UploadRules
    from eforms.uploads import check_file
    from tests.dossier_factories import pdf_bytes, upload

    return check_file(upload("to-khai.pdf", pdf_bytes("To khai")), UploadRules.default(), "scans")


def _at_the_desk(procedure, receiver, key: str):
    """A paper dossier entered and received at once: the code, the scans, the
    receipt (form 01, its PDF signed), the statistics' facts, the procedure's use."""
    from eforms.services import submit_at_desk

    return submit_at_desk(procedure=procedure, agency=procedure.agency, receiver=receiver,
                          snapshot={"full_name": "Trần Thị Bình", "id_number": "001099012345"},
                          scans=[_scan()], idempotency_key=key).dossier


def _paused_before_its_commit(work, made, may_commit, errors):
    """Run `work()` in this thread, pausing its connection's commit of the
    transaction that wrote a dossier event (everything done, every lock
    still held) until `may_commit` is set; `made` is set at the pause."""
    from django.db.models.signals import post_save

    wrapper = connections["default"]
    wrote_an_event = threading.Event()
    me = threading.current_thread()

    def event_saved(sender, **kwargs):
        if threading.current_thread() is me:
            wrote_an_event.set()

    def commit(original=wrapper.commit):
        if wrote_an_event.is_set() and not made.is_set():
            made.set()
            assert may_commit.wait(60)
        original()

    post_save.connect(event_saved, sender=DossierEvent, weak=False, dispatch_uid="test-races-paused")
    wrapper.commit = commit
    try:
        work()
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)
        made.set()
    finally:
        del wrapper.commit
        post_save.disconnect(sender=DossierEvent, dispatch_uid="test-races-paused")
        connections.close_all()


def test_a_desk_intake_does_not_wait_for_another_ones_commit():
    """The first intake has done everything (its code, its receipt, its facts,
    the procedure's use) and is about to commit; a second one for the same
    procedure, agency and day completes meanwhile: no counter, fact or
    procedure row is held to the end of a submission."""
    procedure = make_procedure()
    receiver = make_staff("tiep-nhan", procedure.agency, lifecycle.RECEIVER)
    made, may_commit, errors = threading.Event(), threading.Event(), []
    first = threading.Thread(target=_paused_before_its_commit, args=(
        lambda: _at_the_desk(procedure, receiver, "first"), made, may_commit, errors))
    first.start()
    try:
        assert made.wait(60) and not errors, errors
        second_errors: list = []

        def second():
            try:
                _at_the_desk(procedure, receiver, "second")
            except Exception as error:  # noqa: BLE001 - reported below
                second_errors.append(error)
            finally:
                connections.close_all()

        other = threading.Thread(target=second)
        other.start()
        other.join(30)
        second_done_first = not other.is_alive()
    finally:
        may_commit.set()
        first.join(60)
    other.join(60)
    assert second_done_first, "the second intake waited for the first one's commit"
    assert not errors and not second_errors, (errors, second_errors)
    codes = dict(Dossier.objects.values_list("idempotency_key", "code"))
    assert codes["first"].endswith("-0001") and codes["second"].endswith("-0002")
    procedure.refresh_from_db()
    assert procedure.usage_count == 2


def test_many_desk_intakes_at_once_for_one_procedure_all_succeed_with_distinct_codes():
    from reports import facts
    from reports.models import DailyFact, Outcome

    procedure = make_procedure()
    receiver = make_staff("tiep-nhan", procedure.agency, lifecycle.RECEIVER)
    total, workers = 16, 4

    def worker(index):
        return lambda: [_at_the_desk(procedure, receiver, f"desk-{n}").code for n in range(index, total, workers)]

    threads, results, errors = run_together(*[worker(i) for i in range(workers)])
    join(threads)
    assert errors == [None] * workers
    codes = [code for codes in results for code in codes]
    assert len(codes) == len(set(codes)) == total
    assert sorted(int(code.rsplit("-", 1)[1]) for code in codes) == list(range(1, total + 1))
    assert Dossier.objects.filter(status=DossierStatus.RECEIVED).count() == total
    received = DailyFact.objects.filter(procedure=procedure, outcome=Outcome.RECEIVED)
    assert sum(received.values_list("count", flat=True)) == total
    procedure.refresh_from_db()
    assert procedure.usage_count == total
    facts.compact()
    assert list(received.values_list("count", flat=True)) == [total]
