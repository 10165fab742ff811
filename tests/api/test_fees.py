"""Fee notices through the API: scope, idempotency, the back office's
refusals, validation, another agency's dossier a 404, and the list with
the payments' states."""

from __future__ import annotations

import pytest

from api.models import WebhookDelivery, WebhookEndpoint
from eforms import lifecycle
from payments.models import FeeNotice, Payment, PaymentState
from tests.api.conftest import make_caller, submitted_dossier
from tests.payments.builders import level4_procedure

ITEMS = {"items": [{"name": "Phí thẩm định hồ sơ", "amount_vnd": 150000, "payer": "Người nộp hồ sơ"},
                   {"name": "Phí sao y", "amount_vnd": 30000}], "note": "Nộp trước ngày 30."}


@pytest.fixture
def paid_online(world):
    procedure = level4_procedure("4.000901", world["agency_a"], submission_fees=())
    dossier = submitted_dossier(procedure, world["citizen"])
    lifecycle.perform(dossier, lifecycle.Actor.api_client("x", world["agency_a"]), "receive")
    return dossier


def url(dossier) -> str:
    return f"/api/v1/dossiers/{dossier.code}/fee-notices"


def test_issue_a_fee_notice_once_per_key_and_list_it(world, paid_online):
    a = world["a"]
    WebhookEndpoint.objects.create(client=a.client, url="https://a.example.vn/hook", events="fee_notice.issued",
                                   secret="s")
    first = a.post(url(paid_online), ITEMS, key="fee-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["total_vnd"] == 180000 and body["number"].endswith("/TB-1") and body["open"]
    assert body["issued_by"] == a.client.name and [i["amount_vnd"] for i in body["items"]] == [150000, 30000]
    again = a.post(url(paid_online), ITEMS, key="fee-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == body
    assert FeeNotice.objects.filter(dossier=paid_online).count() == 1
    assert paid_online.events.filter(action="fee_notice").count() == 1
    assert WebhookDelivery.objects.get().event_type == "fee_notice.issued"
    assert a.post(url(paid_online), {**ITEMS, "note": "khác"}, key="fee-1").status_code == 422

    notice = FeeNotice.objects.get()
    Payment.objects.create(notice=notice, dossier=paid_online, provider="sandbox", reference="T1",
                           amount_vnd=180000, state=PaymentState.PENDING)
    listing = a.get(url(paid_online))
    assert listing.status_code == 200
    [row] = listing.json()["items"]
    assert row["number"] == notice.number and [p["state"] for p in row["payments"]] == ["pending"]


def test_scope_key_and_another_agency(world, paid_online):
    reader = make_caller(world["agency_a"], scopes=["dossiers:read"], name="Chỉ đọc")
    assert reader.post(url(paid_online), ITEMS).status_code == 403
    assert reader.get(url(paid_online)).status_code == 200
    assert world["a"].post(url(paid_online), ITEMS, key=None).status_code == 400
    b = world["b"]
    assert b.post(url(paid_online), ITEMS).status_code == 404
    assert b.get(url(paid_online)).status_code == 404
    assert world["a"].http.get(url(paid_online)).status_code == 401
    assert not FeeNotice.objects.exists()


def test_the_back_offices_refusals(world, paid_online):
    a = world["a"]
    submitted = submitted_dossier(paid_online.procedure, world["citizen"])
    refused = a.post(url(submitted), ITEMS)
    assert refused.status_code == 409 and refused.json()["type"].endswith("/fee-notice-refused")
    offline = world["dossier_a"]  # a procedure not paid online
    lifecycle.perform(offline, lifecycle.Actor.api_client("x", world["agency_a"]), "receive")
    assert a.post(url(offline), ITEMS).status_code == 409
    assert not FeeNotice.objects.exists()


@pytest.mark.parametrize("body", [
    {"items": []},
    {"items": [{"name": "", "amount_vnd": 1000}]},
    {"items": [{"name": "Phí", "amount_vnd": 0}]},
    {"items": [{"name": "Phí", "amount_vnd": -5}]},
    {"items": [{"name": "Phí", "amount_vnd": "1.000"}]},
    {"items": [{"name": "Phí", "amount_vnd": 10_000_000_000}]},
    {"items": [{"name": "Phí", "amount_vnd": 9_000_000_000}, {"name": "Phí 2", "amount_vnd": 9_000_000_000}]},
    {"items": [{"name": "Phí", "amount_vnd": 1000, "colour": "red"}]},
    {"items": [{"name": "Phí", "amount_vnd": 1000}], "note": "x" * 1001},
])
def test_every_field_is_validated(world, paid_online, body):
    answer = world["a"].post(url(paid_online), body)
    assert answer.status_code == 422, body
    assert answer["Content-Type"].startswith("application/problem+json")
    assert not FeeNotice.objects.exists()
