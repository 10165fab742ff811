"""Benchmark: the back office's inbox and a dossier's scoped fetch on a
table of 1,000,000 dossiers over 50 agencies.

Runs in-process with Django's test client through the whole admin stack
(middleware, the staff second factor passed, templates) on its own
database: SQLite under `bench/.data/inbox/` by default (reused by the next
run), or PostgreSQL when DATABASE_URL is set (give it a database of its
own, never `test`). In order:

1. fill: the dossier table is brought to `--dossiers` rows, bulk-created in
   batches of 10,000 with every column the inbox reads (the folded search
   column included): statuses spread like a working agency's, due dates
   from a month ago to a month ahead, handlers assigned to a third. Events
   are written for the first agency's dossiers only (the timed ones).
2. list (timed): a receiver of one agency (20,000 dossiers) opens the
   inbox's first page with the counts per status, filtered by a status and
   a due window (overdue / due within 2 working days, alternating).
3. detail (timed): the same receiver opens the dossier screen
   (`/admin/backoffice/dossiers/<pk>/`: the applicant's data with the form
   version's labels, files, documents, history, time left, messages and
   the actions allowed), for dossiers of their agency in turn.

Prints the query plans of the list's queries, the figures, and as its last
line `inbox dossiers=… list_p95_ms=… detail_p95_ms=…`.

    .venv/bin/python bench/inbox.py [--dossiers 1000000] [--requests 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_WORKDIR = ROOT / "bench" / ".data" / "inbox"

AGENCIES = 50
PROCEDURES = 40
BATCH = 10_000
STATUSES = (["submitted"] * 10 + ["received"] * 15 + ["processing"] * 35 + ["needs_supplement"] * 5
            + ["completed"] * 10 + ["returned"] * 20 + ["rejected", "cancelled", "invalid", "cancelled", "returned"])
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quang", "Thu"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Khang", "Lan", "Long", "Mai", "Nam", "Phúc"]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def summary(name: str, values: list[float]) -> str:
    return (f"{name}: n={len(values)} median={statistics.median(values):.1f} ms "
            f"p95={p95(values):.1f} ms max={max(values):.1f} ms")


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
    """The bench's agencies, procedures and staff (made once, kept)."""
    from accounts.models import User
    from bench.catalogue import agencies_and_procedures
    from tests.dossier_factories import make_staff

    agencies, procedures = agencies_and_procedures(8, AGENCIES, PROCEDURES)
    staff = {}
    for role in ("receiver", "handler"):
        staff[role] = (User.objects.filter(username=f"bench-inbox-{role}").first()
                       or make_staff(f"bench-inbox-{role}", agencies[0], role))
    return agencies, procedures, staff


def fill(total: int, agencies, procedures, staff) -> None:
    from django.db import transaction
    from django.utils import timezone

    from eforms.models import Dossier, DossierEvent, search_text_for

    existing = Dossier.objects.count()
    if existing >= total:
        return
    now = timezone.now()
    handler_id = staff["handler"].pk
    started = time.perf_counter()
    for first in range(existing, total, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, total)):
            agency = agencies[i % AGENCIES]
            procedure = procedures[i % PROCEDURES]
            status = STATUSES[i * 7 % len(STATUSES)]
            submitted = now - dt.timedelta(days=i % 60 + 1, minutes=i % 600)
            received = None if status == "submitted" else submitted + dt.timedelta(hours=2)
            due = None if received is None else now + dt.timedelta(hours=(i * 13 % 1440) - 720)
            name = f"{FAMILY[i % 12]} {MIDDLE[i // 12 % 8]} {GIVEN[i // 96 % 14]}"
            id_number = f"0{i % 96:02d}{i:09d}"[:12]
            code = f"{agency.unit_code}-{submitted:%y%m%d}-{i:07d}"
            rows.append(Dossier(
                code=code, procedure_id=procedure.pk, agency_id=agency.pk, applicant_name=name,
                applicant_id_number=id_number, applicant_phone=f"09{i:08d}", status=status,
                channel="online" if i % 5 else "home_service", submitted_at=submitted, received_at=received,
                appointment_at=due, language="vi", idempotency_key=f"bench-inbox-{i}",
                assigned_to_id=handler_id if (i % 3 == 0 and received and i % AGENCIES == 0) else None,
                search_text=search_text_for(code, name, id_number),
            ))
        with transaction.atomic():
            created = Dossier.objects.bulk_create(rows)
            events = [DossierEvent(dossier=d, created_at=d.submitted_at, action="submit", actor_kind="applicant",
                                   from_status="draft", to_status="submitted")
                      for d in created if d.agency_id == agencies[0].pk]
            DossierEvent.objects.bulk_create(events)
        done = min(first + BATCH, total)
        if done % 100_000 == 0 or done == total:
            print(f"  filled {done:,} dossiers ({time.perf_counter() - started:.0f} s)", flush=True)


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        return "\n".join("    " + " | ".join(str(c) for c in row) for row in cursor.fetchall())


def bench_list(client, count: int) -> list[float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = [{"status": "processing", "due": "soon"}, {"status": "received", "due": "overdue"}]
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/dossiers/", queries[0])
    if response.status_code != 200:
        raise SystemExit(f"the inbox answered {response.status_code}")
    print("the list's queries on the dossier table, with their plans:")
    for query in captured.captured_queries:
        if query["sql"].startswith("SELECT") and 'FROM "eforms_dossier"' in query["sql"]:
            print(f"  {query['sql'][:160]}…")
            print(explain(query["sql"], ()))
    times = []
    for n in range(count + 5):
        started = time.perf_counter()
        response = client.get("/admin/dossiers/", queries[n % 2])
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        if n >= 5:
            times.append(elapsed)
    return times


def bench_detail(client, count: int, agency) -> list[float]:
    from eforms.models import Dossier

    pks = list(Dossier.objects.filter(agency=agency).values_list("pk", flat=True)[:5000:25])
    times = []
    for n in range(count + 5):
        started = time.perf_counter()
        response = client.get(f"/admin/backoffice/dossiers/{pks[n % len(pks)]}/")
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"the dossier screen answered {response.status_code}")
        if n >= 5:
            times.append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    setup_django(args.workdir)

    from django.db import connection
    from django.test import Client

    from eforms.models import Dossier
    from tests.second_factor import pass_second_factor

    agencies, procedures, staff = world()
    fill(args.dossiers, agencies, procedures, staff)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = Dossier.objects.count()
    receiver = staff["receiver"]
    client = pass_second_factor(Client(), receiver)
    print(f"database: {connection.vendor}; dossiers: {total:,}; the receiver's agency holds "
          f"{Dossier.objects.filter(agency=agencies[0]).count():,}")
    list_times = bench_list(client, args.requests)
    detail_times = bench_detail(client, args.requests, agencies[0])
    print(summary("list (first page + counts per status, status and due filters, receiver of one agency)",
                  list_times))
    print(summary("detail (the dossier screen, rendered, receiver of one agency)", detail_times))
    print(f"inbox dossiers={total} list_p95_ms={p95(list_times):.1f} detail_p95_ms={p95(detail_times):.1f}")


if __name__ == "__main__":
    main()
