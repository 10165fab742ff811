"""The API tests' world: two agencies, each with a procedure, a submitted
dossier with a file, and an API client whose token comes from the real
token endpoint (client credentials, HTTP Basic)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field

import pytest
from django.test import Client

from api import oauth
from eforms.uploads import UploadRules, check_file, store
from tests.dossier_factories import (
    JUSTICE_CODE,
    WARD_CODE,
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    pdf_bytes,
    submit,
    upload,
)

ALL_SCOPES = ["catalogue:read", "dossiers:read", "dossiers:write"]


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def get_token(http: Client, client_id: str, secret: str, scope: str | None = None):
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope is not None else {})}
    return http.post("/o/token/", data, HTTP_AUTHORIZATION=basic(client_id, secret))


@dataclass
class Caller:
    """An API client's software: its credentials, a token, and requests."""

    client: object
    client_id: str
    secret: str
    http: Client = field(default_factory=Client)
    token: str = ""

    def fetch_token(self, scope: str | None = None) -> str:
        answer = get_token(self.http, self.client_id, self.secret, scope)
        assert answer.status_code == 200, answer.content
        self.token = answer.json()["access_token"]
        return self.token

    def headers(self, key: str | None = None, **extra) -> dict:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **extra}
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return headers

    def get(self, path: str, **extra):
        return self.http.get(path, **self.headers(**extra))

    def post(self, path: str, data: dict | None = None, *, key: str | None = "auto", **extra):
        key = uuid.uuid4().hex if key == "auto" else key
        return self.http.post(path, json.dumps(data or {}), content_type="application/json",
                              **self.headers(key, **extra))

    def upload(self, path: str, name: str, content: bytes, purpose: str = "result", *, key: str | None = "auto"):
        key = uuid.uuid4().hex if key == "auto" else key
        return self.http.post(path, {"purpose": purpose, "file": upload(name, content)}, **self.headers(key))


def make_caller(agency, scopes=ALL_SCOPES, name: str = "Phần mềm một cửa") -> Caller:
    client, credentials = oauth.register(name=name, agency=agency, scopes=scopes)
    caller = Caller(client, credentials.client_id, credentials.client_secret)
    caller.fetch_token()
    return caller


def wait_for_the_feed_horizon(timeout: float = 120) -> None:
    """On PostgreSQL the change feed gives only rows older than every
    transaction still open in the whole cluster (transaction ids are
    cluster-wide), so another test process's open test transaction holds
    back what this test committed. Wait until it has ended."""
    from django.db import connection
    from django.db.models import Max

    from api.models import DossierChange

    if connection.vendor != "postgresql":
        return
    newest = DossierChange.objects.aggregate(newest=Max("txid"))["newest"]
    deadline = time.monotonic() + timeout
    while newest:
        with connection.cursor() as cursor:
            cursor.execute("SELECT txid_snapshot_xmin(txid_current_snapshot())")
            if cursor.fetchone()[0] > newest:
                return
        assert time.monotonic() < deadline, "a transaction older than this test's changes stayed open"
        time.sleep(0.2)


def submitted_dossier(procedure, citizen):
    attachment = store(check_file(upload("cccd.pdf", pdf_bytes("CCCD")), UploadRules.default(), "ban_sao_cccd"),
                       uploaded_by=citizen)
    dossier = submit(procedure, citizen, attachments=[attachment])
    attachment.refresh_from_db()
    return dossier


@pytest.fixture
def world(db, vietnamese):
    justice = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    ward = make_agency(WARD_CODE, "UBND phường Tân Lợi", tier="commune")
    procedure_a = make_procedure("1.001193", agency=justice)
    procedure_b = make_procedure("2.000986", agency=ward, title="Đăng ký khai sinh")
    citizen = make_citizen("api-citizen")
    dossier_a = submitted_dossier(procedure_a, citizen)
    dossier_b = submitted_dossier(procedure_b, citizen)
    handler = make_staff("xuly.tp", justice, "handler")
    handler.email = "xuly@sotuphap.example.vn"
    handler.first_name, handler.last_name = "Lan", "Trần"
    handler.save()
    return {
        "agency_a": justice, "agency_b": ward, "procedure_a": procedure_a, "procedure_b": procedure_b,
        "citizen": citizen, "dossier_a": dossier_a, "dossier_b": dossier_b, "handler": handler,
        "a": make_caller(justice, name="Một cửa Sở Tư pháp"), "b": make_caller(ward, name="Một cửa phường"),
    }
