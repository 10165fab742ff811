"""Desk and post intake: a receiver enters a paper dossier for an applicant
without an account; it gets a code, the same lifecycle and form 01."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from eforms.models import Channel, DossierStatus
from tests.dossier_factories import (
    JUSTICE_CODE,
    WARD_CODE,
    exe_bytes,
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    pdf_bytes,
    upload,
)
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db

ID_NUMBER = "001099012345"  # a man born in 1999 (century digit 0)


@pytest.fixture
def world(settings, tmp_path):
    settings.PORTAL_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    justice = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    ward = make_agency(WARD_CODE, "UBND phường Tân Lợi", tier="commune")
    procedure = make_procedure(agency=justice)
    return {
        "justice": justice, "ward": ward, "procedure": procedure,
        "receiver": make_staff("desk-receiver", justice, "receiver"),
        "handler": make_staff("desk-handler", justice, "handler"),
        "ward_receiver": make_staff("ward-receiver", ward, "receiver"),
    }


def form_url(world):
    return reverse("backoffice_intake:form", args=[world["justice"].pk, world["procedure"].pk])


def posted(**overrides):
    data = {
        "idempotency_key": "desk-key-1", "channel": "desk", "full_name": "Trần Thị Bình",
        "id_number": ID_NUMBER, "date_of_birth": "1999-04-02", "phone": "0987654321", "sms_consent": "on",
        "email": "binh@example.com", "address": "12 Lê Duẩn", "result_delivery": "office",
        "scans": [upload("to-khai.pdf", pdf_bytes("To khai")), upload("cccd.pdf", pdf_bytes("CCCD"))],
        "note": "Nộp trực tiếp",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("channel", [Channel.DESK, Channel.POST])
def test_a_receiver_enters_a_paper_dossier_and_prints_form_01(client, world, channel):
    pass_second_factor(client, world["receiver"])
    choose = client.get(reverse("backoffice_intake:choose"))
    assert choose.status_code == 200
    assert form_url(world) in choose.content.decode()
    assert client.get(form_url(world)).status_code == 200

    response = client.post(form_url(world), posted(channel=channel, idempotency_key=f"k-{channel}"))
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = world["procedure"].dossiers.get()
    assert dossier.code.startswith(JUSTICE_CODE + "-")
    assert dossier.status == DossierStatus.RECEIVED and dossier.channel == channel
    assert dossier.applicant is None and dossier.applicant_id_number == ID_NUMBER
    assert dossier.applicant_snapshot["sms_consent"] is True
    assert dossier.appointment_at is not None and dossier.received_at is not None
    assert sorted(a.original_name for a in dossier.attachments.all()) == ["cccd.pdf", "to-khai.pdf"]
    events = list(dossier.events.exclude(action="issue_document").values_list("action", "actor_user"))
    assert events == [("submit", world["receiver"].pk), ("receive", world["receiver"].pk)]

    done = client.get(response["Location"])
    receipt_url = reverse("backoffice_intake:receipt", args=[dossier.pk])
    assert dossier.code in done.content.decode() and receipt_url in done.content.decode()
    pdf = client.get(receipt_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert dossier.code in text and "Trần Thị Bình" in text

    # The same form sent twice (a double click) makes one dossier.
    client.post(form_url(world), posted(channel=channel, idempotency_key=f"k-{channel}"))
    assert world["procedure"].dossiers.count() == 1


def test_a_handler_and_another_agencys_receiver_are_refused(client, world):
    pass_second_factor(client, world["handler"])
    for response in (client.get(reverse("backoffice_intake:choose")), client.post(form_url(world), posted())):
        # The admin answers PermissionDenied with a redirect to its dashboard and a message.
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    client.logout()
    pass_second_factor(client, world["ward_receiver"])
    assert client.get(form_url(world)).status_code == 404
    assert client.post(form_url(world), posted()).status_code == 404
    assert not world["procedure"].dossiers.exists()


def test_the_receipt_is_served_only_for_a_dossier_the_user_sees(client, world):
    pass_second_factor(client, world["receiver"])
    client.post(form_url(world), posted())
    dossier = world["procedure"].dossiers.get()
    client.logout()
    pass_second_factor(client, world["ward_receiver"])
    assert client.get(reverse("backoffice_intake:receipt", args=[dossier.pk])).status_code == 404


def test_a_bad_scan_is_refused_and_everything_typed_kept(client, world):
    pass_second_factor(client, world["receiver"])
    response = client.post(form_url(world), posted(scans=[upload("scan.pdf", exe_bytes())]))
    html = response.content.decode()
    assert response.status_code == 400
    assert "scan.pdf" in html and "help-critical" in html
    for kept in ("Trần Thị Bình", ID_NUMBER, "0987654321", "binh@example.com", "12 Lê Duẩn", "Nộp trực tiếp",
                 'value="desk-key-1"'):
        assert kept in html, kept
    assert not world["procedure"].dossiers.exists()
    # Without any scan, the same.
    response = client.post(form_url(world), posted(scans=[]))
    assert response.status_code == 400 and not world["procedure"].dossiers.exists()


def test_sms_consent_needs_a_phone(client, world):
    pass_second_factor(client, world["receiver"])
    response = client.post(form_url(world), posted(phone=""))
    assert response.status_code == 400
    client.post(form_url(world), posted(sms_consent=""))
    assert world["procedure"].dossiers.get().applicant_snapshot["sms_consent"] is False


def test_an_account_with_the_verified_id_is_not_linked(client, world):
    citizen = make_citizen("desk-citizen", id_number=ID_NUMBER)
    citizen.profile.verified_fields = ["id_number"]
    citizen.profile.verified_by = "VNeID"
    citizen.profile.save()
    pass_second_factor(client, world["receiver"])
    response = client.post(form_url(world), posted(), follow=True)
    dossier = world["procedure"].dossiers.get()
    assert dossier.applicant is None
    page = response.content.decode()
    assert "not linked" in page or "Hồ sơ không được" in page
