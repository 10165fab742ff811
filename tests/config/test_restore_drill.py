"""The restore drill (deploy/README.md, "Backups"): back up the database and
both file stores with deploy/backup.sh, restore them with deploy/restore.sh
into a new database and new folders, and find a dossier by its code with
its file intact there. PostgreSQL only: pg_dump reads committed data, so
the test commits (transactional) and runs in CI's PostgreSQL pass."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from eforms.file_kinds import UploadRules
from eforms.services import supplement_field
from eforms.uploads import check_file, store
from tests.databases import postgresql_only
from tests.dossier_factories import make_agency, make_citizen, make_procedure, pdf_bytes, submit, upload

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [postgresql_only("pg_dump and pg_restore need PostgreSQL; runs in CI's PostgreSQL pass"),
              pytest.mark.django_db(transaction=True)]


def _url(name: str) -> str:
    conf = connection.settings_dict
    user = conf.get("USER") or "postgres"
    auth = f"{user}:{conf['PASSWORD']}" if conf.get("PASSWORD") else user
    return f"postgres://{auth}@{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def test_a_backup_restores_into_a_new_database_with_the_dossier_and_its_file(tmp_path, home_page):
    agency = make_agency("000.00.09.H01", "Sở Tư pháp")
    dossier = submit(make_procedure("1.009999", agency), make_citizen("drill"))
    checked = check_file(upload("cccd.pdf", pdf_bytes("CCCD")), UploadRules.default(), supplement_field(0))
    attachment = store(checked, uploaded_by=None, dossier=dossier, event=None)
    assert Path(attachment.file.path).is_file()

    env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"]),
           "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "PORTAL_PRIVATE_MEDIA_ROOT": str(settings.PORTAL_PRIVATE_MEDIA_ROOT),
           "BACKUP_DIR": str(tmp_path / "backups"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    made = subprocess.run(["sh", "deploy/backup.sh"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz", "private-media.tar.gz",
                                                  "SHA256SUMS"}

    restored_db = f"restore_drill_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{restored_db}"')
    try:
        media, private = tmp_path / "restored-media", tmp_path / "restored-private"
        restore_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
        restore_env.pop("DATABASE_URL")
        ran = subprocess.run(
            ["sh", "deploy/restore.sh", str(backup), _url(restored_db), str(media), str(private), dossier.code],
            cwd=ROOT, env=restore_env, capture_output=True, text=True, timeout=300)
        assert ran.returncode == 0, ran.stderr
        assert f"{dossier.code}: submitted, 1 file(s) present and unchanged" in ran.stdout

        # The check can fail: one changed byte in the restored dossier file.
        restored_file = private / attachment.file.name
        data = bytearray(restored_file.read_bytes())
        data[-10] ^= 0xFF
        restored_file.write_bytes(bytes(data))
        check = subprocess.run(
            [sys.executable, "manage.py", "check_dossier", dossier.code], cwd=ROOT, capture_output=True, text=True,
            env={**restore_env, "DATABASE_URL": _url(restored_db), "DJANGO_MEDIA_ROOT": str(media),
                 "PORTAL_PRIVATE_MEDIA_ROOT": str(private)}, timeout=300)
        assert check.returncode != 0 and "changed since upload" in check.stderr
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
