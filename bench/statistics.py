"""Benchmark: rebuilding the statistics' facts from 1,000,000 dossiers, and
answering the statistics page for a mix of filtered permalinks.

Runs on a database of its own: a SQLite file in a fresh temporary
directory by default (`--workdir DIR` keeps and reuses one), or
PostgreSQL when DATABASE_URL is set (give it a database of its own, never
`test`). In order:

1. fill: the dossier table is brought to `--dossiers` rows, bulk-created in
   batches (the facts are not kept current by a bulk insert: that is what
   the rebuild is for), over 50 agencies and 40 procedures (each its own
   field; processing times of 1 to 20 working days), the four channels
   (online 55 %, desk 33 %, post 6 %, home service 6 %) and the three years
   before today: older dossiers are settled (returned, completed, a few
   refused, cancelled or invalid; about 9 in 10 on time, some extended by
   form 04 and late), the last weeks' still open (some waiting for a
   supplement, some overdue, some not yet received).
2. rebuild (timed): `reports.facts.rebuild()`, the work of `manage.py
   rebuild_statistics`. Target: under 120 s.
3. compaction (timed): `--changes` dossier changes (default 10,000: a
   busy day's receipts, far more than the ten minutes between two scheduled
   runs see) appended to the facts as `reports.facts.upkeep` appends them
   (received and due, on the last 30 days, over the same agencies,
   procedures and channels), then `reports.facts.compact()`, the work of
   `manage.py compact_statistics`, merges them into the rebuilt rows.
4. page (timed): `/statistics/` for a mix of filtered permalinks (a year,
   a quarter, a month, one agency, one field, a range between two dates),
   with Django's test client (the whole stack: middleware, the form, the
   figures, the template). Cold: the statistics cache emptied before each
   request, so every figure is computed from the facts (what the first
   visitor of a view waits after a refresh); warm: each permalink visited
   once untimed, then the same mix timed with the views cached. In service
   a view is rebuilt at most once per `PORTAL_STATISTICS_REFRESH_SECONDS`
   (60 s) whatever the stream of dossier events, so visitors meet the warm
   figure: the p95 on the last line is the warm one, the cold one is
   printed on the line before it.

Prints the table sizes, the samples and the times, and as its last line
`statistics dossiers=… page_p95_ms=… rebuild_seconds=…`.

    .venv/bin/python bench/statistics.py [--dossiers 1000000] [--changes 10000] [--samples 200] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is named like the standard library's `statistics`: run as a
# script, its folder must not shadow that module.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

AGENCIES = 50
PROCEDURES = 40
BATCH = 10_000
YEARS = 3
SERIES = 7  # bench.catalogue codes: 000.7x.xx.H30 and 7.000nnn


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summary(name: str, values: list[float]) -> str:
    return f"{name}: n={len(values)} median={median(values):.1f} ms p95={p95(values):.1f} ms max={max(values):.1f} ms"


def setup_django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    elif url.rstrip("/").rsplit("/", 1)[-1] in ("test", "portal"):
        raise SystemExit("DATABASE_URL must name a database of the bench's own")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def world():
    """The bench's agencies and procedures (made once, kept), with processing
    times of 1 to 20 working days."""
    from decimal import Decimal

    from bench.catalogue import agencies_and_procedures
    from procedures.models import ProcedurePage

    agencies, procedures = agencies_and_procedures(SERIES, AGENCIES, PROCEDURES)
    days = (1, 2, 3, 5, 7, 10, 15, 20)
    for n, procedure in enumerate(procedures):
        wanted = Decimal(days[n % len(days)])
        if procedure.processing_time != wanted:
            ProcedurePage.objects.filter(pk=procedure.pk).update(processing_time=wanted)
            procedure.processing_time = wanted
    return agencies, procedures


def _working(moment: dt.datetime) -> dt.datetime:
    """Moved off the weekend (the bench does not read the holiday calendar)."""
    while moment.weekday() >= 5:
        moment += dt.timedelta(days=1)
    return moment


def _plus_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    weeks, rest = divmod(days, 5)
    moment += dt.timedelta(days=7 * weeks)
    for _ in range(rest):
        moment += dt.timedelta(days=1)
        moment = _working(moment)
    return moment


def dossier_row(i: int, rng: random.Random, now: dt.datetime, agencies, procedures) -> dict:
    """One dossier's dates and status, as a working agency's would be."""
    n = i % PROCEDURES
    procedure = procedures[n]
    # each procedure is received by 1 to 6 agencies, as a catalogue's are
    receivers = [agencies[(3 * n + 11 * k) % AGENCIES] for k in range(1 + n % 6)]
    agency = receivers[rng.randrange(len(receivers))]
    draw = rng.random()
    channel = ("online" if draw < 0.55 else "desk" if draw < 0.88 else "post" if draw < 0.94 else "home_service")
    age_days = rng.random() * 365 * YEARS
    submitted = _working(now - dt.timedelta(days=age_days, minutes=rng.randrange(600)))
    if submitted > now:
        submitted = now - dt.timedelta(hours=1)
    row = {"procedure_id": procedure.pk, "agency_id": agency.pk, "channel": channel, "submitted_at": submitted,
           "status": "submitted", "received_at": None, "appointment_at": None, "original_appointment_at": None,
           "completed_at": None, "returned_at": None, "closed_at": None}
    fate = rng.random()
    if channel in ("online", "home_service") and fate < 0.03:
        row.update(status="rejected", closed_at=submitted + dt.timedelta(hours=4))
        return row
    received = submitted if channel in ("desk", "post") else _working(submitted + dt.timedelta(hours=rng.randrange(1, 30)))
    if received > now:
        return row  # not yet received
    days = int(procedure.processing_time)
    appointment = _plus_working_days(received, days)
    row.update(status="received", received_at=received, appointment_at=appointment)
    if fate < 0.045:
        closed = received + dt.timedelta(days=rng.randrange(1, 6))
        if closed <= now:
            row.update(status="cancelled" if fate < 0.04 else "invalid", closed_at=closed)
        return row
    late = fate > 0.9
    extended = fate > 0.965
    if late:
        completed = _plus_working_days(appointment, rng.randrange(1, 8))
    else:
        completed = received + (appointment - received) * (0.2 + 0.8 * rng.random())
    if extended:
        row["original_appointment_at"] = appointment
        row["appointment_at"] = _plus_working_days(appointment, 10)
    if completed > now:
        if fate < 0.06:
            row["status"] = "needs_supplement"
        elif received < now - dt.timedelta(hours=2):
            row["status"] = "processing"
        return row
    row.update(status="completed", completed_at=completed)
    returned = completed + dt.timedelta(hours=rng.randrange(2, 120))
    if returned <= now and rng.random() < 0.95:
        row.update(status="returned", returned_at=returned, closed_at=returned)
    return row


def fill(total: int, agencies, procedures) -> None:
    """Bulk insert as plain value tuples: every column of a dossier made
    with its defaults, the planned ones (dates, status, channel, agency,
    procedure, code) per row."""
    from django.db import connection, transaction
    from django.utils import timezone

    from eforms.models import Dossier

    existing = Dossier.objects.count()
    if existing >= total:
        return
    now = timezone.now()
    rng = random.Random(2026)
    for _ in range(existing):
        dossier_row(0, rng, now, agencies, procedures)  # the same draws as a run from empty
    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key]
    template = Dossier(procedure=procedures[0], agency=agencies[0], language="vi")
    defaults = {f.attname: f.pre_save(template, True) for f in fields}
    per_row = [f for f in fields if f.unique and f.has_default()]  # the public id: a new one each
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(Dossier._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    started = time.perf_counter()
    for first in range(existing, total, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, total)):
            row = dossier_row(i, rng, now, agencies, procedures)
            code = f"BENCH-STAT-{i:08d}"
            fresh = {f.attname: f.get_default() for f in per_row}
            values = {**defaults, **fresh, "code": code, "applicant_name": f"Người nộp {i}",
                      "idempotency_key": f"bench-statistics-{i}", "search_text": code.lower(),
                      **row}
            rows.append(tuple(f.get_db_prep_save(values[f.attname], connection) for f in fields))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        done = min(first + BATCH, total)
        if done % 100_000 == 0 or done == total:
            print(f"  filled {done:,} dossiers ({time.perf_counter() - started:.0f} s)", flush=True)


# --- compaction ----------------------------------------------------------------------------------


def append_changes(total: int, agencies, procedures) -> None:
    """`total` receipts' changes appended to the facts as the upkeep does
    (one `apply_delta` each: a received and a due row per table), in
    transactions of 1,000."""
    from collections import Counter

    from django.db import transaction
    from django.utils import timezone

    from reports import facts

    rng = random.Random(766)
    today = timezone.localdate()
    for first in range(0, total, 1000):
        with transaction.atomic():
            for _ in range(first, min(first + 1000, total)):
                n = rng.randrange(PROCEDURES)
                receivers = [agencies[(3 * n + 11 * k) % AGENCIES] for k in range(1 + n % 6)]
                agency = receivers[rng.randrange(len(receivers))]
                channel = rng.choice(("online", "desk", "post", "home_service"))
                day = today - dt.timedelta(days=rng.randrange(30))
                key = (agency.pk, procedures[n].pk, channel)
                facts.apply_delta(Counter({(key, day, "received"): 1,
                                           (key, day + dt.timedelta(days=1 + n % 20), "due"): 1}))


# --- the page ------------------------------------------------------------------------------------


def permalinks(agencies, procedures, today: dt.date) -> list[dict]:
    """The filtered views timed, as the page's query parameters."""
    from procedures.models import Field

    year = today.year - 1
    fields = {f.pk: f.code for f in Field.objects.all()}
    used_fields = sorted({fields[p.field_id] for p in procedures})
    return [
        {"period": "year", "year": year},
        {"period": "year", "year": today.year},
        {"period": "quarter", "year": year, "quarter": 2},
        {"period": "quarter", "year": year, "quarter": 4},
        {"period": "month", "year": year, "month": 3},
        {"period": "month", "year": today.year, "month": max(1, today.month - 1)},
        {"period": "year", "year": year, "agency": agencies[3].unit_code},
        {"period": "year", "year": year, "agency": agencies[17].unit_code},
        {"period": "year", "year": year, "field": used_fields[0]},
        {"period": "year", "year": year, "field": used_fields[-1]},
        {"period": "range", "start": f"{year}-03-10", "end": f"{year}-09-20"},
        {"period": "range", "start": f"{year - 1}-11-15", "end": f"{year}-02-14"},
    ]


def timer():
    from django.test import Client

    client = Client()

    def request(params: dict) -> None:
        response = client.get("/statistics/", params)
        if response.status_code != 200:
            raise SystemExit(f"/statistics/ answered {response.status_code} for {params}")

    return request


def bench_page(request, links: list[dict], samples: int, cold: bool) -> list[float]:
    from reports.facts import statistics_cache

    if not cold:
        for params in links:  # fill the cache: the warm pass times cached views only
            request(params)
    times = []
    for n in range(samples + 5):
        params = links[n % len(links)]
        if cold:
            statistics_cache.invalidate()
        started = time.perf_counter()
        request(params)
        elapsed = (time.perf_counter() - started) * 1000
        if n >= 5:
            times.append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the SQLite database here (reused by the next run); default: a fresh temp dir")
    args = parser.parse_args()
    if args.workdir is None:
        args.workdir = Path(tempfile.mkdtemp(prefix="bench-statistics-"))
    args.workdir.mkdir(parents=True, exist_ok=True)
    setup_django(args.workdir)

    from django.db import connection
    from django.utils import timezone

    from eforms.models import Dossier
    from reports import facts
    from reports.models import DailyFact, DossierTally, MonthlyFact

    agencies, procedures = world()
    started = time.perf_counter()
    fill(args.dossiers, agencies, procedures)
    print(f"fill: {time.perf_counter() - started:.0f} s", flush=True)
    total = Dossier.objects.count()

    started = time.perf_counter()
    result = facts.rebuild()
    rebuild_seconds = time.perf_counter() - started
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"database: {connection.vendor} ({args.workdir if connection.vendor == 'sqlite' else 'DATABASE_URL'}); "
          f"dossiers: {total:,}; counted: {result.dossiers:,}; tallies: {DossierTally.objects.count():,}; "
          f"daily facts: {DailyFact.objects.count():,}; monthly facts: {MonthlyFact.objects.count():,}")
    print(f"rebuild: {rebuild_seconds:.1f} s (target < 120 s)", flush=True)

    started = time.perf_counter()
    append_changes(args.changes, agencies, procedures)
    appended = time.perf_counter() - started
    rows = sum(model.objects.count() for model in facts.FACT_MODELS)
    started = time.perf_counter()
    compacted = facts.compact()
    print(f"compaction: {args.changes:,} changes appended in {appended:.1f} s ({rows:,} fact rows then); "
          f"compact() merged {compacted.keys:,} keys ({compacted.rows_read:,} rows read, "
          f"{compacted.rows_written:,} written) in {time.perf_counter() - started:.1f} s", flush=True)

    links = permalinks(agencies, procedures, timezone.localdate())
    request = timer()
    print(f"page: GET /statistics/ with Django's test client; {len(links)} permalinks in turn: " + "; ".join(
        "&".join(f"{k}={v}" for k, v in link.items()) for link in links))
    cold = bench_page(request, links, args.samples, cold=True)
    warm = bench_page(request, links, args.samples, cold=False)
    print(summary("page, cold cache (every figure computed from the facts)", cold))
    print(summary("page, warm cache (the views cached, as visitors meet them between refreshes)", warm))
    print(f"cold p95 {p95(cold):.1f} ms (every figure from the facts); the last line's page_p95_ms is the warm one")
    print(f"statistics dossiers={total} page_p95_ms={p95(warm):.1f} rebuild_seconds={rebuild_seconds:.1f}")


if __name__ == "__main__":
    main()
