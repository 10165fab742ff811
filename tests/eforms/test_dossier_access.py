"""Who may download a dossier's files: its applicant and staff of the
receiving agency (audit-logged); another citizen, another agency's staff
and strangers get nothing."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from eforms.access import dossier_access
from eforms.services import save_draft
from eforms.uploads import UploadRules, check_file, store
from tests.dossier_factories import (
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    pdf_bytes,
    submit,
    upload,
)
from tests.second_factor import pass_second_factor

CONTENT = pdf_bytes("Ban sao CCCD")


@pytest.fixture
def case(db):
    procedure = make_procedure()
    citizen = make_citizen("an")
    attachment = store(check_file(upload("cccd.pdf", CONTENT), UploadRules.default(), "ban_sao_cccd"),
                       uploaded_by=citizen)
    dossier = submit(procedure, citizen, attachments=[attachment])
    attachment.refresh_from_db()
    return procedure, citizen, dossier, attachment


def url(attachment, prefix=""):
    """The Vietnamese (unprefixed) address, or the English one with prefix="/en"."""
    with translation.override("vi"):
        return prefix + reverse("dossier_attachment", kwargs={"public_id": attachment.public_id})


def downloads():
    return ModelLogEntry.objects.filter(action="eforms.attachment_download")


def test_applicant_downloads_their_file_safely(client, case):
    _procedure, citizen, _dossier, attachment = case
    client.force_login(citizen)
    response = client.get(url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "cccd.pdf" in response["Content-Disposition"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert not downloads().exists()  # only staff downloads are audited


@pytest.mark.parametrize("role", ["receiver", "handler", "leader"])
def test_staff_of_the_receiving_agency_download_and_are_logged(client, case, role):
    procedure, _citizen, dossier, attachment = case
    clerk = make_staff(f"clerk-{role}", procedure.agency, role)
    pass_second_factor(client, clerk)
    response = client.get(url(attachment, "/en"), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    entry = downloads().get()
    assert entry.user_id == clerk.pk
    assert entry.object_id == str(attachment.pk)
    assert entry.data["dossier"] == dossier.code and entry.data["ip"] == "10.1.2.3"
    assert entry.data["sha256"] == attachment.sha256


def test_another_citizen_is_refused(client, case):
    *_rest, attachment = case
    client.force_login(make_citizen("binh", id_number="001099099999"))
    assert client.get(url(attachment)).status_code == 404
    assert client.get(url(attachment, "/en")).status_code == 404


def test_staff_of_another_agency_are_refused(client, case):
    *_rest, attachment = case
    health = make_agency("000.00.14.H30", "Sở Y tế")
    client.force_login(make_staff("health-clerk", health, "receiver", "handler", "leader", "agency_admin"))
    assert client.get(url(attachment)).status_code == 404
    assert not downloads().exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, case):
    *_rest, attachment = case
    response = client.get(url(attachment))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_file_is_404(client, case):
    _procedure, citizen, _dossier, attachment = case
    client.force_login(citizen)
    assert client.get(url(attachment).replace(str(attachment.public_id)[:8], "00000000")).status_code == 404


def test_draft_uploads_are_the_uploaders_only(client, case):
    procedure, citizen, _dossier, _attachment = case
    draft = save_draft(procedure=procedure, applicant=citizen, form_data={}, agency=procedure.agency)
    in_draft = store(check_file(upload("nhap.pdf", CONTENT), UploadRules.default()), uploaded_by=citizen,
                     dossier=draft)
    clerk = make_staff("clerk", procedure.agency, "receiver")
    assert dossier_access(clerk, draft) is None  # drafts are not the agency's business yet
    client.force_login(clerk)
    assert client.get(url(in_draft)).status_code == 404
    client.force_login(citizen)
    assert client.get(url(in_draft)).status_code == 200


def test_a_purged_file_says_so(client, case):
    _procedure, citizen, _dossier, attachment = case
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(citizen)
    response = client.get(url(attachment))
    assert response.status_code == 410
    assert "cccd.pdf" in response.content.decode()


def test_only_get_and_head(client, case):
    _procedure, citizen, _dossier, attachment = case
    client.force_login(citizen)
    assert client.post(url(attachment)).status_code == 405
