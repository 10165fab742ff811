"""The change feed's cursor: paging through while dossiers change between
pages skips nothing and repeats nothing, and on PostgreSQL a change whose
transaction is still open holds the cursor back instead of being jumped."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from api import changes
from eforms import lifecycle
from eforms.models import Dossier
from tests.api.conftest import make_caller, submitted_dossier, wait_for_the_feed_horizon
from tests.databases import postgresql_only
from tests.dossier_factories import make_citizen


def page_through(caller, cursor=None, limit=3, between=None):
    """Every (code, status) the feed gives, page by page, calling
    `between(page_number)` after each page."""
    seen, number = [], 0
    while True:
        answer = caller.get("/api/v1/dossiers", QUERY_STRING=f"limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status_code == 200, answer.content
        body = answer.json()
        seen += [(item["code"], item["status"]) for item in body["items"]]
        cursor = body["next_cursor"]
        number += 1
        if between:
            between(number)
        if not body["has_more"]:
            return seen, cursor


def test_paging_while_dossiers_change_skips_and_repeats_nothing(world):
    a = world["a"]
    citizen = make_citizen("nhieu-ho-so", id_number="001099054321")
    more = [submitted_dossier(world["procedure_a"], citizen) for _ in range(7)]
    everything = [world["dossier_a"], *more]
    actor = lifecycle.Actor.api_client("test", world["agency_a"])
    changed_after_seen = []

    def between(page_number):
        if page_number == 1:
            # one already delivered, one not yet: both change now
            seen_one, unseen_one = everything[0], everything[-1]
            lifecycle.receive(seen_one, actor)
            lifecycle.receive(unseen_one, actor)
            changed_after_seen.append(seen_one.code)
        if page_number == 2:
            lifecycle.reject(everything[3], actor, reason="Thiếu giấy tờ")

    seen, cursor = page_through(a, between=between)
    codes = [code for code, _status in seen]
    assert set(codes) == {d.code for d in everything}, "a dossier was skipped"
    assert world["dossier_b"].code not in codes
    # A dossier comes again only after it changed again, and then in its new state.
    assert len(seen) == len(set(seen)), f"a state was delivered twice: {seen}"
    repeated = {code for code in codes if codes.count(code) > 1}
    assert repeated <= {everything[0].code, everything[3].code}
    assert repeated >= set(changed_after_seen)
    final = dict(seen)
    for dossier in everything:
        dossier.refresh_from_db()
        assert final[dossier.code] == dossier.status
    # Nothing new: the same cursor, an empty page; the next change comes once.
    again = a.get("/api/v1/dossiers", QUERY_STRING=f"cursor={cursor}").json()
    assert again["items"] == [] and again["next_cursor"] == cursor and not again["has_more"]
    lifecycle.mark_invalid(everything[1], actor, reason="Sai dữ liệu")
    later = a.get("/api/v1/dossiers", QUERY_STRING=f"cursor={cursor}").json()
    assert [(i["code"], i["status"]) for i in later["items"]] == [(everything[1].code, "invalid")]


def test_a_bad_cursor_or_limit_is_a_problem(world):
    a = world["a"]
    bad = a.get("/api/v1/dossiers", QUERY_STRING="cursor=not-a-cursor")
    assert bad.status_code == 400
    assert bad.json()["type"].endswith("/invalid-cursor")
    assert a.get("/api/v1/dossiers", QUERY_STRING="limit=0").status_code == 422
    assert a.get("/api/v1/dossiers", QUERY_STRING="limit=501").status_code == 422


def test_drafts_never_enter_the_feed(world):
    from eforms.models import DossierStatus

    draft = Dossier.objects.create(procedure=world["procedure_a"], agency=world["agency_a"],
                                   status=DossierStatus.DRAFT)
    seen, _cursor = page_through(world["a"], limit=50)
    assert draft.pk not in {d.pk for d in Dossier.objects.filter(code__in=[c for c, _ in seen])}
    assert len(seen) == 1


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_an_open_transaction_holds_the_cursor_back_on_postgresql():
    """T1 changes dossier X and stays open; T2 changes Y and commits. The
    feed must not hand out Y (and a cursor past it) before T1 ends, or X
    would be skipped when T1 commits."""
    from tests.dossier_factories import JUSTICE_CODE, make_agency, make_procedure

    agency = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    procedure = make_procedure("1.001193", agency=agency)
    citizen = make_citizen("giao-dich")
    # One procedure, one agency, one day: the statistics' facts are appended
    # (reports.facts), so T2's receipt does not wait for T1's.
    x, y = submitted_dossier(procedure, citizen), submitted_dossier(procedure, citizen)
    caller = make_caller(agency)
    start = caller.get("/api/v1/dossiers", QUERY_STRING="limit=50").json()["next_cursor"]
    actor = lifecycle.Actor.api_client("test", agency)
    t1_wrote, t1_may_commit, errors = threading.Event(), threading.Event(), []

    def t1():
        try:
            with transaction.atomic():
                lifecycle.receive(Dossier.objects.get(pk=x.pk), actor)
                t1_wrote.set()
                assert t1_may_commit.wait(30)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=t1)
    thread.start()
    assert t1_wrote.wait(30)

    def t2():
        try:
            lifecycle.receive(Dossier.objects.get(pk=y.pk), actor)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    other = threading.Thread(target=t2)
    other.start()
    other.join(30)
    t2_committed_while_t1_open = not other.is_alive()
    page = caller.get("/api/v1/dossiers", QUERY_STRING=f"cursor={start}").json()
    t1_may_commit.set()
    thread.join(30)
    other.join(30)
    assert t2_committed_while_t1_open, "T2 waited for T1's open transaction"
    assert page["items"] == [] and page["next_cursor"] == start
    assert not errors, errors
    wait_for_the_feed_horizon()
    page = caller.get("/api/v1/dossiers", QUERY_STRING=f"cursor={start}").json()
    assert {i["code"] for i in page["items"]} == {x.code, y.code}
    assert changes.Cursor.decode(page["next_cursor"]).seq > changes.Cursor.decode(start).seq
