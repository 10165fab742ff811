"""Benchmark: the API's change feed (a page of 100 dossiers from a cursor)
and one dossier, on a table of 1,000,000 dossiers over 50 agencies.

Runs in-process with Django's test client through the whole stack
(middleware, OAuth 2.0 bearer token, ninja, the schemas' validation) on
its own database: SQLite under `bench/.data/api/` by default (reused by the
next run), or PostgreSQL when DATABASE_URL is set (give it a database of its
own, never `test`). The dossiers are filled like bench/inbox.py's (the same
code: `bench.inbox.fill`, batches of 10,000 with `bulk_create`, events for
the first agency's dossiers), then the API's change table gets one row per
dossier, in submission order, as the receivers of `api.changes` would have
written it. In order:

1. page (timed): an API client of the first agency (20,000 dossiers, spread
   thin over the whole change table) reads `GET /api/v1/dossiers?limit=100`
   from several starting points (the start, and cursors spread over the
   feed), walking a few pages from each.
2. one (timed): the same client reads `GET /api/v1/dossiers/{code}` (the
   form's labels, files, documents with signed links, history, allowed
   actions) for dossiers of its agency in turn.

Every timed request is warm (the same kind of request ran before); the very
first one of each kind is printed apart as "cold". Prints the query plan of
the feed's query, the figures, and as its last line
`api dossiers=… page_p95_ms=… one_p95_ms=…`.

    .venv/bin/python bench/api.py [--dossiers 1000000] [--requests 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.inbox import AGENCIES, fill, p95, setup_django, summary, world  # noqa: E402

DEFAULT_WORKDIR = ROOT / "bench" / ".data" / "api"
PAGE = 100
STARTS = 10  # starting points of the feed walks
WALK = 5  # pages read from each


def fill_changes() -> None:
    """One change row per dossier that has none, oldest submission first
    (one INSERT … SELECT: the rows the receivers would have written)."""
    from django.db import connection, transaction

    from api.models import DossierChange
    from eforms.models import Dossier

    if DossierChange.objects.count() >= Dossier.objects.count():
        return
    started = time.perf_counter()
    change, dossier = DossierChange._meta.db_table, Dossier._meta.db_table
    # PostgreSQL: transaction ids long past (below any snapshot's horizon), growing with the dossiers.
    txid = "0" if connection.vendor == "sqlite" else "1 + d.id / 100"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{change}" (dossier_id, agency_id, txid, at) '
            f'SELECT d.id, d.agency_id, {txid}, d.submitted_at FROM "{dossier}" d '
            f'WHERE d.status <> %s AND NOT EXISTS (SELECT 1 FROM "{change}" c WHERE c.dossier_id = d.id) '
            f"ORDER BY d.submitted_at, d.id",
            ["draft"],
        )
    print(f"  filled the change table ({time.perf_counter() - started:.0f} s)", flush=True)


def api_client(agency):
    """An API client of `agency` with every scope, and a bearer token from /o/token/."""
    import base64

    from django.test import Client

    from api import oauth

    _client, credentials = oauth.register(name="Bench một cửa", agency=agency,
                                          scopes=["catalogue:read", "dossiers:read", "dossiers:write"])
    http = Client()
    basic = base64.b64encode(f"{credentials.client_id}:{credentials.client_secret}".encode()).decode()
    answer = http.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}")
    if answer.status_code != 200:
        raise SystemExit(f"the token endpoint answered {answer.status_code}: {answer.content[:200]!r}")
    return http, {"HTTP_AUTHORIZATION": f"Bearer {answer.json()['access_token']}"}


def explain_feed(agency_ids: list[int], cursor) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from api import changes

    with CaptureQueriesContext(connection) as captured:
        changes.read(agency_ids, cursor, PAGE)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    print(f"the feed's queries ({len(captured.captured_queries)}), with the change table's plan:")
    for query in captured.captured_queries:
        print(f"  {query['sql'][:160]}…")
        if "api_dossierchange" in query["sql"]:
            with connection.cursor() as db:
                db.execute(prefix + query["sql"])
                print("\n".join("    " + " | ".join(str(c) for c in row) for row in db.fetchall()))


def timed(http, path: str, headers: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    answer = http.get(path, **headers)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"{path} answered {answer.status_code}: {answer.content[:300]!r}")
    return elapsed, answer.json()


def bench_pages(http, headers, agency, count: int) -> tuple[float, list[float]]:
    """Walks of WALK pages from STARTS points spread over the agency's part of the feed."""
    from api.changes import Cursor
    from api.models import DossierChange

    seqs = list(DossierChange.objects.filter(agency=agency).order_by("txid", "seq").values_list("txid", "seq"))
    # Starting points from the start to 80 % of the agency's feed, so every walk reads full pages.
    starts = [None] + [Cursor(*seqs[len(seqs) * 8 * n // (10 * STARTS)]) for n in range(1, STARTS)]
    cold, _page = timed(http, f"/api/v1/dossiers?limit={PAGE}", headers)
    times: list[float] = []
    while len(times) < count:
        if len(seqs) < PAGE:
            raise SystemExit("the agency holds fewer dossiers than a page")
        for start in starts:
            cursor = start.encode() if start else ""
            for _step in range(WALK):
                elapsed, page = timed(http, f"/api/v1/dossiers?limit={PAGE}&cursor={cursor}", headers)
                if len(page["items"]) != PAGE:  # the feed's end (a small --dossiers): a full page only counts
                    break
                times.append(elapsed)
                cursor = page["next_cursor"]
    return cold, times[:count]


def bench_one(http, headers, agency, count: int) -> tuple[float, list[float]]:
    from eforms.models import Dossier

    codes = list(Dossier.objects.filter(agency=agency).order_by("pk").values_list("code", flat=True)[:20000:97])
    cold, _dossier = timed(http, f"/api/v1/dossiers/{codes[-1]}", headers)
    for code in codes[:5]:  # warm
        timed(http, f"/api/v1/dossiers/{code}", headers)
    times = [timed(http, f"/api/v1/dossiers/{codes[n % len(codes)]}", headers)[0] for n in range(count)]
    return cold, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="timed samples of each kind")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    setup_django(args.workdir)

    from django.db import connection

    from api.changes import Cursor
    from api.models import DossierChange
    from eforms.models import Dossier, DossierEvent

    agencies, procedures, staff = world()
    fill(args.dossiers, agencies, procedures, staff)
    fill_changes()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    agency = agencies[0]
    total = Dossier.objects.count()
    print(f"database: {connection.vendor}; dossiers: {total:,}; change rows: {DossierChange.objects.count():,}; "
          f"events: {DossierEvent.objects.count():,}; agencies: {AGENCIES}; the client's agency holds "
          f"{Dossier.objects.filter(agency=agency).count():,} dossiers")
    rows = DossierChange.objects.filter(agency=agency).order_by("txid", "seq").values_list("txid", "seq")
    middle = rows[rows.count() // 2]
    explain_feed([agency.pk], Cursor(*middle))
    http, headers = api_client(agency)
    page_cold, page_times = bench_pages(http, headers, agency, args.requests)
    one_cold, one_times = bench_one(http, headers, agency, args.requests)
    print(f"page cold (first request of the run): {page_cold:.1f} ms; one cold: {one_cold:.1f} ms")
    print(summary(f"page (GET /api/v1/dossiers, {PAGE} a page, {STARTS} starting points x {WALK} pages, warm, "
                  "Django test client in-process)", page_times))
    print(summary("one (GET /api/v1/dossiers/{code}, warm, Django test client in-process)", one_times))
    print(f"api dossiers={total} page_p95_ms={p95(page_times):.1f} one_p95_ms={p95(one_times):.1f}")


if __name__ == "__main__":
    main()
