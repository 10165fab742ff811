"""Benchmark: does a web worker's Python heap grow under the public load?

    .venv/bin/python bench/pages.py --keep          # builds bench/.data/pages once
    .venv/bin/python bench/heap.py [--warmup 3000] [--requests 6000]

`bench/mixed.py` reads the resident memory (VmRSS) of every process, which
also moves with the allocator's arenas and bounded caches filling. This
looks at the Python heap itself: in one process, with the production
settings on the copy of the demo `bench/pages.py --keep` leaves (its SQLite
file, and the local Redis database 11 as shared cache), it sends
`--warmup` requests through Django's request handler (Django's test client:
the same middleware, page cache on), then starts `tracemalloc` and sends
`--requests` more: three quarters procedure pages (every live one, both
languages), a quarter searches (a few words and a number, so new queries
keep arriving). It prints what grew most, by the line that allocated it,
and as its last line `heap requests=… growth_kib=…`.

Allocations made by the test client itself (its signal receivers, kept
through weak references) are left out: a gunicorn worker has none.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "bench" / ".data" / "pages"
QUERIES = ["dang ky khai sinh", "ly lich tu phap", "giay phep", "ket hon", "dat dai", "xay dung", "cap doi",
           "ho tich"]
LEFT_OUT = [tracemalloc.Filter(False, pattern) for pattern in
            ("*/weakref.py", "*/dispatch/dispatcher.py", "*/tracemalloc.py", __file__)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warmup", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    if not (WORKDIR / "demo-loaded").exists():
        sys.exit("bench/heap.py: run `bench/pages.py --keep` once first (it builds the demo copy this reads)")
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, db=11, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        sys.exit("bench/heap.py: no Redis answers on 127.0.0.1:6379 (the shared cache bench/pages.py used)")

    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{WORKDIR / 'bench.sqlite3'}", "DJANGO_CACHE_URL": "redis://127.0.0.1:6379/11",
        "DJANGO_MEDIA_ROOT": str(WORKDIR / "media"), "DJANGO_STATIC_ROOT": str(WORKDIR / "static"),
        "PORTAL_PRIVATE_MEDIA_ROOT": str(WORKDIR / "private-media"), "DJANGO_LOG_LEVEL": "WARNING",
    })
    # The repository, not bench/ (whose statistics.py would hide the standard library's).
    sys.path[0] = str(ROOT)
    import django

    django.setup()
    from django.test import Client

    from procedures.models import ProcedurePage

    urls = [page.url for page in ProcedurePage.objects.live()]
    client = Client(HTTP_HOST="127.0.0.1")

    def send(count: int) -> None:
        for _ in range(count):
            if random.random() < 0.75:
                answer = client.get(random.choice(urls))
            else:
                answer = client.get("/search/", {"q": f"{random.choice(QUERIES)} {random.randint(0, 50)}"})
            if answer.status_code != 200:
                sys.exit(f"bench/heap.py: {answer.request['PATH_INFO']} answered {answer.status_code}")

    send(args.warmup)
    gc.collect()
    tracemalloc.start(8)
    before = tracemalloc.take_snapshot().filter_traces(LEFT_OUT)
    send(args.requests)
    gc.collect()
    after = tracemalloc.take_snapshot().filter_traces(LEFT_OUT)
    tracemalloc.stop()

    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(f"{len(urls)} procedure pages, {len(QUERIES)} queries; {args.warmup} requests of warm-up, then "
          f"{args.requests} measured in one process (Django's request handler, production settings, page cache on)")
    print("grew most (by the line that allocated; the innermost portal or library frame shown):")
    for stat in after.compare_to(before, "traceback")[: args.top]:
        frames = [frame for frame in stat.traceback if str(ROOT) in frame.filename]
        where = frames[-1] if frames else stat.traceback[-1]
        print(f"  {stat.size_diff / 1024:+8.1f} KiB {stat.count_diff:+6d} blocks  {where.filename}:{where.lineno}")
    print(f"heap requests={args.requests} growth_kib={growth / 1024:.0f}")


if __name__ == "__main__":
    main()
