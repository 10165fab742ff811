"""examples/onestop_client.py, run as a separate program against a live
portal (pytest-django's live_server, real HTTP on loopback): its demo
receives, asks for a supplement and completes with a result file, and the
database says so; and its webhook check against signatures made here."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api import oauth
from api.models import Acknowledgement, IdempotencyRecord
from eforms.models import AttachmentRole, Dossier
from tests.api.conftest import submitted_dossier, wait_for_the_feed_horizon
from tests.dossier_factories import JUSTICE_CODE, WARD_CODE, make_agency, make_citizen, make_procedure, pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "onestop_client.py"

pytestmark = pytest.mark.django_db(transaction=True)


def load_client_module():
    spec = importlib.util.spec_from_file_location("onestop_client", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_client(live_server, client_id: str, secret: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--base-url", live_server.url, "--client-id", client_id,
         "--client-secret", secret, *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )


@pytest.mark.usefixtures("vietnamese")
def test_the_demo_runs_standalone_against_a_live_portal(live_server, tmp_path):
    justice = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    ward = make_agency(WARD_CODE, "UBND phường Tân Lợi", tier="commune")
    procedure = make_procedure("1.001193", agency=justice)
    citizen = make_citizen("client-citizen")
    first, second, third = (submitted_dossier(procedure, citizen) for _ in range(3))
    elsewhere = submitted_dossier(make_procedure("2.000986", agency=ward, title="Đăng ký khai sinh"), citizen)
    client, credentials = oauth.register(name="Một cửa Sở Tư pháp", agency=justice,
                                         scopes=["dossiers:read", "dossiers:write"])
    result = tmp_path / "ket-qua.pdf"
    result.write_bytes(pdf_bytes("Ket qua giai quyet"))
    wait_for_the_feed_horizon()

    demo = run_client(live_server, credentials.client_id, credentials.client_secret, "--demo",
                      "--result-file", str(result))
    assert demo.returncode == 0, demo.stdout + demo.stderr
    listed = demo.stdout
    assert all(d.code in listed for d in (first, second, third))
    assert elsewhere.code not in listed  # another agency's dossier is never seen

    for dossier in (first, second, third):
        dossier.refresh_from_db()
    assert (first.status, second.status, third.status) == ("received", "needs_supplement", "completed")
    assert second.supplement_items == ["Bản sao Căn cước công dân còn hạn"]
    assert third.result == "Kết quả giải quyết thủ tục"
    result_file = third.attachments.get(role=AttachmentRole.RESULT)
    assert result_file.original_name == "ket-qua.pdf" and result_file.event.action == "complete"
    for dossier, actions in ((first, ["receive"]), (second, ["receive", "request_supplement"]),
                             (third, ["receive", "start_processing", "complete"])):
        events = dossier.events.filter(actor_kind="api").exclude(action="issue_document").order_by("created_at", "pk")
        assert list(events.values_list("action", flat=True)) == actions
        assert {e.actor_label for e in events} == {"Một cửa Sở Tư pháp"}
    assert set(second.documents.values_list("kind", flat=True)) == {"01", "02"}  # receipt, supplement request
    assert set(Acknowledgement.objects.filter(client=client).values_list("reference", flat=True)) == {
        f"MC-{d.code}" for d in (first, second, third)}
    # every write went with its own Idempotency-Key: 3 acknowledgements, 3 receipts, a supplement
    # request, start, upload, completion
    assert IdempotencyRecord.objects.filter(client=client).count() == 10
    assert Dossier.objects.get(pk=elsewhere.pk).status == "submitted"

    # resuming from the printed cursor lists just the three dossiers changed since, as they are now
    cursor = demo.stdout.strip().splitlines()[-1].removeprefix("cursor: ")
    assert cursor
    wait_for_the_feed_horizon()
    again = run_client(live_server, credentials.client_id, credentials.client_secret, "--cursor", cursor)
    assert again.returncode == 0, again.stdout + again.stderr
    rows = again.stdout.strip().splitlines()[:-1]
    assert sorted(line.split()[0] for line in rows) == sorted([first.code, second.code, third.code])
    assert {line.split()[0]: line.split()[1] for line in rows} == {
        first.code: "received", second.code: "needs_supplement", third.code: "completed"}


def test_a_wrong_secret_is_refused_by_the_portal(live_server):
    justice = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    _client, credentials = oauth.register(name="Một cửa", agency=justice, scopes=["dossiers:read"])
    refused = run_client(live_server, credentials.client_id, "not-the-secret")
    assert refused.returncode != 0 and "401" in refused.stderr


def sign(secret: str, event_id: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def test_verify_webhook_accepts_the_documented_signature_only():
    verify_webhook = load_client_module().verify_webhook
    secret, body = "whsec-endpoint-secret", b'{"type": "dossier.submitted", "code": "H30.1"}'
    now = str(int(time.time()))
    headers = {"Webhook-Id": "evt_01", "Webhook-Timestamp": now,
               "Webhook-Signature": sign(secret, "evt_01", now, body)}
    assert verify_webhook(secret, headers, body)
    assert verify_webhook(secret, {k.lower(): v for k, v in headers.items()}, body)  # header names' case
    # while the secret is rotated, one of several signatures is enough
    rotated = {**headers, "Webhook-Signature": f"{sign('old', 'evt_01', now, body)} {headers['Webhook-Signature']}"}
    assert verify_webhook(secret, rotated, body)

    assert not verify_webhook("another-secret", headers, body)
    assert not verify_webhook(secret, headers, body + b" ")  # the body was changed
    assert not verify_webhook(secret, {**headers, "Webhook-Id": "evt_02"}, body)  # the id is signed too
    assert not verify_webhook(secret, {**headers, "Webhook-Signature": "v1=" + "0" * 64}, body)
    assert not verify_webhook(secret, {**headers, "Webhook-Signature": headers["Webhook-Signature"][3:]}, body)
    old = str(int(time.time()) - 3600)  # a replay an hour later, even correctly signed
    assert not verify_webhook(secret, {**headers, "Webhook-Timestamp": old,
                                       "Webhook-Signature": sign(secret, "evt_01", old, body)}, body)
    assert not verify_webhook(secret, {"Webhook-Signature": headers["Webhook-Signature"]}, body)
