"""What eforms issues is signed: the Circular 03/2025 documents and the PDF
result files, stored signed, downloaded signed by the applicant, attached
to the "result ready" email when the result is delivered online, and
accepted by /verify/ by file and by code. An agency without a certificate
still issues everything."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from eforms import lifecycle
from eforms.models import Attachment, DossierStatus
from signing.models import SignedDocument
from signing.services import Outcome, verify
from tests.dossier_factories import image_bytes, make_citizen, make_procedure, make_staff, pdf_bytes, submit, upload
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agency):
    procedure = make_procedure(agency=agency)
    citizen = make_citizen("ky-so-an")
    users = {"leader": make_staff("ky-so-leader", agency, "receiver", "leader"),
             "handler": make_staff("ky-so-handler", agency, "handler")}
    return {"procedure": procedure, "citizen": citizen, "users": users}


def stored(file_field) -> bytes:
    with file_field.open("rb") as handle:
        return handle.read()


def signer_of(data: bytes) -> str:
    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return signature.signer_cert.subject.native["common_name"]


def processing(world, result_delivery="online"):
    dossier = submit(world["procedure"], world["citizen"], result_delivery=result_delivery, language="vi")
    leader = lifecycle.Actor.staff(world["users"]["leader"])
    lifecycle.receive(dossier, leader)
    lifecycle.start_processing(dossier, leader, assignee=world["users"]["handler"])
    return dossier


# ---------------------------------------------------------------- Circular 03/2025 documents


def test_the_receipt_issued_on_receive_is_signed_and_verifies_by_file_and_by_code(world, installed, client):
    dossier = submit(world["procedure"], world["citizen"], language="vi")
    lifecycle.receive(dossier, lifecycle.Actor.staff(world["users"]["leader"]))
    document = dossier.documents.get(kind="01")
    content = stored(document.file)
    assert signer_of(content) == "Sở Tư pháp tỉnh Đắk Lắk"
    assert hashlib.sha256(content).hexdigest() == document.sha256 and document.size == len(content)
    record = SignedDocument.objects.get(code=document.number)
    assert record.signed and record.sha256 == document.sha256 and record.dossier_code == dossier.code
    assert record.title == document.data["title"] and record.kind == "document"

    # The applicant downloads exactly the signed file.
    applicant = Client()
    applicant.force_login(world["citizen"])
    response = applicant.get(reverse("dossier_document_pdf", args=[dossier.code, document.pk]))
    assert response.content == content

    # /verify/ accepts it by file and by code.
    page = client.post(reverse("signing_verify"), {"file": upload("mau-01.pdf", content, "application/pdf")})
    assert page.status_code == 200
    assert page.context["result"].outcome == Outcome.VALID
    assert "Sở Tư pháp tỉnh Đắk Lắk" in page.content.decode() and document.number in page.content.decode()
    by_code = client.post(reverse("signing_verify"), {"code": document.number})
    assert by_code.context["result"].outcome == Outcome.FOUND


def test_an_agency_without_a_certificate_still_issues_its_documents(world):
    dossier = submit(world["procedure"], world["citizen"], language="vi")
    lifecycle.receive(dossier, lifecycle.Actor.staff(world["users"]["leader"]))
    document = dossier.documents.get(kind="01")
    content = stored(document.file)
    assert content.startswith(b"%PDF-") and PdfFileReader(io.BytesIO(content)).embedded_signatures == []
    record = SignedDocument.objects.get(code=document.number)
    assert record.signed is False and record.sha256 == document.sha256
    assert verify(pdf_bytes=content).outcome == Outcome.VALID_UNSIGNED


# ---------------------------------------------------------------- result files


def test_a_result_pdf_is_signed_at_complete_downloaded_by_the_applicant_and_emailed(
        world, installed, django_capture_on_commit_callbacks):
    dossier = processing(world)
    handler = pass_second_factor(Client(), world["users"]["handler"])
    original = pdf_bytes("Phieu ly lich tu phap so 12")
    picture = image_bytes()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = handler.post(reverse("backoffice:dossier_act", args=[dossier.pk]), {
            "action": "complete", "complete-result": "Phiếu lý lịch tư pháp số 12",
            "complete-files": [upload("phieu-ket-qua.pdf", original), upload("anh.png", picture)],
        })
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.COMPLETED
    result = Attachment.objects.get(dossier=dossier, role="result", kind="pdf")
    content = stored(result.file)
    assert content != original and content.startswith(original)  # an incremental signature after the original
    assert signer_of(content) == "Sở Tư pháp tỉnh Đắk Lắk"
    assert result.sha256 == hashlib.sha256(content).hexdigest() and result.size == len(content)
    record = SignedDocument.objects.get(kind="result")
    assert record.code == f"{dossier.code}/KQ-1" and record.sha256 == result.sha256
    png = Attachment.objects.get(dossier=dossier, role="result", kind="png")
    assert stored(png.file) == picture  # non-PDF results stay as they are
    assert not SignedDocument.objects.filter(code=f"{dossier.code}/KQ-2").exists()

    # In My dossiers, and downloadable signed.
    applicant = Client()
    applicant.force_login(world["citizen"])
    page = applicant.get(reverse("my_dossier", args=[dossier.code])).content.decode()
    download = reverse("dossier_attachment", args=[result.public_id])
    assert download in page.split('id="result-title"')[1]
    assert 'href="/verify/"' in page.split('id="result-title"')[1]
    downloaded = b"".join(applicant.get(download).streaming_content)
    assert downloaded == content
    assert verify(pdf_bytes=downloaded).outcome == Outcome.VALID

    # The "result ready" email carries both files.
    [email] = [m for m in mail.outbox if dossier.code in m.subject]
    attached = {name: (data, mimetype) for name, data, mimetype in email.attachments}
    assert attached["phieu-ket-qua.pdf"] == (content, "application/pdf")
    assert attached["anh.png"] == (picture, "image/png")


def test_the_result_email_has_no_attachment_when_the_result_is_collected_at_the_office(
        world, installed, django_capture_on_commit_callbacks):
    dossier = processing(world, result_delivery="office")
    mail.outbox.clear()
    handler = pass_second_factor(Client(), world["users"]["handler"])
    with django_capture_on_commit_callbacks(execute=True):
        handler.post(reverse("backoffice:dossier_act", args=[dossier.pk]), {
            "action": "complete", "complete-result": "Kết quả",
            "complete-files": [upload("ket-qua.pdf", pdf_bytes("Ket qua"))]})
    [email] = [m for m in mail.outbox if dossier.code in m.subject]
    assert email.attachments == []
    # Still signed: it is handed over on paper or by post, and can be checked.
    result = Attachment.objects.get(dossier=dossier, role="result")
    assert verify(pdf_bytes=stored(result.file)).outcome == Outcome.VALID


def test_results_too_large_for_the_email_are_left_to_my_dossiers(world, installed, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.PORTAL_RESULT_EMAIL_MAX_BYTES = 1000
    dossier = processing(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.complete(dossier, lifecycle.Actor.staff(world["users"]["handler"]), "Kết quả",
                           files=[_checked("ket-qua.pdf", pdf_bytes("Ket qua " * 200))])
    [email] = [m for m in mail.outbox if dossier.code in m.subject]
    assert email.attachments == []
    assert Attachment.objects.get(dossier=dossier, role="result").size > 1000


def _checked(name, content):
    from eforms.uploads import UploadRules, check_file

    return check_file(upload(name, content), UploadRules.default(), "result")


def test_a_protected_result_pdf_is_refused_with_a_message_and_nothing_changes(world, installed):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf_bytes("Bi mat"))))
    writer.encrypt("mat-khau")
    protected = io.BytesIO()
    writer.write(protected)
    dossier = processing(world)
    handler = pass_second_factor(Client(), world["users"]["handler"])
    response = handler.post(reverse("backoffice:dossier_act", args=[dossier.pk]), {
        "action": "complete", "complete-result": "Kết quả",
        "complete-files": [upload("ket-qua.pdf", protected.getvalue())]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "ket-qua.pdf" in html and "error-summary" in html
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    assert not SignedDocument.objects.filter(kind="result").exists()


def test_without_certificate_a_result_is_issued_as_uploaded_and_still_emailed(
        world, django_capture_on_commit_callbacks):
    dossier = processing(world)
    original = pdf_bytes("Ket qua khong ky")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.complete(dossier, lifecycle.Actor.staff(world["users"]["handler"]), "Kết quả",
                           files=[_checked("ket-qua.pdf", original)])
    result = Attachment.objects.get(dossier=dossier, role="result")
    assert stored(result.file) == original
    assert SignedDocument.objects.get(kind="result").signed is False
    [email] = [m for m in mail.outbox if dossier.code in m.subject]
    assert [(name, data) for name, data, _type in email.attachments] == [("ket-qua.pdf", original)]
