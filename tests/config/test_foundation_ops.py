"""/healthz, settings from the environment, the production check
and static files served by whitenoise with hashed, compressed names."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_up(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["checks"]) == (
        "ok", {"database": "ok", "search": "ok", "storage": "ok", "cache": "ok"})
    assert body["tasks"] == {"ready": 0, "running": 0, "failed_24h": 0, "oldest_ready_seconds": None}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_database_down(db):
    from unittest import mock

    from django.db import connections

    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("connection refused")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"] == "down: OperationalError"


def test_healthz_search_down(db, settings):
    # A real Elasticsearch backend pointed at a port where nothing listens.
    pytest.importorskip("elasticsearch")
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "wagtail.search.backends.elasticsearch8", "URLS": ["http://127.0.0.1:9"], "TIMEOUT": 1}
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["search"].startswith("down")


def test_healthz_storage_down(db, settings, tmp_path):
    # A media root that cannot exist: its parent is a regular file (this
    # fails even for root, who ignores permission bits).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    # FileSystemStorage drops its cached location on setting_changed.
    settings.MEDIA_ROOT = str(blocker / "media")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("down: ")
    assert response.json()["checks"]["database"] == "ok"


def _run_production(code: str, tmp_path: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-" + "y" * 40,
        "DJANGO_ALLOWED_HOSTS": "dichvucong.example.gov.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_CACHE_URL": "db://portal_cache",
        **(extra_env or {}),
    }
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_production_settings_pass_check_deploy(tmp_path):
    result = _run_production(
        "import django, sys; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')",
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _run_production("import django; django.setup()", tmp_path, {"DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_settings_read_from_environment(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'db': s.DATABASES['default']['ENGINE'],"
        "'search': s.WAGTAILSEARCH_BACKENDS['default']['BACKEND'], 'static': str(s.STATIC_ROOT),"
        "'media': str(s.MEDIA_ROOT), 'email': s.EMAIL_HOST, 'email_port': s.EMAIL_PORT,"
        "'cache': s.CACHES['default']['BACKEND'], 'cache_location': s.CACHES['default'].get('LOCATION'),"
        "'tasks': s.TASKS['default']['BACKEND']}))"
    )
    result = _run_production(code, tmp_path, {"DJANGO_EMAIL_HOST": "smtp.example.vn", "DJANGO_EMAIL_PORT": "587"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["debug"] is False
    assert values["hosts"] == ["dichvucong.example.gov.vn"]
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["search"] == "wagtail.search.backends.database"
    assert values["static"] == str(tmp_path / "static")
    assert values["media"] == str(tmp_path / "media")
    assert values["email"] == "smtp.example.vn" and values["email_port"] == 587
    assert values["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"  # never inside a request in production

    result = _run_production(code, tmp_path, {"DATABASE_URL": "postgres://u:p@db.internal:5432/portal",
                                              "ELASTICSEARCH_URL": "http://es.internal:9200",
                                              "DJANGO_CACHE_URL": "redis://cache.internal:6379/1"})
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["db"] == "django.db.backends.postgresql"
    assert "elasticsearch" in values["search"]
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["cache_location"] == "redis://cache.internal:6379/1"

    result = _run_production(code, tmp_path, {"DJANGO_CACHE_URL": "db://portal_cache"})
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert values["cache_location"] == "portal_cache"


def test_file_email_backend_writes_into_the_configured_folder(tmp_path):
    """Trials and bench/cluster.py count the messages sent in these files."""
    outbox = tmp_path / "outbox"
    result = _run_production(
        "import django; django.setup(); from django.core.mail import send_mail;"
        "send_mail('Hồ sơ 000.00.10.H30-261202-0001', 'Nội dung', None, ['an@example.com'])",
        tmp_path,
        {"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
         "DJANGO_EMAIL_FILE_PATH": str(outbox)},
    )
    assert result.returncode == 0, result.stderr
    [written] = outbox.iterdir()
    assert "an@example.com" in written.read_text(encoding="utf-8")
def test_production_keeps_database_connections_open_with_health_checks(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "d = s.DATABASES['default']; print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
    )
    result = _run_production(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [600, True]
    result = _run_production(code, tmp_path, {"DJANGO_DB_CONN_MAX_AGE": "0"})
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [0, True]


def test_whitenoise_serves_hashed_compressed_static(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('collectstatic', interactive=False, verbosity=0);"
        "from django.contrib.staticfiles.storage import staticfiles_storage as st; from django.test import Client;"
        "url = st.url('css/portal.css'); print(url);"
        "r = Client(HTTP_HOST='dichvucong.example.gov.vn').get(url, secure=True, HTTP_ACCEPT_ENCODING='gzip');"
        "print(r.status_code, r.get('Content-Encoding'), r.get('Cache-Control'))"
    )
    result = _run_production(code, tmp_path)
    assert result.returncode == 0, result.stderr
    url, status_line = result.stdout.strip().splitlines()[-2:]
    assert url.startswith("/static/css/portal.") and url.endswith(".css") and url != "/static/css/portal.css"
    status, encoding, cache = status_line.split(" ", 2)
    assert status == "200"
    assert encoding == "gzip"
    assert "immutable" in cache


def test_gunicorn_preloads_the_application_unless_told_not_to(monkeypatch):
    import runpy

    conf = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    for name in ("GUNICORN_PRELOAD", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    defaults = runpy.run_path(str(conf))
    assert defaults["preload_app"] is True and defaults["max_requests"] == 2000
    assert callable(defaults["when_ready"])
    monkeypatch.setenv("GUNICORN_PRELOAD", "0")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "5000")
    changed = runpy.run_path(str(conf))
    assert changed["preload_app"] is False and changed["max_requests"] == 5000
