"""What several benchmarks share: a PostgreSQL database of their own on the
server `DATABASE_URL` names, and percentiles."""

from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit, urlunsplit

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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]
