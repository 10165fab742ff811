"""Circular 03/2025 documents: issued at the right step, printed as a page
and a PDF with the agency and the applicant, shown to the applicant (01–05)
and to staff (all), attached to the email that announces them, and closed
to everyone else."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from backoffice.documents import documents_context
from eforms import lifecycle
from eforms.documents import render_body
from eforms.models import DocumentKind, IssuedDocument
from eforms.services import applicant_snapshot
from tests.dossier_factories import make_agency, make_citizen, make_procedure, make_staff, submit
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db

AGENCY_ADDRESS = "35 Lê Lợi, phường Sài Gòn"


@pytest.fixture
def world():
    procedure = make_procedure()
    procedure.agency.address = AGENCY_ADDRESS
    procedure.agency.save()
    citizen = make_citizen("doc-an")
    staff_user = make_staff("doc-staff", procedure.agency, "receiver", "handler", "leader")
    return procedure, citizen, staff_user, lifecycle.Actor.staff(staff_user)


def new_dossier(procedure, citizen, **snapshot):
    data = applicant_snapshot(citizen)
    data.update(snapshot)
    return submit(procedure, citizen, snapshot=data, language="vi")


def pdf_text(document: IssuedDocument) -> str:
    with document.file.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == document.sha256
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def every_kind(procedure, citizen, staff):
    """One dossier per path, so each of the six documents is issued once."""
    received = new_dossier(procedure, citizen)
    lifecycle.receive(received, staff)
    lifecycle.request_supplement(received, staff, ["Bản sao Giấy khai sinh", "Ảnh 4×6"],
                                 timezone.localdate() + dt.timedelta(days=10), note="Bổ sung trong hạn.")
    refused = new_dossier(procedure, citizen)
    lifecycle.reject(refused, staff, "Hồ sơ không thuộc thẩm quyền giải quyết của Sở.")
    extended = new_dossier(procedure, citizen)
    lifecycle.receive(extended, staff)
    lifecycle.extend(extended, staff, "Cần xác minh thêm với Công an tỉnh.",
                     timezone.localdate(extended.appointment_at) + dt.timedelta(days=7))
    stopped = new_dossier(procedure, citizen)
    lifecycle.receive(stopped, staff)
    lifecycle.cancel(stopped, staff, "Người nộp đề nghị dừng giải quyết.")
    lifecycle.issue_control_slip(extended, staff)
    return {"received": received, "refused": refused, "extended": extended, "stopped": stopped}


# ---------------------------------------------------------------- issued at the right step


def test_each_step_issues_its_document_without_changing_the_status(world):
    procedure, citizen, _user, staff = world
    dossiers = every_kind(procedure, citizen, staff)
    kinds = {name: list(d.documents.order_by("pk").values_list("kind", flat=True)) for name, d in dossiers.items()}
    assert kinds == {"received": ["01", "02"], "refused": ["03"], "extended": ["01", "04", "06"],
                     "stopped": ["01", "05"]}
    for dossier in dossiers.values():
        for document in dossier.documents.all():
            event = document.event
            assert event.action == "issue_document" and event.to_status == ""
            assert event.note == str(DocumentKind(document.kind).label)
            assert document.number.startswith(f"{dossier.code}/{document.kind}-")
    extended = dossiers["extended"]
    extended.refresh_from_db()
    assert extended.status == "received"
    assert list(extended.events.values_list("action", flat=True)) == [
        "submit", "receive", "issue_document", "extend", "issue_document", "issue_document"]
    supplement = dossiers["received"].documents.get(kind="02")
    assert supplement.data["items"] == ["Bản sao Giấy khai sinh", "Ảnh 4×6"]


# ---------------------------------------------------------------- page and PDF


@pytest.mark.parametrize("kind,dossier_name,facts", [
    ("01", "received", ["Cấp Phiếu lý lịch tư pháp"]),
    ("02", "received", ["Bản sao Giấy khai sinh", "Ảnh 4×6"]),
    ("03", "refused", ["Hồ sơ không thuộc thẩm quyền giải quyết của Sở."]),
    ("04", "extended", ["Cần xác minh thêm với Công an tỉnh."]),
    ("05", "stopped", ["Người nộp đề nghị dừng giải quyết."]),
    ("06", "extended", ["Tiếp nhận"]),
])
def test_each_document_renders_as_a_page_and_a_pdf(client, world, kind, dossier_name, facts):
    procedure, citizen, staff_user, staff = world
    dossier = every_kind(procedure, citizen, staff)[dossier_name]
    document = dossier.documents.get(kind=kind)

    text = flat(pdf_text(document))
    assert dossier.code in text
    assert "SỞ TƯ PHÁP" in text and AGENCY_ADDRESS in text  # the agency's name and address
    assert "Nguyễn Văn An" in text
    assert document.issued_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y") in text
    for fact in facts:
        assert flat(fact) in text
    if kind == "02":
        deadline = timezone.localdate() + dt.timedelta(days=10)
        assert deadline.strftime("%d/%m/%Y") in text
    if kind == "01":
        assert timezone.localtime(dossier.documents.get(kind="01").event.dossier.received_at).strftime(
            "%d/%m/%Y") in text
        assert document.data["appointment"].split()[-1] in text
    if kind == "04":
        dossier.refresh_from_db()
        assert timezone.localtime(dossier.appointment_at).strftime("%d/%m/%Y") in text
        assert timezone.localtime(dossier.original_appointment_at).strftime("%d/%m/%Y") in text

    pass_second_factor(client, staff_user)
    page = client.get(reverse("backoffice_document", args=[document.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert dossier.code in html and "SỞ TƯ PHÁP" in html and "Nguyễn Văn An" in html and AGENCY_ADDRESS in html
    pdf = client.get(reverse("backoffice_document_pdf", args=[document.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == document.sha256

    client.force_login(citizen)
    own_page = client.get(reverse("dossier_document", args=[dossier.code, document.pk]))
    own_pdf = client.get(reverse("dossier_document_pdf", args=[dossier.code, document.pk]))
    if kind == "06":  # internal
        assert own_page.status_code == own_pdf.status_code == 404
    else:
        assert own_page.status_code == 200 and "Nguyễn Văn An" in own_page.content.decode()
        assert own_pdf.status_code == 200 and own_pdf.content.startswith(b"%PDF-")


def test_a_formula_looking_name_prints_as_text(world):
    procedure, citizen, _user, staff = world
    name = '=HYPERLINK("http://x.example/","Bấm") <b>Lê</b>'
    dossier = new_dossier(procedure, citizen, full_name=name)
    lifecycle.receive(dossier, staff)
    document = dossier.documents.get(kind="01")
    assert name in flat(pdf_text(document))
    body = render_body(document)
    assert "&lt;b&gt;Lê&lt;/b&gt;" in body and "<b>Lê</b>" not in body


# ---------------------------------------------------------------- who sees them


def test_the_applicant_lists_01_to_05_and_never_the_control_slip(client, world):
    procedure, citizen, _user, staff = world
    dossier = every_kind(procedure, citizen, staff)["extended"]
    client.force_login(citizen)
    html = client.get(reverse("my_dossier", args=[dossier.code])).content.decode()
    for document in dossier.documents.all():
        link = reverse("dossier_document_pdf", args=[dossier.code, document.pk])
        assert (link in html) == (document.kind != "06")
    assert {d.kind for d in dossier.documents.all()} == {"01", "04", "06"}


def test_staff_list_every_document_on_the_dossier_screen(world):
    procedure, citizen, staff_user, staff = world
    dossier = every_kind(procedure, citizen, staff)["extended"]
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    context = documents_context(dossier, staff_user)
    html = render_to_string("backoffice/includes/documents.html", {"dossier": dossier, **context},
                            request=request)
    for document in dossier.documents.all():
        assert reverse("backoffice_document_pdf", args=[document.pk]) in html
        assert document.number in html
    assert reverse("backoffice_issue_control_slip", args=[dossier.pk]) in html


def test_staff_issue_the_control_slip_on_demand(client, world):
    procedure, citizen, staff_user, _staff = world
    dossier = new_dossier(procedure, citizen)
    pass_second_factor(client, staff_user)
    response = client.post(reverse("backoffice_issue_control_slip", args=[dossier.pk]))
    slip = dossier.documents.get(kind="06")
    assert response.status_code == 302 and response["Location"] == reverse("backoffice_document", args=[slip.pk])
    assert slip.issued_by == staff_user and slip.event.data.get("announce") is False


def test_another_citizen_and_another_agencys_staff_get_404(client, world):
    procedure, citizen, _user, staff = world
    dossier = new_dossier(procedure, citizen)
    lifecycle.receive(dossier, staff)
    document = dossier.documents.get(kind="01")

    client.force_login(make_citizen("doc-binh", id_number="001099099999", full_name="Trần Thị Bình"))
    assert client.get(reverse("dossier_document_pdf", args=[dossier.code, document.pk])).status_code == 404
    assert client.get(reverse("dossier_document", args=[dossier.code, document.pk])).status_code == 404

    other = make_staff("doc-other", make_agency("000.00.11.H30", "Sở Y tế"), "receiver", "leader")
    pass_second_factor(client, other)
    assert client.get(reverse("backoffice_document_pdf", args=[document.pk])).status_code == 404
    assert client.get(reverse("backoffice_document", args=[document.pk])).status_code == 404
    assert client.post(reverse("backoffice_issue_control_slip", args=[dossier.pk])).status_code == 404
    assert not dossier.documents.filter(kind="06").exists()


# ---------------------------------------------------------------- the message carries it


def test_the_email_announcing_a_document_carries_it(world, django_capture_on_commit_callbacks):
    procedure, citizen, _user, staff = world
    dossier = new_dossier(procedure, citizen, sms_consent=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.receive(dossier, staff)
    receipt = dossier.documents.get(kind="01")
    [received] = mail.outbox  # one message for the step, with form 01 attached
    [(filename, content, mimetype)] = received.attachments
    assert mimetype == "application/pdf" and filename == receipt.filename
    assert hashlib.sha256(content).hexdigest() == receipt.sha256

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.extend(dossier, staff, "Cần xác minh thêm.", timezone.localdate(dossier.appointment_at)
                         + dt.timedelta(days=5))
    apology = dossier.documents.get(kind="04")
    [announced] = mail.outbox
    assert str(DocumentKind.EXTENSION.label) in announced.body or dossier.code in announced.subject
    [(filename, content, mimetype)] = announced.attachments
    assert filename == apology.filename and hashlib.sha256(content).hexdigest() == apology.sha256

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.issue_control_slip(dossier, staff)
    assert not mail.outbox  # the control slip is internal


# ---------------------------------------------------------------- extension


def test_extend_refuses_an_earlier_date_and_keeps_the_original_appointment(client, world):
    procedure, citizen, _user, staff = world
    dossier = new_dossier(procedure, citizen)
    lifecycle.receive(dossier, staff)
    original = dossier.appointment_at
    with pytest.raises(lifecycle.RequirementMissing) as refused:
        lifecycle.extend(dossier, staff, "Chậm", timezone.localdate(original))
    assert "appointment" in refused.value.errors
    with pytest.raises(lifecycle.RequirementMissing):
        lifecycle.extend(dossier, staff, "Chậm", timezone.localdate(original) - dt.timedelta(days=1))
    assert not dossier.documents.filter(kind="04").exists()

    first = timezone.localdate(original) + dt.timedelta(days=3)
    lifecycle.extend(dossier, staff, "Chậm lần 1", first)
    lifecycle.extend(dossier, staff, "Chậm lần 2", first + dt.timedelta(days=2))
    dossier.refresh_from_db()
    assert dossier.original_appointment_at == original and dossier.counted_due_at == original
    assert timezone.localdate(dossier.appointment_at) == first + dt.timedelta(days=2)
    assert dossier.documents.filter(kind="04").count() == 2

    client.force_login(citizen)  # the applicant sees the new date
    listing = client.get(reverse("my_dossiers")).content.decode()
    assert (first + dt.timedelta(days=2)).strftime("%d/%m/%Y") in listing
