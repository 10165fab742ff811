"""Errors are RFC 9457 problem documents in the request's language; the
OpenAPI schema documents them; the Swagger UI loads from the portal's own
static files under a policy that allows only what it needs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

PROBLEM_KEYS = {"type", "title", "status"}


def assert_problem(answer, status):
    assert answer.status_code == status
    assert answer["Content-Type"].startswith("application/problem+json")
    body = answer.json()
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    return body


def test_problem_shapes(world):
    a = world["a"]
    assert_problem(Client().get("/api/v1/dossiers"), 401)
    body = assert_problem(a.get("/api/v1/dossiers/000.00.10.H30-990101-9999"), 404)
    assert body["type"] == "about:blank"
    body = assert_problem(a.get("/api/v1/dossiers/not a code!"), 422)
    assert body["type"].endswith("/validation")
    assert body["errors"] and {"loc", "type", "msg"} == set(body["errors"][0])
    body = assert_problem(a.post(f"/api/v1/dossiers/{world['dossier_a'].code}/actions/reject",
                                 {"reason": 12}), 422)
    assert body["errors"][0]["loc"] == ["body", "body", "reason"]


def test_problems_speak_vietnamese_by_default_and_english_on_request(world):
    a, dossier = world["a"], world["dossier_a"]
    path = f"/api/v1/dossiers/{dossier.code}/actions/complete"
    vietnamese = a.post(path, {"result": "x"})
    assert vietnamese["Content-Language"] == "vi"
    body = assert_problem(vietnamese, 409)
    assert body["detail"].startswith("Hồ sơ") and "không thể" in body["detail"]
    with translation.override("vi"):
        assert body["title"] == gettext("Action refused")
    english = a.post(path, {"result": "x"}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9,vi;q=0.5")
    assert english["Content-Language"] == "en"
    body = assert_problem(english, 409)
    assert body["title"] == "Action refused"
    assert body["detail"].startswith("Dossier") and "is not possible now" in body["detail"]
    # a language the portal does not speak falls back to Vietnamese
    french = a.post(path, {"result": "x"}, HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert french["Content-Language"] == "vi"


def test_the_openapi_schema(db):
    answer = Client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    schema = answer.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/v1/dossiers", "/api/v1/dossiers/{code}", "/api/v1/dossiers/{code}/actions/{action}",
                 "/api/v1/dossiers/{code}/files", "/api/v1/open/procedures", "/api/v1/open/lookup"):
        assert path in paths, path
    receive = paths["/api/v1/dossiers/{code}/actions/{action}"]["post"]
    assert receive["responses"]["409"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert receive["security"]
    assert "Problem" in schema["components"]["schemas"]
    assert "401" not in paths["/api/v1/open/procedures"]["get"]["responses"]  # no token there
    assert schema["components"]["securitySchemes"]


def test_the_docs_page_loads_from_static_files_under_the_csp(db, settings):
    answer = Client().get("/api/v1/docs")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    policy = answer["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["img-src"] == "'self' data:"
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in policy
    # nowhere else
    other = Client().get("/lookup/")
    assert "data:" not in other["Content-Security-Policy"]


@pytest.mark.parametrize("header,expected", [
    ("", "vi"), ("en", "en"), ("en-GB,en;q=0.8", "en"), ("vi-VN,vi;q=0.9,en;q=0.8", "vi"), ("de, en;q=0.5", "en"),
    ("en;q=0, vi;q=0.1", "vi"), ("*", "vi"), ("en;q=abc", "vi"),
])
def test_accept_language(header, expected):
    from api.middleware import accepted_language

    assert accepted_language(header) == expected
