"""Benchmark: submitting a dossier online, and the public look-up, on a
table that already holds many dossiers.

Runs in-process on its own SQLite database (kept under `bench/.data/submit/`
and reused by the next run; `--workdir` to put it elsewhere), with Django's
test client going through the whole HTTP stack (middleware, CSRF off as in
tests, sessions, templates). In order:

1. fill: the dossier table is brought to `--dossiers` rows (100,000 by
   default) spread over many applicants, procedures and agencies, with
   their events, bulk-created in batches. Their codes use the bench's own
   units, so they never collide with the codes of the timed submissions.
2. submit (timed on that full table): a signed-in citizen applies through
   the e-form flow `--submits` times (200 by default, after three warm-up
   journeys in the same process: warm figures): the start page, the
   applicant step, the answers, a 1 MB PDF upload, agency and delivery, the
   review and the submit. Each step page's GET is timed on its own, and so
   are the POSTs that carry the data (the whole journey, and the final
   submit on its own).
3. look-up (timed): POST /lookup/ by code and phone, and by ID number, full
   name and birth date, `--lookups` of each, found and not-found alike.

The receipt email is only enqueued (django-tasks' database backend, as in
production), never sent in the request. Prints the figures and, as its last
line, `submit dossiers=… submit_p95_ms=… lookup_p95_ms=… samples=…
get_p95_ms=… final_p95_ms=… lookup_person_p95_ms=…`, where `dossiers` is
the table's size when the submissions were timed.

    .venv/bin/python bench/submit.py [--dossiers 100000] [--submits 200] [--lookups 400]
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
DEFAULT_WORKDIR = ROOT / "bench" / ".data" / "submit"

#: The filler's spread: many applicants, procedures and agencies.
APPLICANTS = 20_000
PROCEDURES = 40
AGENCIES = 25
DAYS = 700
BATCH = 5_000
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quang", "Thu"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Khang", "Lan", "Long", "Mai", "Nam", "Phúc",
         "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]


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


# ---------------------------------------------------------------- the filler


def person(k: int) -> tuple[str, str, dt.date, str]:
    """Applicant number k: (full name, ID number, birth date, phone)."""
    name = f"{FAMILY[k % len(FAMILY)]} {MIDDLE[k // 12 % len(MIDDLE)]} {GIVEN[k // 96 % len(GIVEN)]} {k}"
    birth = dt.date(1950 + k % 55, 1 + k % 12, 1 + k % 28)
    return name, f"0{k % 96:02d}{birth.year % 100:02d}{k:07d}"[:12], birth, f"09{k:08d}"


def filler_world():
    """The bench's agencies, procedures and applicants (made once, kept)."""
    from accounts.models import User
    from bench.catalogue import agencies_and_procedures

    agencies, procedures = agencies_and_procedures(9, AGENCIES, PROCEDURES)
    have = User.objects.filter(username__startswith="bench-applicant-").count()
    if have < APPLICANTS:
        User.objects.bulk_create(
            [User(username=f"bench-applicant-{k}", email=f"applicant{k}@example.com", password="!")
             for k in range(have, APPLICANTS)], batch_size=BATCH)
    users = dict(User.objects.filter(username__startswith="bench-applicant-").values_list("username", "pk"))
    applicant_ids = [users[f"bench-applicant-{k}"] for k in range(APPLICANTS)]
    return agencies, procedures, applicant_ids


def fill_dossiers(total: int) -> None:
    """Bring the table to `total` dossiers with their events. Row i belongs
    to applicant i % APPLICANTS, procedure i % PROCEDURES (and its agency),
    and is dated one to DAYS days ago; its code (unit, day, sequence) is a
    one-to-one function of i, so no two rows share one."""
    from django.db import transaction
    from django.utils import timezone

    from eforms.models import Dossier, DossierEvent

    existing = Dossier.objects.exclude(code=None).count()
    if existing >= total:
        return
    agencies, procedures, applicant_ids = filler_world()
    start = Dossier.objects.filter(agency__in=agencies).count()
    missing = total - existing
    now = timezone.now()
    for first in range(start, start + missing, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, start + missing)):
            procedure = procedures[i % PROCEDURES]
            agency = agencies[i % PROCEDURES % AGENCIES]
            slot = i // PROCEDURES
            day = now - dt.timedelta(days=slot % DAYS + 1)
            k = i % APPLICANTS
            name, id_number, birth, phone = person(k)
            received = i % 3 != 0
            rows.append(Dossier(
                code=f"{agency.unit_code}-{day:%y%m%d}-{i % PROCEDURES // AGENCIES}{slot // DAYS + 1:03d}",
                procedure=procedure, agency=agency, applicant_id=applicant_ids[k],
                applicant_name=name, applicant_id_number=id_number, applicant_phone=phone,
                applicant_date_of_birth=birth,
                applicant_snapshot={"full_name": name, "id_number": id_number, "phone": phone,
                                    "date_of_birth": birth.isoformat()},
                form_data={"answers": {"muc_dich_yeu_cau": "Xin việc"}},
                status="received" if received else "submitted", idempotency_key=f"bench-fill-{i}",
                submitted_at=day, received_at=day if received else None,
                appointment_at=day + dt.timedelta(days=3), language="vi",
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


# ---------------------------------------------------------------- submitting


def bench_submit(count: int) -> tuple[list[float], list[float], dict[str, list[float]]]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from accounts.models import User
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
    gets: dict[str, list[float]] = {}

    def post(url, data):
        response = client.post(url, data)
        if response.status_code != 302:
            raise SystemExit(f"POST {url} answered {response.status_code}: {response.content[:1500]!r}")
        return response["Location"]

    def get(name, url, timed):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        if timed:
            gets.setdefault(name, []).append(elapsed)
        return response.content.decode(), elapsed

    journeys, finals = [], []
    start_url = f"/p/{procedure.code}/apply/"
    for n in range(count + 3):  # the first three warm up
        timed = n >= 3
        get("start page", start_url, timed)
        started = time.perf_counter()
        step1 = post(start_url, {})
        posts = time.perf_counter() - started
        get("applicant step", step1, timed)
        started = time.perf_counter()
        step2 = post(step1, applicant)
        posts += time.perf_counter() - started
        get("answers step", step2, timed)
        started = time.perf_counter()
        step3 = post(step2, answers)
        posts += time.perf_counter() - started
        get("documents step", step3, timed)
        started = time.perf_counter()
        delivery = post(step3, {"ban_sao_can_cuoc": SimpleUploadedFile("cccd.pdf", pdf, "application/pdf")})
        posts += time.perf_counter() - started
        get("delivery step", delivery, timed)
        started = time.perf_counter()
        review = post(delivery, {"agency": str(procedure.agency.pk), "channel": "online", "result_delivery": "office"})
        posts += time.perf_counter() - started
        page, _elapsed = get("review page", review, timed)
        key = page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
        final_start = time.perf_counter()
        done = post(review, {"idempotency_key": key, "declaration": "on"})
        final = time.perf_counter() - final_start
        if "/da-nop/" not in done:
            raise SystemExit(f"the submission did not lead to the confirmation: {done}")
        get("confirmation page", done, timed)
        if timed:
            journeys.append((posts + final) * 1000)
            finals.append(final * 1000)
    return journeys, finals, gets


# ---------------------------------------------------------------- looking up


def samples(count: int) -> list[tuple[str, str, str, dt.date, str]]:
    """(code, phone, ID number, name, birth date) of filler dossiers spread over the table."""
    from eforms.models import Dossier

    rows = Dossier.objects.filter(idempotency_key__startswith="bench-fill-").order_by("?").values_list(
        "code", "applicant_phone", "applicant_id_number", "applicant_name", "applicant_date_of_birth")[:count]
    return list(rows)


def bench_lookup(rows, count: int) -> tuple[list[float], list[float]]:
    from django.test import Client

    client = Client()
    by_code, by_person = [], []
    for n in range(count + 10):
        code, phone, id_number, name, birth = rows[n % len(rows)]
        mismatch = n % 4 == 3  # a mismatch costs the same as a match
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        started = time.perf_counter()
        response = client.post("/lookup/", {"way": "code", "c-code": code,
                                            "c-secret": "0900000000" if mismatch else phone}, REMOTE_ADDR=address)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or (not mismatch and code.encode() not in response.content):
            raise SystemExit(f"look-up by code answered {response.status_code} for {code}")
        if n >= 10:
            by_code.append(elapsed)
        started = time.perf_counter()
        response = client.post("/lookup/", {
            "way": "person", "p-id_number": id_number, "p-full_name": name.lower() if n % 2 else name,
            "p-date_of_birth": (birth + dt.timedelta(days=1) if mismatch else birth).strftime("%d/%m/%Y"),
        }, REMOTE_ADDR=address)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or (not mismatch and code.encode() not in response.content):
            raise SystemExit(f"look-up by person answered {response.status_code} for {id_number}")
        if n >= 10:
            by_person.append(elapsed)
    return by_code, by_person


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--lookups", type=int, default=400)
    parser.add_argument("--workdir", default=str(DEFAULT_WORKDIR), help="where the database is kept and reused")
    parser.add_argument("--profile", action="store_true", help="print where one submission spends its time")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    setup_django(workdir)
    print(f"database ready in {time.perf_counter() - started:.1f} s ({workdir / 'bench.sqlite3'})")
    from eforms.models import Dossier

    started = time.perf_counter()
    fill_dossiers(args.dossiers)
    table = Dossier.objects.exclude(code=None).count()
    print(f"{table:,} dossiers of {Dossier.objects.values('applicant').distinct().count():,} applicants, "
          f"{Dossier.objects.values('procedure').distinct().count()} procedures and "
          f"{Dossier.objects.values('agency').distinct().count()} agencies "
          f"(filled in {time.perf_counter() - started:.1f} s)")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        bench_submit(2)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    journeys, finals, gets = bench_submit(args.submits)
    print(f"submissions timed with {table:,} dossiers in the table, warm (after 3 journeys):")
    print(summary("submit, every POST of the journey (1 MB PDF)", journeys))
    print(summary("submit, the final submit POST", finals))
    for name, values in gets.items():
        print(summary(f"GET {name}", values))
    all_gets = [v for values in gets.values() for v in values]
    print(summary("GET, every step page", all_gets))
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path__endswith="send_dossier_receipt").count()
    print(f"receipt emails enqueued (not sent in the request): {queued}")

    total = Dossier.objects.exclude(code=None).count()
    by_code, by_person = bench_lookup(samples(2_000), args.lookups)
    print(f"look-ups with {total:,} dossiers in the table:")
    print(summary("lookup by code and phone", by_code))
    print(summary("lookup by ID number, name and birth date", by_person))
    print(f"submit dossiers={table} submit_p95_ms={p95(journeys):.1f} lookup_p95_ms={p95(by_code):.1f} "
          f"samples={len(journeys)} get_p95_ms={p95(all_gets):.1f} final_p95_ms={p95(finals):.1f} "
          f"lookup_person_p95_ms={p95(by_person):.1f}")


if __name__ == "__main__":
    main()
