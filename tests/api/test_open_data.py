"""Open data without a token: the catalogue as JSON and CSV with ETags,
rate limits per address, and the public look-up with /lookup/'s rules."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from procedures.models import ProcedureFee
from tests.api.conftest import make_caller
from tests.dossier_factories import make_procedure


@pytest.fixture
def catalogue(world):
    risky = make_procedure("3.000111", agency=world["agency_a"], title="=HYPERLINK(\"http://x\")", level=4)
    ProcedureFee.objects.create(page=world["procedure_a"], name="Lệ phí cấp phiếu", amount_vnd=200000,
                                due="submission", locale=world["procedure_a"].locale)
    return {**world, "risky": risky}


def test_the_catalogue_as_json_pages(catalogue):
    http = Client()
    first = http.get("/api/v1/open/procedures", {"page_size": 2})
    assert first.status_code == 200
    body = first.json()
    assert body["total"] == 3 and len(body["items"]) == 2 and body["next"] and body["previous"] is None
    item = next(i for i in body["items"] if i["code"] == "1.001193")
    assert item["level"] == 3 and item["service_kind"] == "partial"
    assert item["fees"] == [{"name": "Lệ phí cấp phiếu", "amount_vnd": 200000, "payer": "", "due": "submission",
                             "exemptions": ""}]
    assert item["agency"] == {"code": "000.00.10.H30", "name": "Sở Tư pháp"}
    assert item["url"].endswith("/p/1.001193/")
    second = http.get(body["next"].replace("http://testserver", ""))
    assert [i["code"] for i in second.json()["items"]] == ["3.000111"]
    only_level_4 = http.get("/api/v1/open/procedures", {"level": 4}).json()
    assert [i["code"] for i in only_level_4["items"]] == ["3.000111"]
    by_agency = http.get("/api/v1/open/procedures", {"agency": "000.20.30.H30"}).json()
    assert [i["code"] for i in by_agency["items"]] == ["2.000986"]
    assert http.get("/api/v1/open/procedures", {"page_size": 500}).status_code == 422
    assert http.get("/api/v1/open/procedures/1.001193").json()["code"] == "1.001193"
    assert http.get("/api/v1/open/procedures/9.999999").status_code == 404


def test_fields_agencies_and_english(catalogue):
    http = Client()
    agencies = http.get("/api/v1/open/agencies").json()
    assert {a["unit_code"] for a in agencies} >= {"000.00.10.H30", "000.20.30.H30"}
    assert http.get("/api/v1/open/fields").json()[0]["code"] == "ly-lich-tu-phap"
    english = http.get("/api/v1/open/agencies", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert english["Content-Language"] == "en"
    assert "Sở Tư pháp (EN)" in {a["name"] for a in english.json()}


def test_the_catalogue_as_csv_with_safe_cells(catalogue):
    answer = Client().get("/api/v1/open/procedures.csv")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["code"] for r in rows} == {"1.001193", "2.000986", "3.000111"}
    risky = next(r for r in rows if r["code"] == "3.000111")
    assert risky["title"] == "'=HYPERLINK(\"http://x\")"  # never a live formula
    assert "Lệ phí cấp phiếu: 200000" in next(r for r in rows if r["code"] == "1.001193")["fees"]


@pytest.mark.parametrize("address", ["/api/v1/open/procedures", "/api/v1/open/procedures.csv",
                                     "/api/v1/open/agencies", "/api/v1/open/fields",
                                     "/api/v1/open/procedures/1.001193"])
def test_etag_and_304(catalogue, address):
    http = Client()
    first = http.get(address)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"')
    assert first["Cache-Control"].startswith("public, max-age=")
    assert "Accept-Language" in first["Vary"]
    again = http.get(address, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    ProcedureFee.objects.create(page=catalogue["procedure_a"], name="Phí mới", amount_vnd=1000,
                                locale=catalogue["procedure_a"].locale)
    if address != "/api/v1/open/agencies" and address != "/api/v1/open/fields":
        assert http.get(address, HTTP_IF_NONE_MATCH=etag).status_code == 200  # the catalogue changed


def test_open_data_is_rate_limited_per_address(catalogue, settings):
    settings.PORTAL_API_OPEN_RATE = "3/600"
    http = Client()
    for _ in range(3):
        assert http.get("/api/v1/open/fields", REMOTE_ADDR="203.0.113.7").status_code == 200
    limited = http.get("/api/v1/open/fields", REMOTE_ADDR="203.0.113.7")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "600"
    assert limited.json()["type"].endswith("/rate-limited")
    assert http.get("/api/v1/open/fields", REMOTE_ADDR="203.0.113.8").status_code == 200
    # a client with catalogue:read counts by client, at its own limit
    caller = make_caller(catalogue["agency_a"], scopes=["catalogue:read"], name="Danh mục")
    assert caller.get("/api/v1/open/fields", REMOTE_ADDR="203.0.113.7").status_code == 200


# ---------------------------------------------------------------- the look-up


def api_lookup(http, body, **extra):
    return http.post("/api/v1/open/lookup", body, content_type="application/json", **extra)


def page_lookup(http, code, secret):
    return http.post("/lookup/", {"way": "code", "c-code": code, "c-secret": secret})


def test_lookup_answers_as_the_lookup_page(world):
    http, dossier = Client(), world["dossier_a"]
    found = api_lookup(http, {"way": "code", "code": dossier.code.lower(), "secret": "0912 345 678"})
    assert found.status_code == 200
    results = found.json()["results"]
    assert [r["code"] for r in results] == [dossier.code]
    assert results[0]["status_code"] == "submitted" and results[0]["agency"] == "Sở Tư pháp"
    assert "001099012345" not in found.content.decode() and "Nguyễn" not in found.content.decode()
    assert dossier.code in page_lookup(http, dossier.code, "0912345678").content.decode()
    by_person = api_lookup(http, {"way": "person", "id_number": "001099012345", "full_name": "nguyễn văn  an",
                                  "date_of_birth": "17/05/1990"})
    assert {r["code"] for r in by_person.json()["results"]} == {dossier.code, world["dossier_b"].code}


def test_not_found_and_mismatch_are_the_same_answer(world):
    http, dossier = Client(), world["dossier_a"]
    mismatch = api_lookup(http, {"way": "code", "code": dossier.code, "secret": "0999999999"})
    missing = api_lookup(http, {"way": "code", "code": "000.00.10.H30-990101-9999", "secret": "0912345678"})
    assert mismatch.status_code == missing.status_code == 200
    assert mismatch.content == missing.content == b'{"results": []}'
    invalid = api_lookup(http, {"way": "code", "code": "x", "secret": "1"})
    assert invalid.status_code == 422
    assert {tuple(e["loc"]) for e in invalid.json()["errors"]} == {("body", "code"), ("body", "secret")}


def test_lookup_is_throttled_together_with_the_page(world, settings):
    from eforms import lookup

    http, dossier = Client(), world["dossier_a"]
    attempts, _seconds = lookup.RATE_PER_CODE
    for number in range(attempts):
        wrong = f"09{number:08d}"
        if number % 2:
            assert api_lookup(http, {"way": "code", "code": dossier.code, "secret": wrong},
                              REMOTE_ADDR=f"198.51.100.{number}").status_code == 200
        else:
            page_lookup(http, dossier.code, wrong)
    # the code is now locked for everyone, even with the right phone number, on both doors
    locked = api_lookup(http, {"way": "code", "code": dossier.code, "secret": "0912345678"},
                        REMOTE_ADDR="198.51.100.200")
    assert locked.status_code == 429
    assert page_lookup(Client(REMOTE_ADDR="198.51.100.201"), dossier.code, "0912345678").status_code == 429


def test_lookup_is_throttled_per_address(world):
    from eforms import lookup

    http = Client()
    attempts, _seconds = lookup.RATE_PER_ADDRESS
    for number in range(attempts):
        assert api_lookup(http, {"way": "code", "code": f"000.00.10.H30-990101-{number:04d}",
                                 "secret": "0912345678"}).status_code == 200
    assert api_lookup(http, {"way": "code", "code": world["dossier_a"].code,
                             "secret": "0912345678"}).status_code == 429
