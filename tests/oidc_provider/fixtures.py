"""pytest fixtures and helpers for the stand-in OpenID Connect provider.

Import the fixture into a test module (`from tests.oidc_provider.fixtures
import oidc_provider`). The provider is one subprocess for the whole test
session, on a free 127.0.0.1 port, with its own SQLite file in a temp
folder; the portal talks to it over real HTTP, exactly as to VNeID."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
PROVIDER_ID = "vneid"
CALLBACK_PATH = f"/accounts/oidc/{PROVIDER_ID}/login/callback/"

# The identity provider's registry: what it knows and releases about people.
USERS = [
    {
        "username": "citizen",
        "password": "citizen-pass-1",
        "claims": {
            "name": "Nguyễn Thị Mai",
            "given_name": "Mai",
            "family_name": "Nguyễn Thị",
            "birthdate": "1990-05-17",
            "email": "mai.nguyen@example.vn",
            "email_verified": True,
            "phone_number": "+84 912 345 678",
            "id_number": "066190001234",
        },
    },
    {
        # Claims an email that belongs to someone else's portal account,
        # without the provider vouching for it.
        "username": "unverified",
        "password": "unverified-pass-1",
        "claims": {"name": "Kẻ Mạo Danh", "email": "owner@example.vn", "email_verified": False},
    },
    {
        # The provider vouches for an email that is a staff member's.
        "username": "staffmail",
        "password": "staffmail-pass-1",
        "claims": {"name": "Trần Văn Cán Bộ", "email": "staff@example.vn", "email_verified": True},
    },
    {
        # Vouches for an ordinary citizen's email.
        "username": "owner",
        "password": "owner-pass-1",
        "claims": {"name": "Lê Văn Chủ", "email": "owner@example.vn", "email_verified": True},
    },
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OIDCProvider:
    url: str
    client_id: str
    secret: str
    users: list[dict] = field(default_factory=lambda: USERS)

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def password(self, username: str) -> str:
        return next(u["password"] for u in self.users if u["username"] == username)

    def claims(self, username: str) -> dict:
        return next(u["claims"] for u in self.users if u["username"] == username)

    def social_app(self, provider_id: str = PROVIDER_ID, name: str = "VNeID", **app_settings):
        """Register the provider in the portal the way an administrator does:
        a SocialApp row with client id, secret and issuer URL."""
        from allauth.socialaccount.models import SocialApp

        return SocialApp.objects.create(
            provider="openid_connect",
            provider_id=provider_id,
            name=name,
            client_id=self.client_id,
            secret=self.secret,
            settings={"server_url": self.issuer, "oauth_pkce_enabled": True, **app_settings},
        )

    def consent(self, authorize_url: str, username: str, allow: bool = True) -> str:
        """Play the citizen at the provider without a browser: sign in, then
        allow (or cancel) at the consent page. Returns the URL the provider
        sends the browser back to (the portal's callback)."""
        session = requests.Session()
        page = session.get(authorize_url, timeout=10)
        page.raise_for_status()
        form = BeautifulSoup(page.text, "html.parser").find("form")
        data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("type") == "hidden"}
        data.update(username=username, password=self.password(username))
        page = session.post(page.url, data=data, timeout=10)
        page.raise_for_status()
        form = BeautifulSoup(page.text, "html.parser").find("form", id="authorizationForm")
        assert form is not None, page.text
        data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("type") == "hidden"}
        if allow:
            data["allow"] = "Authorize"
        answer = session.post(page.url, data=data, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


def local_path(url: str) -> str:
    """The path and query of an absolute URL, for Django's test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="session")
def oidc_provider():
    workdir = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    users_file = workdir / "users.json"
    users_file.write_text(json.dumps(USERS, ensure_ascii=False), encoding="utf-8")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    client_id, secret = "portal-test-client", "portal-test-secret-" + os.urandom(8).hex()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}},
        "OIDC_TEST_DB": str(workdir / "provider.sqlite3"),
        "OIDC_TEST_USERS": str(users_file),
        "OIDC_TEST_ISSUER": f"{url}/o",
        "OIDC_TEST_CLIENT_ID": client_id,
        "OIDC_TEST_CLIENT_SECRET": secret,
        # Loopback redirect URIs match on any port (RFC 8252), which covers
        # pytest-django's live server; "testserver" is Django's test client.
        "OIDC_TEST_REDIRECT_URIS": f"http://127.0.0.1{CALLBACK_PATH} http://testserver{CALLBACK_PATH}",
        "PYTHONPATH": str(REPO_ROOT),
    }
    # Its request log goes to a file: an unread pipe would fill and stall it.
    log = open(workdir / "provider.log", "w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("READY"):
            process.kill()
            process.wait()
            log.seek(0)
            pytest.fail(f"the test OpenID Connect provider did not start:\n{line}{log.read()}")
        yield OIDCProvider(url=url, client_id=client_id, secret=secret)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
