"""The demo's certificates: a demo CA and one certificate per agency, made
once; the demo's documents are signed and /verify/ calls them valid."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader

from eforms.models import Attachment, DossierStatus, IssuedDocument
from signing import certificates, demo
from signing.models import AgencyCertificate, SignedKind
from signing.services import Outcome, sign_pdf, verify
from tests.dossier_factories import make_agency, pdf_bytes

pytestmark = pytest.mark.django_db


def test_demo_certificates_are_made_once_per_agency_and_sign_valid_documents():
    agencies = [make_agency("000.00.10.H30", "Sở Tư pháp"), make_agency("000.20.30.H30", "UBND phường Tân Lập",
                                                                         tier="commune")]
    out = io.StringIO()
    demo.load(out)
    assert "2 agencies can sign" in out.getvalue()
    rows = list(AgencyCertificate.objects.order_by("pk"))
    assert [r.agency for r in rows] == sorted(agencies, key=lambda a: a.name)
    assert all(r.active and "Demo CA" in r.issuer for r in rows)
    demo.load(io.StringIO())
    assert list(AgencyCertificate.objects.order_by("pk")) == rows  # idempotent
    # Both under one CA, kept for the next run.
    assert len({r.issuer for r in rows}) == 1

    signed = sign_pdf(pdf_bytes(), agencies[1], code="DEMO-1/01-1", kind=SignedKind.DOCUMENT, reason="Giấy")
    assert verify(pdf_bytes=signed).outcome == Outcome.VALID
    assert certificates.status_for(agencies[0]).can_sign


def test_load_demo_signs_the_demo_documents_and_results(home_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", force=True, stdout=io.StringIO())
    document = IssuedDocument.objects.filter(kind="01").first()
    with document.file.open("rb") as handle:
        content = handle.read()
    assert len(PdfFileReader(io.BytesIO(content)).embedded_signatures) == 1
    assert verify(pdf_bytes=content).outcome == Outcome.VALID
    result = Attachment.objects.filter(role="result", kind="pdf", dossier__status=DossierStatus.COMPLETED).first()
    with result.file.open("rb") as handle:
        assert verify(pdf_bytes=handle.read()).outcome == Outcome.VALID
