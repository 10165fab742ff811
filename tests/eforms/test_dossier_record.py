"""The record of a submitted dossier: confirmation page, printable receipt,
the PDF (Vietnamese text embedded and extractable, Code 128 and QR codes)
and the receipt email sent through django-tasks with the PDF attached."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.urls import reverse

from tests.dossier_factories import make_citizen, make_procedure, pdf_bytes, submit, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


@pytest.fixture
def citizen(db):
    return make_citizen("an")


@pytest.fixture
def procedure(db):
    return make_procedure("1.001193", title="Đăng ký khai sinh")


@pytest.fixture
def dossier(procedure, citizen, django_capture_on_commit_callbacks):
    from eforms.uploads import UploadRules, check_file, store

    checked = check_file(upload("giay-chung-sinh.pdf", pdf_bytes()), UploadRules.default(), "birth_certificate")
    attachment = store(checked, uploaded_by=citizen)
    with django_capture_on_commit_callbacks(execute=False):
        return submit(procedure, citizen, form_data={"child_name": {"label": "Họ tên trẻ", "value": "Nguyễn Thị Bình"}},
                      attachments=[attachment])


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_confirmation_page_shows_code_appointment_and_next_steps(client, citizen, dossier):
    client.force_login(citizen)
    response = client.get(reverse("dossier_submitted", args=[dossier.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert "Đăng ký khai sinh" in html
    assert dossier.appointment_date.strftime("%d/%m/%Y") in html
    assert reverse("dossier_record_pdf", args=[dossier.code]) in html
    assert "<svg" in html  # the barcode


def test_confirmation_page_is_the_owners_only(client, dossier):
    other = make_citizen("binh", id_number="001099099999", phone="0987654321")
    client.force_login(other)
    assert client.get(reverse("dossier_submitted", args=[dossier.code])).status_code == 404
    client.logout()
    response = client.get(reverse("dossier_submitted", args=[dossier.code]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_printable_receipt_has_form_01_codes_and_print_styles(client, citizen, dossier):
    client.force_login(citizen)
    response = client.get(reverse("dossier_record", args=[dossier.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in html
    assert "Nguyễn Thị Bình" in html and "giay-chung-sinh.pdf" in html
    assert html.count("<svg") == 2  # barcode and QR code
    assert "/lookup/?code=" in html
    assert "001099012345" not in html  # the ID number is masked
    assert "portal.css" in html


def test_pdf_embeds_a_font_and_its_text_keeps_the_diacritics(client, citizen, dossier):
    client.force_login(citizen)
    response = client.get(reverse("dossier_record_pdf", args=[dossier.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Đăng ký khai sinh" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in text.upper()
    assert "Nguyễn Thị Bình" in text
    assert dossier.code in text
    assert "001099012345" not in text
    from pypdf import PdfReader

    fonts = set()
    reader = PdfReader(io.BytesIO(content))
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and "/DescendantFonts" in font:
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            fonts.add(str(font["/BaseFont"]))
    assert any("DejaVuSerif" in name for name in fonts), fonts


def test_pdf_carries_a_code128_barcode_and_a_qr_code_of_the_lookup(dossier, monkeypatch):
    """The drawings are made from the dossier code and the look-up link."""
    from reportlab.graphics.barcode.qr import QrCodeWidget

    from eforms import record

    made = {}
    real_barcode, real_qr = record.barcode_drawing, record.qr_drawing

    def barcode(code, *a, **k):
        made["barcode"] = real_barcode(code, *a, **k)
        return made["barcode"]

    def qr(url, *a, **k):
        made["qr"] = real_qr(url, *a, **k)
        return made["qr"]

    monkeypatch.setattr(record, "barcode_drawing", barcode)
    monkeypatch.setattr(record, "qr_drawing", qr)
    record.receipt_pdf(dossier, "https://dichvucong.example.vn", "vi")
    assert type(made["barcode"]._bc).__name__ == "BarcodeCode128"
    assert made["barcode"]._bc.value == dossier.code
    widget = made["qr"].contents[0]
    assert isinstance(widget, QrCodeWidget)
    assert widget.value == f"https://dichvucong.example.vn/lookup/?code={dossier.code}"


def test_submitting_enqueues_the_receipt_email_with_the_pdf(procedure, citizen, django_capture_on_commit_callbacks):
    """The request (here the service) only enqueues on commit; the task
    sends the email with the PDF attached."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier = submit(procedure, citizen)
    assert mail.outbox == []  # nothing is sent inside the transaction
    assert callbacks  # the receipt (and the applicant's SMS, by notifications) wait for the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1  # one email: the receipt (notifications sends no second one for a submit)
    message = mail.outbox[0]
    assert message.to == ["an@example.com"]
    assert dossier.code in message.subject
    assert "Đăng ký khai sinh" in message.body
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and name.endswith(".pdf")
    assert dossier.code in pdf_text(content)
    assert "http://testserver/lookup/?code=" in message.body


def test_the_receipt_task_is_a_django_task_using_the_configured_backend(settings):
    from django_tasks.base import Task

    from eforms.notifications import send_dossier_receipt

    assert isinstance(send_dossier_receipt, Task)
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")


def test_english_receipt(client, citizen, dossier):
    client.force_login(citizen)
    response = client.get("/en" + reverse("dossier_record", args=[dossier.code]))
    assert response.status_code == 200
    assert "RECEIPT OF DOSSIER AND APPOINTMENT FOR THE RESULT" in response.content.decode()
