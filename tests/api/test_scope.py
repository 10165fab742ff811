"""A client of agency B gets 404 for everything of agency A, on every
dossier endpoint, and changes nothing there; signed download links work
for their own client only, and expire."""

from __future__ import annotations

import base64
import json
import time

import pytest
from django.core import signing
from django.test import Client

from api import links
from api.models import Acknowledgement, ApiUpload
from eforms.models import DossierEvent
from tests.dossier_factories import pdf_bytes

# (method, address template, body): every endpoint that names a dossier or a file.
ENDPOINTS = [
    ("get", "/api/v1/dossiers/{code}", None),
    ("post", "/api/v1/dossiers/{code}/acknowledge", {"reference": "X"}),
    *[("post", f"/api/v1/dossiers/{{code}}/actions/{action}", body) for action, body in [
        ("receive", {}), ("reject", {"reason": "r"}), ("mark_invalid", {"reason": "r"}), ("cancel", {"reason": "r"}),
        ("start_processing", {}), ("request_supplement", {"items": ["x"], "deadline": "2099-01-01"}),
        ("answer_supplement", {"files": []}), ("complete", {"result": "x"}), ("return_result", {}),
        ("forward", {"assignee": "x"}), ("send_to_co_agency", {"co_agency": "000.20.30.H30"}),
        ("return_from_co_agency", {}), ("submit_for_approval", {}), ("approve", {}),
        ("return_for_rework", {"reason": "r"}), ("extend", {"reason": "r", "appointment": "2099-01-01"}),
        ("issue_control_slip", {}),
    ]],
    ("upload", "/api/v1/dossiers/{code}/files", None),
    ("get", "{attachment_link}", None),
    ("get", "{document_link}", None),
]


def _call(caller, method, address, body):
    if method == "get":
        return caller.get(address)
    if method == "upload":
        return caller.upload(address, "ket-qua.pdf", pdf_bytes())
    return caller.post(address, body)


def _own_link(world, client_key, kind, ident):
    """A link signed for `client_key`'s client (as if it had read the dossier)."""
    request = Client().get("/").wsgi_request
    url, _expires = links.make(request, world[client_key].client, kind, ident)
    return url.replace("http://testserver", "")


@pytest.mark.parametrize(("method", "template", "body"), ENDPOINTS,
                         ids=[f"{m}:{t.split('/api/v1/')[-1]}" for m, t, _b in ENDPOINTS])
def test_another_agencys_client_gets_404_everywhere(world, method, template, body):
    a_dossier = world["dossier_a"]
    # A's dossier with a document (receipt, form 01) and a file.
    world["a"].post(f"/api/v1/dossiers/{a_dossier.code}/actions/receive", {})
    attachment = a_dossier.attachments.first()
    document = a_dossier.documents.first()
    events_before = DossierEvent.objects.filter(dossier=a_dossier).count()
    address = template.format(
        code=a_dossier.code,
        attachment_link=_own_link(world, "b", links.ATTACHMENT, attachment.public_id),
        document_link=_own_link(world, "b", links.DOCUMENT, document.pk),
    )
    answer = _call(world["b"], method, address, body)
    assert answer.status_code == 404, (address, answer.content)
    assert answer["Content-Type"].startswith("application/problem+json")
    assert a_dossier.code.encode() not in answer.content
    assert DossierEvent.objects.filter(dossier=a_dossier).count() == events_before
    assert not Acknowledgement.objects.filter(dossier=a_dossier).exists()
    assert not ApiUpload.objects.exists()
    # and the same address works for A's own client (the 404 is the scope, not the address)
    if method == "get":
        own = address
        if "files/" in address:
            kind, ident = (links.ATTACHMENT, attachment.public_id) if "{attachment" in template else (
                links.DOCUMENT, document.pk)
            own = _own_link(world, "a", kind, ident)
        assert world["a"].get(own).status_code == 200


def test_the_feed_is_the_clients_agency_only(world):
    codes_a = {i["code"] for i in world["a"].get("/api/v1/dossiers").json()["items"]}
    codes_b = {i["code"] for i in world["b"].get("/api/v1/dossiers").json()["items"]}
    assert codes_a == {world["dossier_a"].code}
    assert codes_b == {world["dossier_b"].code}


def test_another_clients_link_is_404_even_for_its_own_agency(world):
    from tests.api.conftest import make_caller

    sibling = make_caller(world["agency_a"], name="Phần mềm khác của Sở")
    link = world["a"].get(f"/api/v1/dossiers/{world['dossier_a'].code}").json()["files"][0]["download_url"]
    path = link.replace("http://testserver", "")
    assert world["a"].get(path).status_code == 200
    assert sibling.get(path).status_code == 404
    assert Client().get(path).status_code == 401  # the link alone is not enough


def test_a_download_link_is_signed_and_serves_the_file(world):
    a = world["a"]
    files = a.get(f"/api/v1/dossiers/{world['dossier_a'].code}").json()["files"]
    answer = a.get(files[0]["download_url"].replace("http://testserver", ""))
    assert answer.status_code == 200
    content = b"".join(answer.streaming_content)
    assert content.startswith(b"%PDF-")
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["Cache-Control"] == "private, no-store"
    assert answer["X-Content-Type-Options"] == "nosniff"
    token = files[0]["download_url"].rsplit("/", 1)[1]
    payload, stamp, signature = token.split(":")
    forged = base64.urlsafe_b64encode(json.dumps({"c": a.client.pk, "k": "a", "i": files[0]["id"][:-1] + "0"})
                                      .encode()).decode().rstrip("=")
    assert a.get(f"/api/v1/files/{forged}:{stamp}:{signature}").status_code == 404


def test_an_expired_link_is_410(world):
    a = world["a"]
    attachment = world["dossier_a"].attachments.first()

    class SignedLongAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 301)

    token = SignedLongAgo(salt=links.SALT).sign_object({"c": a.client.pk, "k": "a", "i": str(attachment.public_id)})
    answer = a.get(f"/api/v1/files/{token}")
    assert answer.status_code == 410
    assert answer.json()["type"].endswith("/link-expired")
    fresh = signing.TimestampSigner(salt=links.SALT).sign_object(
        {"c": a.client.pk, "k": "a", "i": str(attachment.public_id)})
    assert a.get(f"/api/v1/files/{fresh}").status_code == 200
