"""Benchmark: a mixed load held for minutes against the portal on two instances.

The set-up of bench/cluster.py (bench/common.py): two gunicorn instances
with production settings on one PostgreSQL and one Redis, two task workers,
the scheduler's jobs every `--schedule-seconds`. gunicorn's worker recycling
is off (`GUNICORN_MAX_REQUESTS=0`, `--max-requests` to change it), so a leak
shows as growth instead of being reset every 2,000 requests.

`--clients` visitors ask, one request after another with no pause, for:

* 70 %: procedure pages, spread over every live procedure page of the demo in
  Vietnamese and English;
* 20 %: searches, the queries of `bench/data/search_queries.tsv` in turn;
* 10 %: the public look-up (POST /lookup/ with CSRF), by code and phone of
  the database's dossiers and those submitted during the run, each from an
  address of its own (the per-address throttle counts real visitors, not
  the load generator);

and beside them one applicant at a time signs in (a new session), submits a
dossier through the e-form journey (bench/common.py `apply_online`) and
pauses `--submit-pause` seconds: a few sign-ins and submits.

The first `--warmup` seconds are not counted. Every 10 seconds the bench
reads the resident memory (/proc VmRSS) of each gunicorn worker and each task
worker. Prints requests by kind (count, per second, p50/p95/p99, errors),
row-lock waits and memory from the end of the warm-up to the end, with the
slope of the total, and as its last line
`mixed minutes=… requests=… errors=… rss_start_mb=… rss_end_mb=… rss_growth_pct=…`.

    .venv/bin/python bench/mixed.py [--minutes 10] [--clients 8] [--fresh]
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    CITIZEN_PASSWORD,
    ROOT,
    Client,
    JourneyError,
    LockSampler,
    Periodic,
    Processes,
    Recorder,
    RoundRobin,
    add_setup_arguments,
    apply_online,
    csrf_token,
    describe,
    make_citizens,
    online_procedures,
    percentile,
    prepare,
    random_address,
    rss_mb,
    run_jobs,
    scheduled_jobs,
    setup_django,
    setup_from_args,
    small_pdf,
    task_summary,
)

QUERY_FILE = ROOT / "bench" / "data" / "search_queries.tsv"
FALLBACK_QUERIES = ["khai sinh", "ket hon", "ho kinh doanh", "giay phep xay dung", "ly lich tu phap"]
MIX = [("procedure page", 70), ("search", 20), ("lookup", 10)]


def search_queries() -> list[str]:
    if not QUERY_FILE.exists():
        return FALLBACK_QUERIES
    lines = QUERY_FILE.read_text(encoding="utf-8").splitlines()
    queries = [line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")]
    return queries or FALLBACK_QUERIES


def targets() -> tuple[list[str], list[tuple[str, str]]]:
    """Every live procedure page's path, and (code, phone) of dossiers to look up."""
    from eforms.models import Dossier
    from procedures.models import ProcedurePage

    pages = [page.get_url() for page in ProcedurePage.objects.live().specific()]
    pages = [url for url in pages if url]
    lookups = list(Dossier.objects.exclude(code=None).exclude(applicant_phone="")
                   .values_list("code", "applicant_phone"))
    return pages, lookups


class Visitor(threading.Thread):
    """One client of the mix, until `stop` is set."""

    def __init__(self, k: int, balancer, recorder: Recorder, pages, queries, lookups, stop: threading.Event):
        super().__init__(name=f"visitor-{k}", daemon=True)
        self.rng = random.Random(1000 + k)
        self.client = Client(balancer, recorder, address=random_address(self.rng))
        self.recorder, self.pages, self.queries, self.lookups, self.stop = recorder, pages, queries, lookups, stop
        self.token = ""
        self.misses = 0

    def run(self) -> None:
        kinds, weights = zip(*MIX, strict=True)
        while not self.stop.is_set():
            kind = self.rng.choices(kinds, weights)[0]
            try:
                if kind == "procedure page":
                    self.client.get(self.rng.choice(self.pages), kind)
                elif kind == "search":
                    query = urllib.parse.quote_plus(self.rng.choice(self.queries))
                    self.client.get(f"/search/?q={query}", kind)
                else:
                    self.look_up()
            except JourneyError:
                pass  # recorded by the client

    def look_up(self) -> None:
        if not self.token:
            self.token = csrf_token(self.client.get("/lookup/", "lookup page").text)
        code, phone = self.rng.choice(self.lookups)
        response = self.client.post("/lookup/", "lookup", {"csrfmiddlewaretoken": self.token, "way": "code",
                                                           "c-code": code, "c-secret": phone},
                                    headers={"X-Forwarded-For": random_address(self.rng)})
        if code not in response.text:
            self.misses += 1
            self.recorder.error(f"look-up of {code} did not find it")


class Applicant(threading.Thread):
    """Now and then a citizen signs in and submits a dossier."""

    def __init__(self, balancer, recorder: Recorder, citizens, procedures, upload, lookups, pause: float,
                 stop: threading.Event):
        super().__init__(name="applicant", daemon=True)
        self.rng = random.Random(7)
        self.balancer, self.recorder, self.citizens, self.procedures, self.upload, self.lookups = (
            balancer, recorder, citizens, procedures, upload, lookups)
        self.pause, self.stop = pause, stop
        self.submitted, self.failed = 0, 0

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            client = Client(self.balancer, self.recorder, address=random_address(self.rng))
            try:
                client.sign_in(self.citizens[n % len(self.citizens)], CITIZEN_PASSWORD)
                phone = f"097{n:07d}"
                submission = apply_online(client, self.rng.choice(self.procedures), self.upload, self.rng,
                                          f"mixed-{n}@example.com", phone)
                self.submitted += 1
                self.lookups.append((submission.code, phone))  # looked up from now on, like a new dossier
            except JourneyError as error:
                self.failed += 1
                self.recorder.error(f"applicant {n}: {error}")
            n += 1
            self.stop.wait(self.pause)


class Memory:
    """RSS of every serving process, every `seconds`."""

    def __init__(self, procs: Processes) -> None:
        self.procs = procs
        self.samples: list[tuple[float, dict[str, float]]] = []

    def __call__(self) -> None:
        sizes = {name: size for name, pid in self.procs.server_pids().items() if (size := rss_mb(pid)) is not None}
        self.samples.append((time.monotonic(), sizes))


def slope_mb_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB), per minute."""
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_v = sum(v for _, v in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / spread if spread else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10, help="how long the load is held (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="visitors asking at once (default 8)")
    parser.add_argument("--warmup", type=float, default=60,
                        help="seconds of load not counted, at most a fifth of the run (default 60)")
    parser.add_argument("--submit-pause", type=float, default=15,
                        help="seconds between one applicant's submissions (default 15)")
    parser.add_argument("--max-requests", type=int, default=0,
                        help="GUNICORN_MAX_REQUESTS (default 0: workers are never recycled)")
    parser.add_argument("--pdf-kb", type=int, default=100, help="size of the PDF uploaded (default 100 KB)")
    add_setup_arguments(parser, "mixed", redis_db=14, first_port=18120, schedule_seconds=60)
    args = parser.parse_args()

    setup = setup_from_args("mixed", args)
    prepare(setup, fresh=args.fresh, statistics_dossiers=args.statistics_dossiers)
    setup_django(setup)
    from django.db import connection

    citizens = make_citizens(5, "bench-citizen")
    procedures = online_procedures()
    pages, lookups = targets()
    queries = search_queries()
    upload = small_pdf(args.pdf_kb)
    jobs = scheduled_jobs(["retry_messages", args.sweeper])
    connection.close()
    duration = args.minutes * 60
    warmup = min(args.warmup, duration / 5)
    print(f"{len(pages)} procedure pages, {len(queries)} search queries, {len(lookups)} dossiers to look up; "
          f"{args.clients} visitors and one applicant (a dossier every {args.submit_pause:.0f} s); "
          f"scheduler runs {', '.join(jobs)} every {args.schedule_seconds:.0f} s; "
          f"{duration:.0f} s of load, the first {warmup:.0f} s not counted")

    recorder, stop = Recorder(), threading.Event()
    from django.utils import timezone

    run_started = timezone.now()
    with Processes(setup) as procs:
        procs.start_portal(task_workers=2, web_env={"GUNICORN_MAX_REQUESTS": str(args.max_requests)})
        balancer = RoundRobin(setup.base_urls)
        scheduler = Periodic(args.schedule_seconds, lambda: run_jobs(jobs), "scheduler")
        locks = LockSampler(setup)
        lock_sampler = Periodic(1, locks, "lock-sampler")
        memory = Memory(procs)
        memory_sampler = Periodic(10, memory, "memory")
        visitors = [Visitor(k, balancer, recorder, pages, queries, lookups, stop) for k in range(args.clients)]
        applicant = Applicant(balancer, recorder, citizens, procedures, upload, lookups, args.submit_pause, stop)
        started = time.monotonic()
        for thread in (scheduler, lock_sampler, memory_sampler, *visitors, applicant):
            thread.start()
        counted_from = started + warmup
        memory_from = None
        last = started
        while time.monotonic() < started + duration:
            time.sleep(1)
            if memory_from is None and time.monotonic() >= counted_from:
                memory()  # the start figure: right after the warm-up
                memory_from = memory.samples[-1][0]
            if time.monotonic() - last >= 60:  # a sign of life on a long run
                last = time.monotonic()
                total = sum(memory.samples[-1][1].values()) if memory.samples else 0
                print(f"  {last - started:5.0f} s: {len(recorder.samples)} requests, "
                      f"{len(recorder.server_errors())} server errors, {total:.0f} MB resident", flush=True)
        memory()
        stop.set()
        for thread in (*visitors, applicant):
            thread.join(120)
        ended = time.monotonic()
        for job in (scheduler, lock_sampler, memory_sampler):
            job.stop()
        problems, first_problems = procs.log_problems()
        tasks = task_summary(run_started)
        connection.close()
        restarts = [name for name in memory.samples[-1][1] if name not in memory.samples[0][1]]

    counted = [s for s in recorder.samples if s.at >= counted_from]
    seconds = ended - counted_from
    errors = [s for s in counted if s.status == 0 or s.status >= 500]
    refused = [s for s in counted if 400 <= s.status < 500]
    kinds = recorder.by_kind(since=counted_from)
    print()
    print(f"counted: {len(counted)} requests in {seconds:.0f} s = {len(counted) / seconds:.1f} requests/s "
          f"over 2 instances; {applicant.submitted} dossiers submitted ({applicant.failed} failed); "
          f"look-ups not found: {sum(v.misses for v in visitors)}")
    print(f"{'kind':<22} {'count':>6} {'per s':>6}  figures")
    for kind in sorted(kinds):
        values = kinds[kind]
        bad = sum(1 for s in errors if s.kind == kind)
        print(f"{kind:<22} {len(values):>6} {len(values) / seconds:>6.1f}  {describe(values)}"
              + (f"  errors {bad}" if bad else ""))
    print(f"server errors (5xx) and requests without an answer: {len(errors)}; other refusals (4xx): "
          f"{len(refused)}")
    for text in recorder.errors[:10]:
        print(f"  {text}")

    after = [(t, sizes) for t, sizes in memory.samples if memory_from is not None and t >= memory_from]
    first, last = after[0][1], after[-1][1]
    print(f"memory (VmRSS, MB) from the end of the warm-up to the end, {len(after)} samples 10 s apart:")
    for name in sorted(set(first) | set(last)):
        start_mb, end_mb = first.get(name), last.get(name)
        trend = slope_mb_per_minute([(t - after[0][0], s[name]) for t, s in after if name in s])
        print(f"  {name:<28} {start_mb or 0:>7.1f} → {end_mb or 0:>7.1f}  ({trend:+.2f} MB/min)"
              + ("" if start_mb and end_mb else "  (not there all along)"))
    rss_start, rss_end = sum(first.values()), sum(last.values())
    total_slope = slope_mb_per_minute([(t - after[0][0], sum(s.values())) for t, s in after])
    growth = (rss_end - rss_start) / rss_start * 100 if rss_start else 0.0
    print(f"  {'total':<28} {rss_start:>7.1f} → {rss_end:>7.1f}  ({total_slope:+.2f} MB/min, {growth:+.1f} %)")
    if restarts:
        print(f"  processes that appeared during the run (a worker replaced): {', '.join(restarts)}")
    for line in locks.report():
        print(line)
    print("tasks of the run by status: " + ", ".join(tasks))
    print("errors logged: " + ", ".join(f"{name} {count}" for name, count in problems.items()))
    for line in first_problems:
        print(f"  {line}")
    for job in (scheduler, lock_sampler, memory_sampler):
        for failure in job.failures[:3]:
            print(f"  {job.name} failed: {failure}")
    all_values = [v for values in kinds.values() for v in values]
    print(f"rps={len(counted) / seconds:.1f} p95_ms={percentile(all_values, 95):.0f} "
          f"rss_slope_mb_per_min={total_slope:.2f} refused={len(refused)}")
    print(f"mixed minutes={args.minutes:g} requests={len(counted)} errors={len(errors)} "
          f"rss_start_mb={rss_start:.0f} rss_end_mb={rss_end:.0f} rss_growth_pct={growth:.1f}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        raise SystemExit("interrupted; the portal's processes are stopped") from None
