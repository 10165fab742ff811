"""The public page /verify/ (and /en/verify/): the form, the answers in
Vietnamese and English, refusals of what is not a PDF, and the throttle."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from signing import throttle
from signing.models import SignedKind
from signing.services import sign_pdf
from tests.dossier_factories import docx_bytes, image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

VI = "/verify/"
EN = "/en/verify/"
CODE = "000.00.10.H30-261201-0001/01-1"


@pytest.fixture
def signed(installed, agency):
    return sign_pdf(pdf_bytes("Giay tiep nhan"), agency, code=CODE, kind=SignedKind.DOCUMENT,
                    reason="Giấy tiếp nhận hồ sơ và hẹn trả kết quả", title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                    dossier_code="000.00.10.H30-261201-0001")


def post(client, address, **data):
    return client.post(address, data)


def pdf(content: bytes, name="giay-to.pdf"):
    return upload(name, content, "application/pdf")


def test_the_addresses():
    with translation.override("vi"):
        assert reverse("signing_verify") == VI
    with translation.override("en"):
        assert reverse("signing_verify") == EN


def test_the_form_in_vietnamese_and_english(client):
    vi = client.get(VI)
    assert vi.status_code == 200
    html = vi.content.decode()
    with translation.override("vi"):
        title = translation.gettext("Check a document")
    assert '<html lang="vi">' in html and f"<h1>{title}</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_file">' in html and '<label for="id_code">' in html
    en = client.get(EN).content.decode()
    assert '<html lang="en">' in en and "<h1>Check a document</h1>" in en
    assert 'action="/en/verify/"' in en


def test_a_valid_document_in_english_and_in_vietnamese(client, signed):
    response = client.post(EN, {"file": pdf(signed)})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-labelledby="result-title"' in html and 'id="result-title"' in html
    assert "Valid: this document was issued by the portal" in html
    assert "Sở Tư pháp tỉnh Đắk Lắk" in html and CODE in html and "000.00.10.H30-261201-0001" in html
    assert "Sở Tư pháp (EN)" in html  # the agency in the page's language
    vi = client.post(VI, {"file": pdf(signed)}).content.decode()
    assert "Sở Tư pháp tỉnh Đắk Lắk" in vi and response.context["result"].outcome == "valid"
    with translation.override("vi"):
        expected = translation.gettext("Valid: this document was issued by the portal and has not been changed since it was signed.")
    assert expected in vi


def test_a_changed_document_is_called_changed(client, signed):
    altered = bytearray(signed)
    at = signed.index(b"Giay")
    altered[at] = ord("X")
    response = client.post(EN, {"file": pdf(bytes(altered))})
    html = response.content.decode()
    assert response.context["result"].outcome == "changed"
    assert "Changed: this document was issued by the portal, but this copy has been changed" in html
    appended = client.post(EN, {"file": pdf(signed + b"%extra\n")})
    assert appended.context["result"].outcome == "changed"
    assert "content was added to the file after signing" in appended.content.decode()


def test_a_file_the_portal_did_not_issue(client, signed):
    response = client.post(EN, {"file": pdf(pdf_bytes("Khac"))})
    assert response.status_code == 200
    assert "Not issued by the portal" in response.content.decode()


def test_a_code_alone_known_and_unknown(client, signed):
    found = client.post(EN, {"code": CODE}).content.decode()
    assert "The portal issued a document with the code" in found and "upload the PDF file as well" in found
    unknown = client.post(EN, {"code": "000.00.10.H30-261201-0009/01-1"}).content.decode()
    assert "The portal issued no document with the code 000.00.10.H30-261201-0009/01-1" in unknown


@pytest.mark.parametrize("name,content,message", [
    ("anh.png", image_bytes(), "is not a PDF file"),
    ("don.docx", docx_bytes(), "is not a PDF file"),
    ("gia.pdf", b"<html>%PDF-1.4</html>", "is not a PDF file"),
    ("rong.pdf", b"", "The file is empty. Choose the file again."),
])
def test_what_is_not_a_pdf_is_refused_with_a_message(client, name, content, message):
    response = client.post(EN, {"file": upload(name, content, "application/pdf")})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and message in html
    assert name in html or not content
    assert "result-title" not in html


def test_a_file_too_large_and_an_empty_form_are_refused(client, settings):
    settings.PORTAL_VERIFY_MAX_FILE_SIZE = 100
    response = client.post(EN, {"file": pdf(pdf_bytes())})
    assert response.status_code == 400 and "a file to check can be at most" in response.content.decode()
    empty = client.post(EN, {"code": "  "})
    assert empty.status_code == 400 and "Choose a PDF file or enter a document code." in empty.content.decode()
    bad_code = client.post(EN, {"code": "<script>"})
    assert bad_code.status_code == 400 and "Enter the code as printed on the document." in bad_code.content.decode()


def test_checks_are_throttled_per_address_and_the_limit_ends(client, signed, monkeypatch):
    monkeypatch.setattr(throttle, "RATE_PER_ADDRESS", (3, 600))
    now = [1_000_000.0]
    monkeypatch.setattr(throttle, "clock", lambda: now[0])
    for _ in range(3):
        assert client.post(EN, {"code": CODE}).status_code == 200
    refused = client.post(EN, {"code": CODE})
    assert refused.status_code == 429
    assert "Too many checks from your connection" in refused.content.decode()
    # Another address is not held back.
    assert client.post(EN, {"code": CODE}, REMOTE_ADDR="203.0.113.9").status_code == 200
    now[0] += 600
    assert client.post(EN, {"code": CODE}).status_code == 200


def test_get_does_not_count_and_other_methods_are_refused(client, monkeypatch):
    monkeypatch.setattr(throttle, "RATE_PER_ADDRESS", (1, 600))
    for _ in range(3):
        assert client.get(EN).status_code == 200
    assert client.put(EN).status_code == 405
