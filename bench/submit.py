"""Benchmark: submitting a dossier online, and the public look-up.

Runs in-process on its own temporary SQLite database (migrated here), with
Django's test client going through the whole HTTP stack (middleware, CSRF
off as in tests, sessions, templates):

* submit: a signed-in citizen applies through the e-form flow (start,
  applicant, answers, a 1 MB PDF upload, agency and delivery, review and
  submit); the figure per dossier is the time of the requests that carry
  the data (the POSTs), and the final submit POST on its own;
* lookup: POST /lookup/ by code and phone with 100,000 dossiers (and their
  events) in the database, answering found and not-found alike.

The receipt email is only enqueued (django-tasks' database backend, as in
production), never sent in the request. Prints the figures and, as its
last line, `submit dossiers=… submit_p95_ms=… lookup_p95_ms=…`.

    .venv/bin/python bench/submit.py [--dossiers 100000] [--submits 40] [--lookups 400]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def summary(name: str, values: list[float]) -> str:
    return (f"{name}: n={len(values)} median={statistics.median(values):.1f} ms "
            f"p95={p95(values):.1f} ms max={max(values):.1f} ms")


def setup_django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["PORTAL_TASKS_BACKEND"] = "database"
    os.environ["PORTAL_PRIVATE_MEDIA_ROOT"] = str(workdir / "private")
    import django

    django.setup()
    from django.conf import settings

    settings.PORTAL_PRIVATE_MEDIA_ROOT = workdir / "private"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def big_pdf(size: int = 1_000_000) -> bytes:
    """A well-formed PDF of about `size` bytes (a scanned page's worth)."""
    from tests.dossier_factories import pdf_bytes

    base = pdf_bytes("Ban sao can cuoc")
    filler = "x" * (size - len(base) - 64)
    return pdf_bytes("Ban sao can cuoc " + filler)


def bench_submit(count: int) -> tuple[list[float], list[float], object]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from accounts.models import User
    from eforms.models import Dossier
    from procedures.models import ProcedurePage
    from tests.dossier_factories import make_procedure
    from tests.eform_factories import citizen, make_eform

    procedure = ProcedurePage.objects.filter(code="1.001193").first()
    if procedure is None:
        procedure = make_procedure("1.001193")
        make_eform(procedure)
    user = User.objects.filter(username="bench-citizen").first() or citizen("bench-citizen",
                                                                           id_number="001090012345")
    client = Client()
    client.force_login(user)
    applicant = {
        "applying_as": "self", "full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17",
        "id_number": "001090012345", "phone": "0912 345 678", "email": "an@example.com",
        "address_0": "66", "address_1": "24133", "address_2": "12 Lê Duẩn",
    }
    answers = {"muc_dich_yeu_cau": "Xin việc", "noi_dung_chi_tiet": "Bổ sung hồ sơ xin việc làm tại công ty"}
    pdf = big_pdf()
    print(f"attachment: {len(pdf):,} bytes")

    def post(url, data):
        response = client.post(url, data)
        if response.status_code != 302:
            raise SystemExit(f"POST {url} answered {response.status_code}: {response.content[:1500]!r}")
        return response["Location"]

    journeys, finals = [], []
    for n in range(count + 3):  # the first three warm up
        started = time.perf_counter()
        step1 = post(f"/p/{procedure.code}/apply/", {})
        step2 = post(step1, applicant)
        step3 = post(step2, answers)
        delivery = post(step3, {"ban_sao_can_cuoc": SimpleUploadedFile("cccd.pdf", pdf, "application/pdf")})
        review = post(delivery, {"agency": str(procedure.agency.pk), "channel": "online", "result_delivery": "office"})
        posts = time.perf_counter() - started
        page = client.get(review).content.decode()
        key = page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
        final_start = time.perf_counter()
        done = post(review, {"idempotency_key": key, "declaration": "on"})
        final = time.perf_counter() - final_start
        if "/da-nop/" not in done:
            raise SystemExit(f"the submission did not lead to the confirmation: {done}")
        if n >= 3:
            journeys.append((posts + final) * 1000)
            finals.append(final * 1000)
    last = Dossier.objects.exclude(code=None).order_by("-pk").first()
    return journeys, finals, last


def fill_dossiers(total: int, procedure, agency, user) -> list[tuple[str, str]]:
    """Bulk-create `total` submitted/received dossiers with their events;
    returns (code, phone) pairs to look up."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from eforms.models import Dossier, DossierEvent

    existing = Dossier.objects.exclude(code=None).count()
    missing = total - existing
    now = timezone.now()
    batch = 5000
    pairs = []
    made = 0
    while made < missing:
        size = min(batch, missing - made)
        rows = []
        for i in range(existing + made, existing + made + size):  # indexes never reused across runs
            day = now - dt.timedelta(days=i % 700 + 1)  # never today: today's codes come from the counter
            phone = f"09{i % 100_000_000:08d}"
            received = i % 3 != 0
            rows.append(Dossier(
                code=f"{agency.unit_code}-{day:%y%m%d}-{i // 700 + 1:04d}", procedure=procedure, agency=agency,
                applicant=user, applicant_name=f"Người nộp {i}", applicant_id_number=f"0010{i:08d}",
                applicant_phone=phone, applicant_date_of_birth=dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                form_data={"answers": {"muc_dich_yeu_cau": "Xin việc"}}, status="received" if received else "submitted",
                submitted_at=day, received_at=day if received else None, appointment_at=day + dt.timedelta(days=3),
                language="vi",
            ))
        with transaction.atomic():
            created = Dossier.objects.bulk_create(rows)
            events = []
            for d in created:
                events.append(DossierEvent(dossier=d, created_at=d.submitted_at, action="submit",
                                           actor_kind="applicant", from_status="draft", to_status="submitted"))
                if d.status == "received":
                    events.append(DossierEvent(dossier=d, created_at=d.submitted_at, action="receive",
                                               actor_kind="staff", from_status="submitted", to_status="received"))
            DossierEvent.objects.bulk_create(events)
        pairs += [(d.code, d.applicant_phone) for d in created[:: max(1, size // 50)]]
        made += size
    if len(pairs) < 100:  # a kept database: sample the dossiers already there
        pairs += list(Dossier.objects.exclude(code=None).order_by("?").values_list("code", "applicant_phone")[:500])
    return pairs


def bench_lookup(pairs: list[tuple[str, str]], count: int) -> list[float]:
    from django.test import Client

    client = Client()
    times = []
    for n in range(count + 10):
        code, phone = pairs[n % len(pairs)]
        if n % 4 == 3:
            phone = "0900000000"  # a mismatch costs the same as a match
        started = time.perf_counter()
        response = client.post("/lookup/", {"way": "code", "c-code": code, "c-secret": phone},
                               REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"look-up answered {response.status_code}")
        if n % 4 != 3 and code.encode() not in response.content:
            raise SystemExit(f"look-up did not find {code}")
        if n >= 10:
            times.append(elapsed * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--submits", type=int, default=40)
    parser.add_argument("--lookups", type=int, default=400)
    parser.add_argument("--workdir", help="keep the database here and reuse it on the next run")
    parser.add_argument("--profile", action="store_true", help="print where one submission spends its time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        workdir = Path(args.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        setup_django(workdir)
        print(f"database ready in {time.perf_counter() - started:.1f} s ({workdir / 'bench.sqlite3'})")

        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            bench_submit(2)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        journeys, finals, last = bench_submit(args.submits)
        print(summary("submit, every POST of the journey (1 MB PDF)", journeys))
        print(summary("submit, the final submit POST", finals))
        from django_tasks_db.models import DBTaskResult

        queued = DBTaskResult.objects.filter(task_path__endswith="send_dossier_receipt").count()
        print(f"receipt emails enqueued (not sent in the request): {queued}")

        started = time.perf_counter()
        pairs = fill_dossiers(args.dossiers, last.procedure, last.agency, last.applicant)
        from eforms.models import Dossier

        total = Dossier.objects.exclude(code=None).count()
        print(f"{total:,} dossiers in the database (filled in {time.perf_counter() - started:.1f} s)")
        lookups = bench_lookup(pairs, args.lookups)
        print(summary("lookup by code and phone", lookups))
        print(f"submit dossiers={total} submit_p95_ms={p95(journeys):.1f} lookup_p95_ms={p95(lookups):.1f}")


if __name__ == "__main__":
    main()
