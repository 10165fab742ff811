"""The e-receipt of a paid payment: made once and stored (the same file
every time), with the payment's facts in its text, downloaded by the
applicant and by staff of the dossier's agency, and by nobody else."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from eforms.models import PrivateStorage
from payments.admin_views import RECEIPT_LOG_ACTION
from payments.models import PaymentEvent, PaymentReceipt
from payments.receipts import RECEIPT_ACTION, ReceiptError, applicant_receipt_url, ensure_receipt, read_receipt
from tests.databases import postgresql_only
from tests.eforms.test_races import join, run_together
from tests.payments.admin_world import ITEM, build_world, make_payment, settle, use_fake_provider
from tests.second_factor import pass_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


@pytest.fixture
def world(monkeypatch):
    use_fake_provider(monkeypatch)
    world = build_world()
    world["paid"] = settle(make_payment(world["dossier"]), number="14801234")
    return world


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_receipt_is_made_once_and_is_the_same_file_every_time(world):
    payment = world["paid"]
    first = ensure_receipt(payment)
    again = ensure_receipt(payment)
    assert again.pk == first.pk and again.file.name == first.file.name
    content = read_receipt(first)
    assert hashlib.sha256(content).hexdigest() == first.sha256 and len(content) == first.size
    payment.refresh_from_db()
    assert payment.receipt_number == first.number == f"BL-{payment.reference}"
    assert PaymentReceipt.objects.filter(payment=payment).count() == 1
    assert PaymentEvent.objects.filter(payment=payment, action=RECEIPT_ACTION).count() == 1
    assert isinstance(first.file.storage, PrivateStorage)  # not public media


def test_the_receipt_prints_the_payment_facts(world):
    payment = world["paid"]
    text = pdf_text(read_receipt(ensure_receipt(payment)))
    for fact in (f"BL-{payment.reference}", "Nguyễn Văn An", world["dossier"].code, "Cấp Phiếu lý lịch tư pháp",
                 "Sở Tư pháp", ITEM, "200.000", "Ngân hàng thử nghiệm", "14801234", payment.notice.number):
        assert fact in text, fact
    # the ID number is masked on paper
    assert "001099012345" not in text


def test_no_receipt_for_a_payment_not_paid(world, client):
    pending = make_payment(world["dossier"])
    with pytest.raises(ReceiptError):
        ensure_receipt(pending)
    client.force_login(world["citizen"])
    assert client.get(applicant_receipt_url(pending)).status_code == 404
    assert not PaymentReceipt.objects.filter(payment=pending).exists()


def test_the_applicant_downloads_their_own_receipt_twice_the_same(world, client):
    payment = world["paid"]
    client.force_login(world["citizen"])
    first = client.get(applicant_receipt_url(payment))
    second = client.get(applicant_receipt_url(payment))
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert "attachment" in first["Content-Disposition"] and "private" in first["Cache-Control"]
    assert first.content == second.content
    assert hashlib.sha256(first.content).hexdigest() == PaymentReceipt.objects.get(payment=payment).sha256


def test_nobody_else_downloads_it_at_the_applicants_address(world, client):
    url = applicant_receipt_url(world["paid"])
    assert client.get(url).status_code == 302  # to the sign-in page
    assert "login" in client.get(url)["Location"]
    for someone in (world["other_citizen"], world["clerk"], world["ward_clerk"]):
        client.force_login(someone)
        assert client.get(url).status_code == 404, someone
    # the right payment under another dossier's code
    client.force_login(world["citizen"])
    wrong = reverse("payment_receipt_pdf", args=[world["ward_dossier"].code, world["paid"].public_id])
    assert client.get(wrong).status_code == 404
    assert not PaymentReceipt.objects.exists()


def test_staff_of_the_agency_download_it_in_the_admin_and_it_is_audited(world, client):
    payment = world["paid"]
    url = reverse("payments_admin:receipt", args=[payment.pk])
    pass_second_factor(client, world["clerk"])
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert hashlib.sha256(response.content).hexdigest() == PaymentReceipt.objects.get(payment=payment).sha256
    entry = ModelLogEntry.objects.get(action=RECEIPT_LOG_ACTION)
    assert entry.user_id == world["clerk"].pk and entry.data["receipt"] == f"BL-{payment.reference}"


def test_staff_of_another_agency_and_citizens_get_nothing_in_the_admin(world, client):
    url = reverse("payments_admin:receipt", args=[world["paid"].pk])
    pass_second_factor(client, world["ward_clerk"])
    assert client.get(url).status_code == 404
    client.logout()
    client.force_login(world["citizen"])
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not PaymentReceipt.objects.exists()


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_first_requests_at_once_make_one_receipt(monkeypatch):
    use_fake_provider(monkeypatch)
    payment = settle(make_payment(build_world()["dossier"]))
    threads, results, errors = run_together(lambda: ensure_receipt(payment).pk, lambda: ensure_receipt(payment).pk)
    join(threads)
    assert errors == [None, None]
    assert results[0] == results[1] == PaymentReceipt.objects.get(payment=payment).pk
    assert PaymentEvent.objects.filter(payment=payment, action=RECEIPT_ACTION).count() == 1
