"""My dossiers: the applicant's list with drafts, each dossier's page,
withdrawing, answering a supplement request; nobody else sees any of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from eforms import lifecycle
from eforms.models import Dossier, DossierStatus
from tests.dossier_factories import (
    JUSTICE_CODE,
    exe_bytes,
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    pdf_bytes,
    submit,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


@pytest.fixture
def citizen(db):
    return make_citizen("an")


@pytest.fixture
def other(db):
    return make_citizen("binh", id_number="001099099999", phone="0987654321", full_name="Trần Thị Bình")


@pytest.fixture
def procedure(db):
    return make_procedure("1.001193", title="Cấp Phiếu lý lịch tư pháp")


@pytest.fixture
def dossier(procedure, citizen):
    from eforms.uploads import UploadRules, check_file, store

    checked = check_file(upload("don.pdf", pdf_bytes()), UploadRules.default(), "application")
    return submit(procedure, citizen, attachments=[store(checked, uploaded_by=citizen)])


@pytest.fixture
def staff(db):
    return make_staff("clerk", make_agency(JUSTICE_CODE, "Sở Tư pháp"), "receiver", "handler")


def needing_supplement(dossier, staff) -> Dossier:
    actor = lifecycle.Actor.staff(staff)
    lifecycle.receive(dossier, actor)
    lifecycle.request_supplement(dossier, actor, ["Bản sao căn cước"], timezone.localdate() + dt.timedelta(days=5))
    return dossier


def test_list_shows_dossiers_and_drafts(client, citizen, procedure, dossier):
    from eforms.services import save_draft

    save_draft(procedure=procedure, applicant=citizen, form_data={"purpose": "Du học"})
    client.force_login(citizen)
    response = client.get(reverse("my_dossiers"))
    html = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in html
    assert "Cấp Phiếu lý lịch tư pháp" in html
    assert "Sở Tư pháp" in html
    assert "Đã nộp trực tuyến" in html or "Submitted online" in html
    assert "Hồ sơ nháp chưa nộp" in html  # the drafts section
    english = client.get("/en" + reverse("my_dossiers")).content.decode()
    assert "My dossiers" in english and dossier.code in english


def test_list_needs_sign_in_and_shows_only_mine(client, dossier, other):
    response = client.get(reverse("my_dossiers"))
    assert response.status_code == 302
    client.force_login(other)
    assert dossier.code not in client.get(reverse("my_dossiers")).content.decode()


def test_detail_shows_data_files_and_history(client, citizen, dossier):
    client.force_login(citizen)
    response = client.get(reverse("my_dossier", args=[dossier.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "don.pdf" in html
    attachment = dossier.attachments.get()
    assert reverse("dossier_attachment", args=[attachment.public_id]) in html
    assert "Xin việc" in html  # the form data
    assert reverse("my_dossier_withdraw", args=[dossier.code]) in html
    assert client.get(reverse("dossier_attachment", args=[attachment.public_id])).status_code == 200


def test_withdraw_asks_to_confirm_then_cancels(client, citizen, dossier):
    client.force_login(citizen)
    url = reverse("my_dossier_withdraw", args=[dossier.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Nộp nhầm"})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    response = client.post(url, {"reason": "Nộp nhầm", "confirm": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CANCELLED
    event = dossier.events.last()
    assert event.action == "withdraw" and event.note == "Nộp nhầm"


def test_withdraw_refused_once_received(client, citizen, dossier, staff):
    lifecycle.receive(dossier, lifecycle.Actor.staff(staff))
    client.force_login(citizen)
    url = reverse("my_dossier_withdraw", args=[dossier.code])
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 409
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    assert url not in client.get(reverse("my_dossier", args=[dossier.code])).content.decode()


def test_answer_a_supplement_with_the_missing_document(client, citizen, dossier, staff):
    needing_supplement(dossier, staff)
    client.force_login(citizen)
    page = client.get(reverse("my_dossier", args=[dossier.code])).content.decode()
    assert "Bản sao căn cước" in page and 'enctype="multipart/form-data"' in page
    url = reverse("my_dossier_supplement", args=[dossier.code])
    response = client.post(url, {"files": [upload("cccd.pdf", pdf_bytes())], "note": "Đã bổ sung"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    event = dossier.events.last()
    assert event.action == "answer_supplement"
    assert [a.original_name for a in event.attachments.all()] == ["cccd.pdf"]


def test_a_bad_supplement_file_is_refused_and_the_note_kept(client, citizen, dossier, staff):
    needing_supplement(dossier, staff)
    client.force_login(citizen)
    url = reverse("my_dossier_supplement", args=[dossier.code])
    response = client.post(url, {"files": [upload("cccd.pdf", exe_bytes())], "note": "Ghi chú giữ lại"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "error-summary" in html and "Ghi chú giữ lại" in html
    response = client.post(url, {"note": "Không có tệp"})
    assert response.status_code == 400
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEEDS_SUPPLEMENT


def test_another_citizen_is_refused_every_url(client, dossier, other, staff):
    attachment = dossier.attachments.get()
    client.force_login(other)
    gets = [
        reverse("dossier_submitted", args=[dossier.code]),
        reverse("my_dossier", args=[dossier.code]),
        reverse("my_dossier_withdraw", args=[dossier.code]),
        reverse("dossier_record", args=[dossier.code]),
        reverse("dossier_record_pdf", args=[dossier.code]),
        reverse("dossier_attachment", args=[attachment.public_id]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("my_dossier_withdraw", args=[dossier.code]), {"confirm": "on"}).status_code == 404
    needing_supplement(dossier, staff)
    response = client.post(reverse("my_dossier_supplement", args=[dossier.code]),
                           {"files": [upload("x.pdf", pdf_bytes())]})
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEEDS_SUPPLEMENT
    # A code that does not exist answers the same.
    assert client.get(reverse("my_dossier", args=["000.00.10.H30-000000-9999"])).status_code == 404


def test_the_confirmation_and_the_email_help_promise_only_what_is_done(client, citizen, dossier):
    """The portal emails the receipt; status changes are shown, not sent,
    and the agency's checking time is not the portal's to promise."""
    from django.utils import translation

    from eforms.forms import ApplicantForm

    client.force_login(citizen)
    with translation.override("en"):
        html = client.get(reverse("dossier_submitted", args=[dossier.code]), HTTP_ACCEPT_LANGUAGE="en").content
        help_text = str(ApplicantForm().fields["email"].help_text)
    page = html.decode()
    assert "within one working day" not in page and "một ngày làm việc" not in page
    assert "each change of status" not in help_text
    assert "receipt" in help_text and "My dossiers" in help_text
