"""Benchmark: the portal on several machines, submitting dossiers at once.

Starts on loopback what a pool of machines runs (bench/common.py): two
gunicorn instances (`gunicorn.conf.py`, production settings, `--web-workers`
each) on one PostgreSQL database and one Redis cache, two task workers
(`manage.py db_worker --no-reload`, as deploy/Procfile runs them) and the
scheduler's jobs that matter here, run every `--schedule-seconds` by the
bench: `retry_messages`, and the sweeper of tasks left RUNNING by a dead
worker (`--sweeper`, `requeue_stale_tasks`) when the code has it.

`--clients` citizens (accounts made up front: verified email, profile,
consent) sign in over HTTP and submit `--dossiers` dossiers between them,
each through the whole e-form journey of the demo's online procedures
(eforms.views.apply: start, applicant with SMS wanted and a receipt address
of its own, the form's steps, a `--pdf-kb` PDF in every file field, delivery
with an agency picked at random, review, submit), every request to the next
instance in turn (the load generator is the load balancer, and gives each
citizen an X-Forwarded-For address of their own).

When half the dossiers are in, task worker 1 is killed with SIGKILL while it
runs a task (a machine dying), and a third worker is started in its place.
Once the load is done the bench waits for the queue to drain, then checks:

* every dossier has a code, and no two share one;
* every dossier's receipts went out exactly once: the receipt email (the
  `send_dossier_receipt` task) and the SMS (a `notifications.Message`,
  which must be `sent`), counted in the file outboxes by the dossier's code;
* no server error and no request without an answer;
* what happened to the task the killed worker held.

Prints the figures, the waits on row locks seen in pg_stat_activity (hot
rows) and, as its last line,
`cluster dossiers=… distinct=… messages_once=… errors=… submit_p95_ms=…`
(`submit_p95_ms`: the final submit POST, as the client saw it).

    .venv/bin/python bench/cluster.py [--dossiers 1000] [--clients 24] [--fresh]
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    CITIZEN_PASSWORD,
    Client,
    JourneyError,
    LockSampler,
    Periodic,
    Processes,
    Recorder,
    RoundRobin,
    add_setup_arguments,
    apply_online,
    describe,
    emails_sent,
    make_citizens,
    online_procedures,
    percentile,
    prepare,
    run_jobs,
    scheduled_jobs,
    setup_django,
    setup_from_args,
    small_pdf,
    sms_sent,
    task_summary,
)

CITIZEN_PREFIX = "bench-citizen"


class Load:
    """The submissions shared out among the client threads."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.submissions = []
        self.failures: list[str] = []
        self._next = 0
        self._lock = threading.Lock()

    def take(self) -> int | None:
        with self._lock:
            if self._next >= self.total:
                return None
            self._next += 1
            return self._next - 1

    def done(self) -> int:
        return len(self.submissions) + len(self.failures)


def citizen(k: int, email_address: str, load: Load, balancer, recorder, procedures, upload) -> None:
    rng = random.Random(k)
    client = Client(balancer, recorder, address=f"10.1.{k // 250}.{k % 250 + 1}")
    try:
        client.sign_in(email_address, CITIZEN_PASSWORD)
    except JourneyError as error:
        load.failures.append(f"sign-in: {error}")
        return
    while (n := load.take()) is not None:
        try:
            load.submissions.append(apply_online(client, procedures[n % len(procedures)], upload, rng,
                                                 f"receipt-{n}@example.com", f"098{n:07d}"))
        except JourneyError as error:
            load.failures.append(f"dossier {n}: {error}")


def kill_a_worker(procs, victim, load: Load, finished: threading.Event, replacement_id: str,
                  report: dict) -> None:
    """Halfway: SIGKILL `victim` while it runs a task, start a replacement."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    try:
        while load.done() < load.total // 2 and not finished.is_set():
            time.sleep(0.2)
        holding = DBTaskResult.objects.filter(status="RUNNING", worker_ids__contains=[victim.worker_id])
        deadline = time.monotonic() + 60
        while not holding.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        procs.kill(victim)
        report["killed_at"] = load.done()
        report["held"] = list(holding.values_list("id", "task_path"))
        report["replacement"] = procs.start_worker(replacement_id)
    finally:
        connection.close()


def drain(run_started, killed_ids: set[str], wait_for_orphans: bool, timeout: float) -> float:
    """Wait until no task is waiting or running (but those a killed worker
    holds, unless a sweeper is expected to free them) and no message is
    queued or being sent. Returns the seconds waited."""
    from django_tasks_db.models import DBTaskResult

    from notifications.models import Message

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        ready = DBTaskResult.objects.filter(status="READY").count()
        running = DBTaskResult.objects.filter(status="RUNNING")
        orphans = [r for r in running.values_list("worker_ids", flat=True) if set(r or []) & killed_ids]
        live = running.count() - (0 if wait_for_orphans else len(orphans))
        pending = Message.objects.filter(state__in=["queued", "sending"], created_at__gte=run_started).count()
        if ready == 0 and live == 0 and pending == 0:
            break
        time.sleep(2)
    return time.monotonic() - started


def check(run_started, setup) -> dict:
    """Each dossier of the run, its receipt email and each of its messages
    (`notifications.Message`: the SMS of the submission, the fee notice of a
    level-4 procedure by email and SMS) against the outboxes: delivered
    exactly once means one email with the receipt PDF of that code, and one
    email (recipient, subject) or SMS (recipient, text) per message row,
    which says `sent`."""

    from eforms.models import Dossier
    from eforms.record import receipt_filename
    from notifications.models import Message

    dossiers = dict(Dossier.objects.filter(applicant__username__startswith=CITIZEN_PREFIX)
                    .exclude(code=None).values_list("code", "pk"))
    receipt_of = {receipt_filename(Dossier(code=code)): code for code in dossiers}
    receipts, emails = Counter(), Counter()
    for message in emails_sent(setup):
        codes = [receipt_of[name] for part in message.iter_attachments() if (name := part.get_filename()) in receipt_of]
        if codes:
            receipts[codes[0]] += 1
        else:
            emails[(str(message["To"]).strip(), " ".join(str(message["Subject"]).split()))] += 1
    texts = Counter((line["to"], line["text"]) for line in sms_sent(setup))
    kinds: dict[str, Counter] = {"receipt email (task)": Counter()}
    good = {code: receipts[code] == 1 for code in dossiers}
    for code in dossiers:
        kinds["receipt email (task)"]["once" if receipts[code] == 1 else
                                      "missing" if receipts[code] == 0 else "more than once"] += 1
    has_sms = set()
    for code, kind, channel, to, subject, body, state in Message.objects.filter(
            dossier__in=dossiers.values()).values_list("dossier__code", "kind", "channel", "recipient", "subject",
                                                       "body", "state"):
        delivered = emails[(to, " ".join(subject.split()))] if channel == "email" else texts[(to, body)]
        outcome = "once" if delivered == 1 else "missing" if delivered == 0 else "more than once"
        counter = kinds.setdefault(f"{kind} {channel}", Counter())
        counter[outcome] += 1
        counter[f"row {state}"] += 1
        good[code] = good[code] and delivered == 1 and state == "sent"
        has_sms.add((code, kind, channel))
    no_receipt_sms = [code for code in dossiers if (code, "submitted", "sms") not in has_sms]
    return {"dossiers": len(dossiers), "distinct": len(set(dossiers)),
            "once": sum(1 for code in dossiers if good[code] and code not in no_receipt_sms),
            "kinds": kinds, "no_receipt_sms": len(no_receipt_sms), "tasks": task_summary(run_started)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=24, help="citizens submitting at once (default 24)")
    parser.add_argument("--pdf-kb", type=int, default=100, help="size of the PDF uploaded (default 100 KB)")
    parser.add_argument("--drain-timeout", type=float, default=600, help="longest wait for the queue (s)")
    parser.add_argument("--no-kill", action="store_true", help="do not kill a task worker halfway")
    add_setup_arguments(parser, "cluster", redis_db=13, first_port=18110, schedule_seconds=15)
    args = parser.parse_args()

    setup = setup_from_args("cluster", args)
    prepare(setup, fresh=args.fresh, statistics_dossiers=args.statistics_dossiers)
    setup_django(setup)
    from django.db import connection
    from django.utils import timezone

    citizens = make_citizens(args.clients, CITIZEN_PREFIX)
    procedures = online_procedures()
    upload = small_pdf(args.pdf_kb)
    jobs = scheduled_jobs(["retry_messages", args.sweeper])
    connection.close()
    print(f"{args.clients} citizens; procedures {', '.join(procedures)}; PDF {len(upload[1]):,} bytes; "
          f"scheduler runs {', '.join(jobs)} every {args.schedule_seconds:.0f} s"
          + ("" if args.sweeper in jobs else f" ({args.sweeper} is not in this code)"))

    recorder, load, kill_report = Recorder(), Load(args.dossiers), {}
    with Processes(setup) as procs:
        workers = procs.start_portal(task_workers=2)
        run_started = timezone.now()
        scheduler = Periodic(args.schedule_seconds, lambda: run_jobs(jobs), "scheduler")
        locks = LockSampler(setup)
        sampler = Periodic(1, locks, "lock-sampler")
        scheduler.start()
        sampler.start()
        killer, finished = None, threading.Event()
        if not args.no_kill:
            killer = threading.Thread(target=kill_a_worker, args=(procs, workers[0], load, finished,
                                                                    "bench-worker-3", kill_report), daemon=True)
            killer.start()
        balancer = RoundRobin(setup.base_urls)
        started = time.monotonic()
        threads = [threading.Thread(target=citizen, args=(k, email_address, load, balancer, recorder, procedures,
                                                          upload), daemon=True)
                   for k, email_address in enumerate(citizens)]
        for thread in threads:
            thread.start()
        last = started
        while any(thread.is_alive() for thread in threads):
            time.sleep(1)
            if time.monotonic() - last >= 60:  # a sign of life on a long run
                last = time.monotonic()
                print(f"  {time.monotonic() - started:5.0f} s: {len(load.submissions)} dossiers submitted, "
                      f"{len(load.failures)} failed, {len(recorder.server_errors())} server errors", flush=True)
        finished.set()
        load_seconds = time.monotonic() - started
        if killer is not None:
            killer.join()
        killed = {w.worker_id for w in procs.procs if w.killed}
        waited = drain(run_started, killed, wait_for_orphans=args.sweeper in jobs, timeout=args.drain_timeout)
        scheduler.stop()
        sampler.stop()
        result = check(run_started, setup)
        problems, first_problems = procs.log_problems()
        from django_tasks_db.models import DBTaskResult

        held = [(str(pk), path, DBTaskResult.objects.get(pk=pk).status) for pk, path in kill_report.get("held", [])]
        connection.close()

    submissions = load.submissions
    finals = [s.final_ms for s in submissions]
    journeys = [s.journey_ms for s in submissions]
    server_errors = recorder.server_errors()
    kinds = recorder.by_kind()
    print()
    print(f"load: {len(submissions)} journeys done, {len(load.failures)} failed, in {load_seconds:.0f} s "
          f"({len(submissions) / load_seconds * 60:.0f} dossiers a minute, {len(recorder.samples)} requests, "
          f"{len(recorder.samples) / load_seconds:.1f} requests/s), {args.clients} clients")
    for failure in load.failures[:10]:
        print(f"  failed: {failure}")
    print(f"{'request':<22} {'figures (answered, client side)'}")
    for kind in sorted(kinds):
        print(f"{kind:<22} {describe(kinds[kind])}")
    print(f"{'journey (no sign-in)':<22} {describe(journeys)}")
    print(f"server errors (5xx) and requests without an answer: {len(server_errors)}")
    for text in recorder.errors[:10]:
        print(f"  {text}")
    print(f"queue drained {waited:.0f} s after the load")
    if kill_report:
        print(f"killed bench-worker-1 (SIGKILL) after {kill_report['killed_at']} journeys, holding "
              f"{len(held)} task(s), then started {kill_report['replacement'].worker_id}:")
        for pk, path, status in held:
            print(f"  task {pk} {path}: {status} at the end"
                  + (" (lost: nothing frees a task its worker died with)" if status == "RUNNING" else ""))
    print("tasks of the run by status: " + ", ".join(result["tasks"]))
    print(f"dossiers {result['dossiers']} (codes distinct: {result['distinct']}); all of a dossier's messages "
          f"delivered exactly once: {result['once']}; without a receipt SMS row: {result['no_receipt_sms']}")
    for kind, counter in result["kinds"].items():
        print(f"  {kind:<24} " + ", ".join(f"{name} {count}" for name, count in sorted(counter.items())))
    for line in locks.report():
        print(line)
    print("errors logged: " + ", ".join(f"{name} {count}" for name, count in problems.items()))
    for line in first_problems:
        print(f"  {line}")
    for job in (scheduler, sampler):
        for failure in job.failures[:3]:
            print(f"  {job.name} failed: {failure}")
    errors = len(server_errors) + len(load.failures)
    lost = sum(1 for _pk, _path, status in held if status == "RUNNING")
    print(f"journey_p95_ms={percentile(journeys, 95):.0f} lost_tasks={lost} "
          f"failed_journeys={len(load.failures)} server_errors={len(server_errors)}")
    print(f"cluster dossiers={args.dossiers} distinct={result['distinct']} messages_once={result['once']} "
          f"errors={errors} submit_p95_ms={percentile(finals, 95):.0f}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        raise SystemExit("interrupted; the portal's processes are stopped") from None
