"""What the multi-process benchmarks share (`bench/cluster.py`, `bench/mixed.py`).

They measure the portal as it runs on several machines, so nothing here is
in-process: a PostgreSQL database of the bench's own, a Redis database as
the shared cache, the real processes started on loopback with the production
settings (gunicorn instances, `manage.py db_worker`), and a small HTTP client
that walks the pages the way a browser without JavaScript does (cookies,
CSRF token from the form, forms filled from what the page offers).

The database is made once from the demo (`migrate`, `load_demo`) into
`bench_portal_template` on the same server, its files into
`bench/.data/portal-template/`; each run copies both (`CREATE DATABASE …
TEMPLATE`: seconds, where the demo takes minutes) and applies new
migrations, so every run starts from the same state. `--fresh` rebuilds the
template (after a change to the demo). Everything a run writes (uploads, the
email and SMS outboxes, the process logs) goes under
`bench/.data/<name>/run/`, emptied at the start of the next run.
"""

from __future__ import annotations

import atexit
import contextlib
import email
import email.policy
import itertools
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
#: The demo, migrated and loaded once, copied by every run of every bench here,
#: and the files it wrote (form templates, certificates, documents).
TEMPLATE_DATABASE = "bench_portal_template"
TEMPLATE_FILES = ROOT / "bench" / ".data" / "portal-template"
BENCH_SECRET_KEY = "bench-only-not-secret-5b0f3c1e9d2a4786a1c3e5f7092b4d6e8f1a3c5e7092b4d6"
#: The citizens' common password (hashed once, see make_citizens).
CITIZEN_PASSWORD = "bench-citizen-password-2026"
#: Birth date and ID numbers must agree (accounts.validators): century 0, year 90.
BIRTH_DATE = "1990-05-17"
#: Environment variables of the caller's shell that would point the portal
#: at services the bench does not start.
LOG_PROBLEM = re.compile(r" (ERROR|CRITICAL) |\[(ERROR|CRITICAL)\]")
UNSET = ("ELASTICSEARCH_URL", "PORTAL_CLAMAV_SOCKET", "SENTRY_DSN", "DJANGO_DEBUG", "PORTAL_PAYMENT_PROVIDERS",
         "PORTAL_VNPAY_TMN_CODE", "DJANGO_BEHIND_PROXY", "GUNICORN_BIND", "WEB_CONCURRENCY")


# ---------------------------------------------------------------- a database of its own

#: Databases a benchmark never creates, drops or fills: CI's, and the server's own.
PG_REFUSED = {"test", "postgres", "template0", "template1"}


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


class PostgresDatabase:
    """The database `name` on the server of `url` (reached through its
    `postgres` database to create and drop it). `program` prefixes the
    messages of a failure."""

    def __init__(self, url: str, name: str, *, keep: bool, program: str):
        if name in PG_REFUSED or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            sys.exit(f"{program}: will not use the database {name!r}; name one of its own")
        parts = urlsplit(url)
        self.name = name
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.url = urlunsplit(parts._replace(path=f"/{name}"))
        self.keep = keep
        self.program = program

    def _admin(self, sql: str, params=()):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall() if sql.startswith("SELECT") else conn.execute(sql)

    def exists(self) -> bool:
        return bool(self._admin("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]))

    def create(self) -> bool:
        """Create the database; True when it is new (to be filled). With
        `keep`, an existing one is reused; without, it is dropped first."""
        try:
            exists = self.exists()
            if exists and self.keep:
                return False
            if exists:
                self._admin(f'DROP DATABASE "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        except Exception as error:  # noqa: BLE001 - any failure here means the benchmark cannot run
            sys.exit(f"{self.program}: cannot prepare PostgreSQL database {self.name!r}: {error}")
        return True

    def drop(self) -> None:
        if not self.keep:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')



# ---------------------------------------------------------------- figures


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def describe(values: list[float]) -> str:
    if not values:
        return "n=0"
    return (f"n={len(values)} p50={percentile(values, 50):.0f} p95={percentile(values, 95):.0f} "
            f"p99={percentile(values, 99):.0f} max={max(values):.0f} ms")


# ---------------------------------------------------------------- the set-up


@dataclass
class Setup:
    """One benchmark's database, cache, folders and the environment every
    process of it runs with."""

    name: str
    database_url: str
    cache_url: str
    web_ports: list[int]
    web_workers: int
    workdir: Path = field(init=False)
    run_dir: Path = field(init=False)
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.workdir = ROOT / "bench" / ".data" / self.name
        self.run_dir = self.workdir / "run"
        self.env = self._environment()

    @property
    def database_name(self) -> str:
        return urllib.parse.urlsplit(self.database_url).path.lstrip("/")

    @property
    def email_dir(self) -> Path:
        return self.run_dir / "outbox" / "email"

    @property
    def sms_file(self) -> Path:
        return self.run_dir / "outbox" / "sms" / "sms.jsonl"

    @property
    def log_dir(self) -> Path:
        return self.run_dir / "logs"

    @property
    def base_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.web_ports]

    def _environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in UNSET}
        env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            # Throw-away, the same for every process and every run: sessions,
            # signed links, and the demo's certificate passwords in the template.
            "DJANGO_SECRET_KEY": BENCH_SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": self.database_url,
            "DJANGO_CACHE_URL": self.cache_url,
            "DJANGO_STATIC_ROOT": str(self.workdir / "static"),
            # The machines' shared file system.
            "DJANGO_MEDIA_ROOT": str(self.run_dir / "media"),
            "PORTAL_PRIVATE_MEDIA_ROOT": str(self.run_dir / "private"),
            "PORTAL_TASKS_BACKEND": "database",
            # Every message the workers send lands in a file, to be counted.
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(self.email_dir),
            "PORTAL_SMS_BACKEND": "file",
            "PORTAL_SMS_FILE_DIR": str(self.sms_file.parent),
            # The load generator plays the load balancer: it sets
            # X-Forwarded-For, so each simulated citizen has an address of
            # their own (rate limits and look-up throttles count per address).
            "PORTAL_TRUSTED_PROXY_COUNT": "1",
            "WAGTAILADMIN_BASE_URL": self.base_urls[0],
            # A message left "sending" by a killed worker is requeued by
            # retry_messages after a minute rather than ten.
            "PORTAL_MESSAGE_SENDING_TIMEOUT_MINUTES": "1",
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def database_for(self, name: str) -> str:
        parts = urllib.parse.urlsplit(self.database_url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def add_setup_arguments(parser, name: str, redis_db: int, first_port: int, schedule_seconds: float) -> None:
    parser.add_argument("--fresh", action="store_true",
                        help="rebuild the template database from the demo (migrate + load_demo, a few minutes)")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn workers per instance (default 3)")
    parser.add_argument("--redis-url", default=f"redis://127.0.0.1:6379/{redis_db}",
                        help=f"the shared cache; its database is emptied at the start (default /{redis_db})")
    parser.add_argument("--first-port", type=int, default=first_port, help="the first instance's port")
    parser.add_argument("--statistics-dossiers", type=int, default=20,
                        help="PORTAL_DEMO_STATISTICS_DOSSIERS for the template (default 20)")
    parser.add_argument("--schedule-seconds", type=float, default=schedule_seconds,
                        help=f"how often the scheduler's jobs run (default {schedule_seconds:.0f} s)")
    parser.add_argument("--sweeper", default="requeue_stale_tasks",
                        help="the command that frees tasks a dead worker left RUNNING, run when it exists")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="one more setting for every process of the portal (repeatable), e.g. a "
                             "threshold of the sweeper")
    parser.epilog = (f"The database is DATABASE_URL if set (its name must start with bench), else bench_{name} "
                     f"on {DEFAULT_SERVER}; it is dropped and copied again from its template at each run.")


def setup_from_args(name: str, args) -> Setup:
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_SERVER.rsplit("/", 1)[0] + f"/bench_{name}"
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("This benchmark needs PostgreSQL: several processes write at once.")
    if not urllib.parse.urlsplit(database_url).path.lstrip("/").startswith("bench"):
        raise SystemExit(f"{database_url}: the bench drops and copies its database at each run; "
                         "name it bench_… (is DATABASE_URL still set for something else?)")
    setup = Setup(name=name, database_url=database_url, cache_url=args.redis_url,
                  web_ports=[args.first_port, args.first_port + 1], web_workers=args.web_workers)
    for item in getattr(args, "env", []):
        key, _sep, value = item.partition("=")
        setup.env[key] = value
    return setup


def manage(setup: Setup, *args: str, env: dict[str, str] | None = None, quiet: bool = True) -> None:
    """Run one management command as its own process, like a release step."""
    started = time.perf_counter()
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env or setup.env, text=True,
                            stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT if quiet else None)
    if result.returncode:
        sys.stdout.write(result.stdout or "")
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode})")
    print(f"  manage.py {' '.join(args)}: {time.perf_counter() - started:.0f} s")


def _maintenance(setup: Setup):
    import psycopg

    return psycopg.connect(setup.database_for("postgres"), autocommit=True)


def _exists(conn, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def prepare(setup: Setup, *, fresh: bool, statistics_dossiers: int) -> None:
    """The run's database (a copy of the template), static files, an empty
    run folder and an empty cache database."""
    import redis
    from psycopg import sql

    name = setup.database_name
    template = TEMPLATE_DATABASE
    with _maintenance(setup) as conn:
        if fresh or not _exists(conn, template):
            print(f"template database {template}: migrate and load_demo (statistics dossiers: "
                  f"{statistics_dossiers})")
            # made under another name, so an interrupted build is never taken for a template
            building = f"{template}_building"
            for stale in (building, template):
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(stale)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
            if TEMPLATE_FILES.exists():
                subprocess.run(["rm", "-rf", str(TEMPLATE_FILES)], check=True)
            env = {**setup.env, "DATABASE_URL": setup.database_for(building),
                   # the demo's own background work runs at once, not in the queue
                   "PORTAL_TASKS_BACKEND": "immediate",
                   "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                   "PORTAL_SMS_FILE_DIR": str(TEMPLATE_FILES / "sms"),
                   "DJANGO_MEDIA_ROOT": str(TEMPLATE_FILES / "media"),
                   "PORTAL_PRIVATE_MEDIA_ROOT": str(TEMPLATE_FILES / "private"),
                   "PORTAL_DEMO_STATISTICS_DOSSIERS": str(statistics_dossiers)}
            manage(setup, "migrate", "--noinput", env=env)
            manage(setup, "load_demo", "--force", env=env)
            conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building),
                                                                          sql.Identifier(template)))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                      sql.Identifier(template)))
    print(f"database {name}: copied from {template}")
    if setup.run_dir.exists():
        subprocess.run(["rm", "-rf", str(setup.run_dir)], check=True)
    for folder in (setup.email_dir, setup.sms_file.parent, setup.log_dir):
        folder.mkdir(parents=True)
    # The demo's media (form templates, images) as the shared file system holds them.
    for kind in ("media", "private"):
        if (TEMPLATE_FILES / kind).exists():
            subprocess.run(["cp", "-a", str(TEMPLATE_FILES / kind), str(setup.run_dir / kind)], check=True)
    manage(setup, "migrate", "--noinput")
    manage(setup, "collectstatic", "--noinput")
    redis.Redis.from_url(setup.cache_url).flushdb()


def setup_django(setup: Setup) -> None:
    """The bench's own process reads the database through the ORM (citizens,
    checks); it never serves a request."""
    os.environ.update(setup.env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ---------------------------------------------------------------- processes


@dataclass
class Proc:
    name: str
    kind: str  # "web" or "worker"
    popen: subprocess.Popen
    log: Path
    worker_id: str = ""
    killed: bool = False

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None


class Processes:
    """The portal's processes of one run; all stopped on exit, also on
    Ctrl-C, SIGTERM or an exception (each in its own process group, so a
    gunicorn master takes its workers with it)."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.procs: list[Proc] = []
        self._stopped = False

    def __enter__(self) -> Processes:
        atexit.register(self.stop_all)
        signal.signal(signal.SIGTERM, self._on_sigterm)
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()

    @staticmethod
    def _on_sigterm(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    def _start(self, name: str, kind: str, argv: list[str], env: dict[str, str] | None = None,
               worker_id: str = "") -> Proc:
        log = self.setup.log_dir / f"{name}.log"
        out = log.open("ab")
        popen = subprocess.Popen(argv, cwd=ROOT, env={**self.setup.env, **(env or {})}, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        proc = Proc(name, kind, popen, log, worker_id)
        self.procs.append(proc)
        return proc

    def start_web(self, index: int, env: dict[str, str] | None = None) -> Proc:
        port = self.setup.web_ports[index]
        argv = [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                "--workers", str(self.setup.web_workers),
                # gunicorn 27 puts its control socket at one path per user: one each
                "--control-socket", str(self.setup.run_dir / f"web-{index + 1}.ctl"), "config.wsgi"]
        return self._start(f"web-{index + 1}", "web", argv, env)

    def start_worker(self, worker_id: str) -> Proc:
        # As deploy/Procfile runs it, with --no-reload as in production
        # (the default follows DEBUG) and an id of our own to find its tasks.
        argv = [PYTHON, "manage.py", "db_worker", "--no-reload", "--worker-id", worker_id]
        return self._start(worker_id, "worker", argv, worker_id=worker_id)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        for base in self.setup.base_urls:
            while True:
                for proc in self.procs:
                    if not proc.alive() and not proc.killed:
                        raise SystemExit(f"{proc.name} exited ({proc.popen.returncode}); see {proc.log}")
                with contextlib.suppress(requests.RequestException):
                    if requests.get(base + "/healthz", timeout=10).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit(f"{base} did not answer /healthz in {timeout:.0f} s")
                time.sleep(0.5)

    def start_portal(self, task_workers: int = 2, web_env: dict[str, str] | None = None) -> list[Proc]:
        """Both gunicorn instances and the task workers, answering and warm."""
        for index in range(len(self.setup.web_ports)):
            self.start_web(index, web_env)
        workers = [self.start_worker(f"bench-worker-{n}") for n in range(1, task_workers + 1)]
        self.wait_ready()
        self.warm_up()
        print(f"web {', '.join(self.setup.base_urls)} ({self.setup.web_workers} gunicorn workers each), "
              f"task workers {', '.join(w.worker_id for w in workers)}; logs in {self.setup.log_dir}")
        return workers

    def warm_up(self) -> None:
        """A few pages on every gunicorn worker (imports, templates, the
        first database connection), not counted in any figure."""
        for base in self.setup.base_urls:
            for _ in range(2 * self.setup.web_workers):
                for path in ("/", "/accounts/login/", "/lookup/", "/search/?q=khai+sinh"):
                    with contextlib.suppress(requests.RequestException):
                        requests.get(base + path, timeout=60)

    def kill(self, proc: Proc) -> None:
        """SIGKILL, as when a machine dies: no clean-up runs."""
        proc.killed = True
        os.kill(proc.pid, signal.SIGKILL)
        proc.popen.wait()

    def stop_all(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for proc in self.procs:
            if proc.alive():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # what remains of the group
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(5)

    def living(self, kind: str) -> list[Proc]:
        return [p for p in self.procs if p.kind == kind and p.alive()]

    def server_pids(self) -> dict[str, int]:
        """Every serving process by name: each gunicorn worker (not the
        master, which only supervises) and each task worker."""
        pids = {}
        for proc in self.living("web"):
            for n, pid in enumerate(sorted(children(proc.pid)), 1):
                pids[f"{proc.name}/{n}:{pid}"] = pid
        for proc in self.living("worker"):
            pids[f"{proc.name}:{proc.pid}"] = proc.pid
        return pids

    def log_problems(self) -> tuple[dict[str, int], list[str]]:
        """Records at ERROR or CRITICAL in each process's log (Django's and
        gunicorn's formats), and the first few of them."""
        counts, first = {}, []
        for proc in self.procs:
            text = proc.log.read_text(encoding="utf-8", errors="replace") if proc.log.exists() else ""
            lines = [line for line in text.splitlines() if LOG_PROBLEM.search(line)]
            counts[proc.name] = len(lines)
            first += [f"{proc.name}: {line[:200]}" for line in lines[:3]]
        return counts, first


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float | None:
    """Resident memory of one process (VmRSS), or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Periodic(threading.Thread):
    """Calls `job()` every `seconds` until stopped (a scheduler's timer, or a sampler)."""

    def __init__(self, seconds: float, job, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.seconds, self.job = seconds, job
        self.stopping = threading.Event()
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stopping.wait(self.seconds):
            try:
                self.job()
            except Exception as error:  # noqa: BLE001 - reported at the end, never stops the run
                self.failures.append(f"{type(error).__name__}: {error}")
        from django.db import connection

        connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(60)


def scheduled_jobs(requested: list[str]) -> list[str]:
    """The scheduler's jobs that exist in this code (a job not yet merged is left out)."""
    from django.core.management import get_commands

    available = get_commands()
    return [name for name in requested if name in available]


def task_summary(since) -> list[str]:
    """The run's background tasks by what they do and how they ended."""
    from collections import Counter

    from django_tasks_db.models import DBTaskResult

    counts = Counter(DBTaskResult.objects.filter(enqueued_at__gte=since).values_list("task_path", "status"))
    return [f"{path.rsplit('.', 1)[-1]} {status} {count}" for (path, status), count in sorted(counts.items())]


def run_jobs(jobs: list[str]) -> None:
    """One tick of the scheduler, in this process (what cron would start)."""
    from django.core.management import call_command

    for name in jobs:
        call_command(name, stdout=open(os.devnull, "w"))


class LockSampler:
    """Samples pg_stat_activity for sessions of the bench's database waiting
    on a lock: a hot row shows up as queries queueing behind each other."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.samples = 0
        self.waiting_total = 0
        self.waiting_max = 0
        self.queries: dict[str, int] = defaultdict(int)

    def __call__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT query FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                [self.setup.database_name])
            rows = cursor.fetchall()
        self.samples += 1
        self.waiting_total += len(rows)
        self.waiting_max = max(self.waiting_max, len(rows))
        for (query,) in rows:
            self.queries[" ".join(query.split())[:110]] += 1

    def report(self) -> list[str]:
        lines = [f"lock waits (pg_stat_activity, {self.samples} samples): "
                 f"mean {self.waiting_total / max(self.samples, 1):.2f} sessions waiting, max {self.waiting_max}"]
        for query, count in sorted(self.queries.items(), key=lambda item: -item[1])[:5]:
            lines.append(f"  {count:5d} × {query}")
        return lines


# ---------------------------------------------------------------- the HTTP client


class JourneyError(Exception):
    """A page did not answer as a browser would expect (the error is counted)."""


@dataclass
class Sample:
    kind: str
    ms: float
    status: int  # 0: no answer (connection refused or reset, timeout)
    at: float


class Recorder:
    """Every request's kind, time and status, from all clients."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)

    def error(self, text: str) -> None:
        with self._lock:
            self.errors.append(text)

    def by_kind(self, since: float = 0) -> dict[str, list[float]]:
        kinds: dict[str, list[float]] = defaultdict(list)
        for sample in self.samples:
            if sample.at >= since and 0 < sample.status < 500:
                kinds[sample.kind].append(sample.ms)
        return kinds

    def server_errors(self) -> list[Sample]:
        return [s for s in self.samples if s.status == 0 or s.status >= 500]


class RoundRobin:
    """The load balancer: each request to the next instance."""

    def __init__(self, bases: list[str]) -> None:
        self._cycle = itertools.cycle(bases)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            return next(self._cycle)


class Client:
    """One visitor: their cookies, their address, their requests spread
    over the instances. Production sets Secure cookies and the bench speaks
    plain HTTP on loopback (as behind a TLS-terminating proxy), so cookies
    are kept whatever their Secure flag; redirects are followed by hand."""

    def __init__(self, balancer: RoundRobin, recorder: Recorder, address: str) -> None:
        self.balancer, self.recorder, self.address = balancer, recorder, address
        self.session = requests.Session()
        self.session.headers.update({"X-Forwarded-For": address, "Accept-Language": "vi",
                                     "User-Agent": "portal-bench"})

    def request(self, method: str, path: str, kind: str, expect=(200,), **kwargs) -> requests.Response:
        url = path if path.startswith("http") else self.balancer.next() + path
        started = time.perf_counter()
        try:
            response = self.session.request(method, url, allow_redirects=False, timeout=120, **kwargs)
        except requests.RequestException as error:
            self.recorder.add(Sample(kind, (time.perf_counter() - started) * 1000, 0, time.monotonic()))
            self.recorder.error(f"{method} {path}: {type(error).__name__}: {error}")
            raise JourneyError(f"{method} {path}: no answer") from error
        elapsed = (time.perf_counter() - started) * 1000
        for cookie in self.session.cookies:
            cookie.secure = False
        self.recorder.add(Sample(kind, elapsed, response.status_code, time.monotonic()))
        if response.status_code >= 500:
            self.recorder.error(f"{method} {path}: {response.status_code} "
                                f"(request id {response.headers.get('X-Request-ID', '?')})")
        if response.status_code not in expect:
            raise JourneyError(f"{method} {path}: {response.status_code}, expected {expect}")
        return response

    def get(self, path: str, kind: str, **kwargs) -> requests.Response:
        return self.request("GET", path, kind, **kwargs)

    def post(self, path: str, kind: str, data, **kwargs) -> requests.Response:
        return self.request("POST", path, kind, data=data, **kwargs)

    def sign_in(self, email_address: str, password: str) -> None:
        page = self.get("/accounts/login/", "sign-in")
        token = csrf_token(page.text)
        response = self.post("/accounts/login/", "sign-in", {"csrfmiddlewaretoken": token, "login": email_address,
                                                              "password": password}, expect=(302,))
        if "/accounts/login/" in response.headers.get("Location", ""):
            raise JourneyError(f"sign-in of {email_address} refused")


def csrf_token(page: str) -> str:
    tree = lxml_html.fromstring(page)
    found = tree.xpath("//input[@name='csrfmiddlewaretoken']/@value")
    if not found:
        raise JourneyError("no CSRF token on the page")
    return found[0]


def random_address(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


# ---------------------------------------------------------------- filling forms


def step_form(page: str):
    """The page's own form: posted to itself, not the search box, not
    sign-out, not the "discard this draft" buttons."""
    tree = lxml_html.fromstring(page)
    for form in tree.forms:
        if (form.method or "").lower() == "post" and not form.get("action") and not form.xpath(
                ".//input[@name='discard']"):
            return form
    raise JourneyError("no form on the page")


def fill(form, overrides: dict[str, str], upload: tuple[str, bytes, str], rng: random.Random):
    """What a careful applicant sends: what the page already holds (the
    profile's values, defaults), a plausible answer in each required field
    left empty, the PDF in every file field, and the "next" button."""
    data: list[tuple[str, str]] = []
    files = {}
    chosen: dict[str, str] = {}
    for element in form.xpath(".//input|.//select|.//textarea"):
        name = element.get("name")
        if not name or name in overrides:
            continue
        tag, kind = element.tag, (element.get("type") or "text").lower()
        required = element.get("required") is not None
        if tag == "select":
            values = [o.get("value", o.text_content()) for o in element.xpath(".//option")]
            value = next((o.get("value") for o in element.xpath(".//option[@selected]")), "") or ""
            choices = [v for v in values if v]
            if not value and required and choices:
                # the home province, so the commune list below matches it
                value = "66" if "66" in choices else rng.choice(choices)
            data.append((name, value))
        elif tag == "textarea":
            data.append((name, (element.text or "").strip() or ("Từ năm 2008 đến nay: Buôn Ma Thuột, Đắk Lắk"
                                                                  if required else "")))
        elif kind == "radio":
            if element.get("checked") is not None:
                chosen[name] = element.get("value")
            elif required:
                chosen.setdefault(name, element.get("value"))
        elif kind == "checkbox":
            if element.get("checked") is not None or required:
                data.append((name, element.get("value") or "on"))
        elif kind == "file":
            files[name] = upload
        elif kind in ("submit", "button", "image", "reset"):
            continue
        else:
            value = element.get("value") or ""
            if not value and required:
                mode = element.get("inputmode") or ""
                value = {"number": "2", "date": BIRTH_DATE, "tel": "0912345678", "email": "an@example.com"}.get(
                    kind) or {"numeric": "001090012345", "tel": "0912345678"}.get(mode, "Nguyễn Văn An")
            data.append((name, value))
    data += list(chosen.items()) + list(overrides.items())
    if form.xpath(".//button[@name='action'][@value='next']"):
        data.append(("action", "next"))
    return data, files


@dataclass
class Submission:
    code: str
    final_ms: float  # the final submit POST
    journey_ms: float  # every request of the journey, sign-in excluded
    email: str
    phone: str


def apply_online(client: Client, procedure: str, upload: tuple[str, bytes, str], rng: random.Random,
                 email_address: str, phone: str) -> Submission:
    """The e-form journey of `/p/<code>/apply/` (eforms.views.apply) from
    the start page to the confirmation, as the signed-in citizen: each step
    read, filled and posted, the PDF in every file field, SMS wanted, the
    receipt to `email_address`. The receiving agency is picked at random
    among those the page offers."""
    started = time.perf_counter()
    url = f"/p/{procedure}/apply/"
    page = client.get(url, "apply: start page").text
    response = client.post(url, "apply: start", {"csrfmiddlewaretoken": csrf_token(page)}, expect=(302,))
    url = response.headers["Location"]
    for _step in range(10):
        page = client.get(url, "apply: step page").text
        form = step_form(page)
        if url.rstrip("/").endswith("/review"):
            key = form.xpath(".//input[@name='idempotency_key']/@value")[0]
            data = {"csrfmiddlewaretoken": csrf_token(page), "idempotency_key": key, "declaration": "on"}
            final_started = time.perf_counter()
            response = client.post(url, "apply: submit", data, expect=(302,))
            final_ms = (time.perf_counter() - final_started) * 1000
            done = response.headers["Location"]
            if "/da-nop/" not in done:
                raise JourneyError(f"the submission led to {done}")
            client.get(done, "apply: confirmation")
            code = done.rstrip("/").split("/")[-2]
            return Submission(code, final_ms, (time.perf_counter() - started) * 1000, email_address, phone)
        overrides = {}
        if url.rstrip("/").endswith("/applicant"):
            overrides = {"email": email_address, "phone": phone, "sms_consent": "on"}
        data, files = fill(form, overrides, upload, rng)
        response = client.request("POST", url, "apply: step post", data=data, files=files or None,
                                  expect=(200, 302))
        if response.status_code != 302:
            problems = lxml_html.fromstring(response.text).xpath("//*[contains(@class,'error')]//text()")
            raise JourneyError(f"step {url} refused: {' '.join(' '.join(problems).split())[:300]}")
        url = response.headers["Location"]
    raise JourneyError(f"no review page after ten steps of {procedure}")


def online_procedures() -> list[str]:
    """The demo's procedures with a live e-form that takes dossiers online (level 3–4)."""
    from django.conf import settings

    from eforms.models import EFormPage

    codes = {page.procedure.code for page in EFormPage.objects.live().filter(
        locale__language_code=settings.LANGUAGE_CODE).select_related("procedure") if page.procedure.level >= 3}
    return sorted(codes)


def make_citizens(count: int, prefix: str) -> list[str]:
    """`count` citizen accounts as sign-up and a filled profile leave them:
    verified email, profile (name, ID number, birth date, address), consent
    to the privacy notice. Returns their email addresses."""
    import datetime as dt

    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import CitizenProfile, User
    from accounts.services import record_consent

    password = make_password(CITIZEN_PASSWORD)  # hashed once: they share it
    emails = []
    with transaction.atomic():
        for k in range(count):
            address = f"{prefix}-{k}@example.com"
            user = User.objects.create(username=f"{prefix}-{k}", email=address, password=password)
            EmailAddress.objects.create(user=user, email=address, verified=True, primary=True)
            CitizenProfile.objects.create(user=user, full_name=f"Nguyễn Văn Thử {k}",
                                          date_of_birth=dt.date.fromisoformat(BIRTH_DATE),
                                          id_number=f"0010900{k:05d}", phone=f"09{k:08d}", province_code="66",
                                          commune_code="24133", street=f"{k} Lê Duẩn")
            record_consent(user)
            emails.append(address)
    return emails


def small_pdf(kilobytes: int) -> tuple[str, bytes, str]:
    """A well-formed PDF of about that size (a phone scan's worth), as an upload."""
    from tests.dossier_factories import pdf_bytes

    base = pdf_bytes("Ban sao can cuoc")
    padding = max(0, kilobytes * 1024 - len(base) - 64)
    return "ban-sao-can-cuoc.pdf", pdf_bytes("Ban sao can cuoc " + "x" * padding), "application/pdf"


# ---------------------------------------------------------------- the outboxes


def emails_sent(setup: Setup) -> list[email.message.EmailMessage]:
    """Every message the file email backend wrote (one file per
    connection, messages separated by a line of 79 dashes)."""
    messages = []
    for path in sorted(setup.email_dir.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def sms_sent(setup: Setup) -> list[dict]:
    if not setup.sms_file.exists():
        return []
    return [json.loads(line) for line in setup.sms_file.read_text(encoding="utf-8").splitlines() if line.strip()]
