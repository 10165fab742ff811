"""Tasks for the stale-task tests only: one that records each run in a file,
and one that blocks until a file appears (so a real worker can be killed
while it runs)."""

from __future__ import annotations

import time
from pathlib import Path

from core.tasks import task

#: How long the blocking task waits for its go-ahead before giving up, so a
#: worker left behind by a broken test ends by itself.
GIVE_UP_SECONDS = 120


def _record(runs: str) -> int:
    with open(runs, "a", encoding="utf-8") as out:
        out.write("run\n")
    return len(Path(runs).read_text(encoding="utf-8").splitlines())


@task()
def record_run(runs: str) -> int:
    return _record(runs)


@task()
def wait_then_record(started: str, go: str, runs: str) -> int:
    Path(started).write_text("started", encoding="utf-8")
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while not Path(go).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("no go-ahead")
        time.sleep(0.05)
    return _record(runs)
