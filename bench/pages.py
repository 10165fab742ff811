"""Benchmark: the public pages as production serves them, under load.

    .venv/bin/python bench/pages.py [--seconds 10] [--connections 16] [--threads 2] [--workers 2]
                                    [--code 2.000488] [--keep] [--fresh]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pages.py

It builds its own copy of the demo province: a SQLite file under
`bench/.data/pages/`, or, when DATABASE_URL names a PostgreSQL server, the
database `bench_pages` on that server (never the URL's own database, never
`test`), migrated and filled by `manage.py load_demo` (with a small demo
year of statistics, `--statistics-dossiers`), then `collectstatic`. Its
shared cache is the local Redis (a database of its own, `--redis-db`, which
it empties) when one answers on 127.0.0.1:6379, else the database cache
(`db://`, whose reads are then queries too). With `--keep` the database and
its folder are reused by the next run and left in place; without, they are
made afresh and removed at the end.

It then starts gunicorn with the repository's `gunicorn.conf.py` and
production settings (`config.settings.production`, a throw-away secret key,
`DJANGO_ALLOWED_HOSTS=127.0.0.1`, no HTTPS redirect) with `--workers` sync
workers on a free loopback port, twice: once with the anonymous page cache
on (`PORTAL_PAGE_CACHE_SECONDS=300`) and once with it off
(`PORTAL_PAGE_CACHE_SECONDS=0`). Against each, after a warm-up of every
URL, wrk (`wrk -t<threads> -c<connections> -d<seconds>s --latency`) loads,
one after the other:

- cache on: a procedure page (`--code`, the demo procedure that shows every
  section: co-handling agency, components with form templates, fees, legal
  basis, e-form) and the home page;
- cache off: the same procedure page, the home page, a search
  (`/search/?q=dang ky khai sinh`) and one static file (the site's
  stylesheet, served by whitenoise).

Query counts are measured apart, with Django's test client in a process of
its own using the same settings, database and cache (page cache off): the
first request after the cache is emptied (cold) and the next one (warm), in
Vietnamese and English. It prints what was measured, a table (requests per
second, latency p50/p99 from wrk, non-2xx answers, socket errors), and as
its last line

    pages cached_vs_static=<ratio> uncached_rps=<rps> queries_procedure=<n> queries_home=<n>

where the ratio is the cached procedure page's throughput over the static
file's, uncached_rps the procedure page's with the cache off, and the query
counts the warm ones, the larger of the two languages. Figures on a shared
machine are noisy: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PostgresDatabase, is_postgres  # noqa: E402

DEFAULT_WORKDIR = ROOT / "bench" / ".data" / "pages"
PG_NAME = "bench_pages"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SEARCH_QUERY = "dang ky khai sinh"
READY_MARK = "demo-loaded"  # a file in the work folder once the demo is in the database
REDIS_MARK = "bench:pages"  # a key in the bench's Redis database: it may empty that database
CACHED_SECONDS = "300"


def program_exit(message: str) -> None:
    sys.exit(f"bench/pages.py: {message}")


# ---------------------------------------------------------------- environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url(db: int) -> str | None:
    """The bench's Redis database when a Redis server answers locally. It
    refuses one holding keys it did not write (another program's data)."""
    try:
        import redis
    except ImportError:
        return None
    client = redis.Redis(host="127.0.0.1", port=6379, db=db, socket_connect_timeout=1)
    try:
        client.ping()
        if client.dbsize() and not client.exists(REDIS_MARK):
            program_exit(f"Redis database {db} holds someone else's keys; choose another with --redis-db")
        client.flushdb()
        client.set(REDIS_MARK, "1")
    except redis.exceptions.ConnectionError:
        return None
    return f"redis://127.0.0.1:6379/{db}"


def mark_redis(db: int) -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=db).set(REDIS_MARK, "1")


def environment(args, database_url: str, cache_url: str, workdir: Path) -> dict[str, str]:
    """What production would set, pointed at the bench's own database, cache and folders."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PORTAL_", "GUNICORN_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "DJANGO_CACHE_URL": cache_url,
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "PORTAL_PRIVATE_MEDIA_ROOT": str(workdir / "private-media"),
        "PORTAL_SMS_FILE_DIR": str(workdir / "sms-outbox"),
        "PORTAL_DEMO_STATISTICS_DOSSIERS": str(args.statistics_dossiers),
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def manage(env: dict, *command: str) -> None:
    started = time.perf_counter()
    result = subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        program_exit(f"manage.py {' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    print(f"  manage.py {' '.join(command)} ({time.perf_counter() - started:.0f} s)", flush=True)


def prepare(env: dict, workdir: Path, fresh: bool, db_cache: bool) -> None:
    manage(env, "migrate", "--no-input", "-v0")
    if db_cache:
        manage(env, "createcachetable")
    if fresh or not (workdir / READY_MARK).exists():
        manage(env, "load_demo", "--force")
        (workdir / READY_MARK).write_text("1")
    manage(env, "collectstatic", "--no-input", "-v0")


# ---------------------------------------------------------------- what is asked for


COUNT_SCRIPT = r"""
import json, sys
from urllib.parse import urlencode
import django
django.setup()
from django.core.cache import cache
from django.db import connection
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale
from procedures.models import ProcedurePage

code, query = sys.argv[1], sys.argv[2]
page = ProcedurePage.objects.live().filter(code=code, locale__language_code="vi").first()
if page is None:
    sys.exit(f"no live Vietnamese procedure page with the code {code}")
english = page.get_translation_or_none(Locale.objects.get(language_code="en"))
with translation.override("vi"):
    search = reverse("search")
urls = {
    "procedure": page.url,
    "procedure_en": english.url if english else None,
    "home": "/",
    "home_en": "/en/",
    "search": search + "?" + urlencode({"q": query}),
    "static": static("css/portal.css"),
}
client = Client(HTTP_HOST="127.0.0.1")
counts = {}
cache.clear()
for name in ("procedure", "procedure_en", "home", "home_en", "search"):
    if urls[name] is None:
        continue
    measured = []
    for _ in range(2):  # the first after the cache was emptied, then warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(urls[name])
        if response.status_code != 200:
            sys.exit(f"{urls[name]} answered {response.status_code}")
        measured.append(len(queries.captured_queries))
    counts[name] = {"cold": measured[0], "warm": measured[1]}
print(json.dumps({"urls": urls, "queries": counts}))
"""


def count_queries(env: dict, code: str) -> dict:
    """URLs of the measured pages and their query counts (page cache off)."""
    result = subprocess.run([PYTHON, "-c", COUNT_SCRIPT, code, SEARCH_QUERY], cwd=ROOT,
                            env={**env, "PORTAL_PAGE_CACHE_SECONDS": "0"}, capture_output=True, text=True)
    if result.returncode != 0:
        program_exit(f"counting queries failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- serving and loading


class Server:
    """gunicorn with the repository's configuration, on a free loopback port."""

    def __init__(self, env: dict, workers: int, workdir: Path, label: str):
        self.port = free_port()
        self.log = workdir / f"gunicorn-{label}.log"
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers),
                    "GUNICORN_ACCESS_LOG": str(workdir / f"access-{label}.log")}
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        with self.log.open("w") as log:
            self.process = subprocess.Popen([GUNICORN, "-c", "gunicorn.conf.py", "config.wsgi"], cwd=ROOT,
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                program_exit(f"gunicorn stopped (exit {self.process.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.__exit__()
        program_exit(f"gunicorn did not answer /healthz within 90 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def warm(url: str, requests: int = 20) -> None:
    """Each worker builds its templates, caches and connection before the timing."""
    for _ in range(requests):
        with urllib.request.urlopen(url, timeout=30) as answer:
            if answer.status != 200:
                program_exit(f"{url} answered {answer.status}")
            answer.read()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(args, url: str) -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "10s",
               "--latency", url]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        program_exit(f"wrk failed on {url}: {result.stderr.strip()}")
    out = result.stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
               "requests": int(re.search(r"(\d+) requests in", out).group(1))}
    for share in ("50", "99"):
        figures[f"p{share}"] = milliseconds(re.search(rf"^\s+{share}%\s+(\S+)", out, re.M).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    figures["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    figures["errors"] = sum(int(n) for n in errors.groups()) if errors else 0
    return figures


def load(args, server: Server, targets: list[tuple[str, str]]) -> dict[str, dict]:
    for _name, path in targets:
        warm(server.base + path)
    results = {}
    for name, path in targets:
        results[name] = wrk(args, server.base + path)
        print(f"  {name}: {results[name]['rps']:.1f} requests/s", flush=True)
    return results


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's sync workers")
    parser.add_argument("--code", default="2.000488", help="the procedure whose page is loaded")
    parser.add_argument("--statistics-dossiers", type=int, default=20, help="the demo year's dossiers")
    parser.add_argument("--redis-db", type=int, default=11, help="the local Redis database the bench empties and uses")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--keep", action="store_true", help="reuse the database and folder of an earlier run, and keep them")
    parser.add_argument("--fresh", action="store_true", help="load the demo again even with --keep")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        program_exit("wrk is not installed: apt-get install wrk")

    workdir = args.workdir
    url = os.environ.get("DATABASE_URL", "")
    postgres = None
    if not args.keep or args.fresh:
        shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    if is_postgres(url):
        postgres = PostgresDatabase(url, PG_NAME, keep=args.keep and not args.fresh, program="bench/pages.py")
        if postgres.create():
            (workdir / READY_MARK).unlink(missing_ok=True)
        postgres.keep = args.keep
        database_url, database_label = postgres.url, f"PostgreSQL (database {PG_NAME} on the DATABASE_URL server)"
    elif url and not url.startswith("sqlite"):
        program_exit(f"DATABASE_URL must be SQLite or PostgreSQL, not {url.split(':')[0]}")
    else:
        database_url, database_label = f"sqlite:///{workdir / 'bench.sqlite3'}", f"SQLite ({workdir / 'bench.sqlite3'})"
    cache_url = redis_url(args.redis_db)
    cache_label = f"Redis database {args.redis_db} on 127.0.0.1:6379"
    if cache_url is None:
        cache_url, cache_label = "db://bench_pages_cache", "the database cache (db://; its reads count as queries)"
    env = environment(args, database_url, cache_url, workdir)

    load_before = os.getloadavg()
    started = time.perf_counter()
    try:
        print(f"preparing {database_label}", flush=True)
        prepare(env, workdir, args.fresh, cache_url.startswith("db://"))
        counted = count_queries(env, args.code)
        if cache_url.startswith("redis://"):
            mark_redis(args.redis_db)  # the count emptied the cache: the database is the bench's again
        urls, queries = counted["urls"], counted["queries"]
        results: dict[str, dict[str, dict]] = {}
        for mode, seconds, targets in (
            ("cached", CACHED_SECONDS, [("procedure", urls["procedure"]), ("home", urls["home"])]),
            ("uncached", "0", [("procedure", urls["procedure"]), ("home", urls["home"]),
                               ("search", urls["search"]), ("static", urls["static"])]),
        ):
            print(f"gunicorn, page cache {'on' if mode == 'cached' else 'off'} (PORTAL_PAGE_CACHE_SECONDS={seconds})",
                  flush=True)
            with Server({**env, "PORTAL_PAGE_CACHE_SECONDS": seconds}, args.workers, workdir, mode) as server:
                results[mode] = load(args, server, targets)
    finally:
        if postgres:
            postgres.drop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    load_after = os.getloadavg()

    report(args, database_label, cache_label, urls, queries, results, load_before, load_after,
           time.perf_counter() - started)


def report(args, database_label, cache_label, urls, queries, results, load_before, load_after, elapsed) -> None:
    print()
    print(f"database: {database_label}; shared cache: {cache_label}")
    print(f"gunicorn: {args.workers} sync workers, config.settings.production, on loopback; "
          f"load: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s --latency, one URL at a time, "
          f"each after 20 warm-up requests; machine: {os.cpu_count()} CPUs shared by server and wrk; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; run took {elapsed:.0f} s")
    print(f"procedure page: {urls['procedure']} (code {args.code}); search: {urls['search']}; "
          f"static: {urls['static']}")
    print("queries per request, page cache off (test client, same settings, database and cache; "
          "cold = first request after the cache was emptied, warm = the next):")
    for name, count in queries.items():
        print(f"  {name:13} cold {count['cold']:3}  warm {count['warm']:3}")
    print()
    print(f"{'page':10} {'page cache':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} "
          f"{'non-2xx':>8} {'errors':>7}")
    for mode in ("cached", "uncached"):
        for name, figures in results[mode].items():
            print(f"{name:10} {'on' if mode == 'cached' else 'off':10} {figures['rps']:9.1f} {figures['p50']:8.1f} "
                  f"{figures['p99']:8.1f} {figures['requests']:9} {figures['non_2xx']:8} {figures['errors']:7}")
    static = results["uncached"]["static"]["rps"]
    ratio = results["cached"]["procedure"]["rps"] / static if static else 0.0
    procedure_queries = max(queries[name]["warm"] for name in ("procedure", "procedure_en") if name in queries)
    home_queries = max(queries[name]["warm"] for name in ("home", "home_en"))
    print(f"pages cached_vs_static={ratio:.2f} uncached_rps={results['uncached']['procedure']['rps']:.1f} "
          f"queries_procedure={procedure_queries} queries_home={home_queries}")


if __name__ == "__main__":
    main()
