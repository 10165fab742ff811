"""Personal data: the export holds only the data subject's own data, staff
rights go only to proven addresses, verified identity is never typed in,
drafts do not outlive their owner or the retention period, and an agency
administrator never sees another agency's memberships."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import StaffMembership, StaffRole, User
from eforms.models import Attachment, Dossier, DossierEvent, DossierStatus
from tests.dossier_factories import make_agency, make_citizen, make_procedure, pdf_bytes, upload
from tests.eform_factories import citizen, make_eform
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db


def _admin_client(client, user):
    return pass_second_factor(client, user)


def _verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


# ---------------------------------------------------------------- 3: the export is about the data subject only


def test_finding_03_export_leaves_out_dossiers_the_user_handles_as_staff():
    procedure = make_procedure("1.000301")
    staff = make_citizen("canbo", id_number="001090000111", full_name="Trần Cán Bộ")
    StaffMembership.objects.create(user=staff, agency=procedure.agency, role=StaffRole.HANDLER)
    applicant = make_citizen("nguoidan", id_number="079201009999", full_name="Lê Thị Dân")
    theirs = Dossier.objects.create(
        procedure=procedure, agency=procedure.agency, applicant=applicant, status=DossierStatus.PROCESSING,
        code="000.00.10.H30-250101-0001", assigned_to=staff, applicant_name="Lê Thị Dân",
        applicant_id_number="079201009999", form_data={"answers": {"ly_do": "Bí mật của người dân"}},
    )
    DossierEvent.objects.create(dossier=theirs, action="assign", actor_kind="staff", actor_user=staff,
                                note="Ghi chú về Lê Thị Dân 079201009999")
    result = Attachment(dossier=theirs, uploaded_by=staff, original_name="ket-qua-Le-Thi-Dan.pdf", kind="pdf",
                        content_type="application/pdf", size=3, sha256="0" * 64)
    result.file.save("r", ContentFile(b"pdf"), save=True)
    mine = Dossier.objects.create(
        procedure=procedure, agency=procedure.agency, applicant=staff, status=DossierStatus.SUBMITTED,
        code="000.00.10.H30-250101-0002", applicant_name="Trần Cán Bộ", applicant_id_number="001090000111",
        form_data={"answers": {"ly_do": "Việc riêng của cán bộ"}},
    )

    data = services.export_personal_data(staff)
    text = json.dumps(data, ensure_ascii=False)
    for secret in ("079201009999", "Bí mật của người dân", "Lê Thị Dân", "ket-qua-Le-Thi-Dan", str(theirs.public_id)):
        assert secret not in text, secret
    # their own dossier as applicant is there, whole
    assert "Việc riêng của cán bộ" in text and str(mine.public_id) in text

    # the same through the download
    from django.test import Client

    client = Client()
    client.force_login(staff)
    body = client.get("/accounts/privacy/export/").content.decode()
    assert "079201009999" not in body and "Bí mật của người dân" not in body
    # the applicant's own export has it
    assert "Bí mật của người dân" in json.dumps(services.export_personal_data(applicant), ensure_ascii=False)


# ---------------------------------------------------------------- 5: staff rights only to a proven address


@pytest.fixture
def justice():
    return make_agency("000.00.10.H30", "Sở Tư pháp")


def test_finding_05_membership_refused_for_an_unverified_address(client, justice, admin_user_with_second_factor):
    squatter = User.objects.create_user("early", "dongnghiep@example.com", "x")  # signed up early, never confirmed
    EmailAddress.objects.create(user=squatter, email="dongnghiep@example.com", verified=False, primary=True)
    _admin_client(client, admin_user_with_second_factor)
    response = client.post("/admin/staff_memberships/new/", {"email": "dongnghiep@example.com",
                                                               "agency": justice.pk, "role": "handler"})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["email"]] == ["unconfirmed_email"]
    assert "/admin/staff_invitations/" in response.content.decode()  # the way forward is offered
    assert not StaffMembership.objects.filter(user=squatter).exists()
    # an account whose primary address is confirmed gets it
    colleague = _verified(User.objects.create_user("real", "real@example.com", "x"))
    response = client.post("/admin/staff_memberships/new/", {"email": "real@example.com",
                                                               "agency": justice.pk, "role": "handler"})
    assert response.status_code == 302
    assert StaffMembership.objects.filter(user=colleague, agency=justice, role="handler").exists()


def test_finding_05_invitation_link_is_one_time_and_only_for_the_invited_address(
        client, justice, admin_user_with_second_factor, django_capture_on_commit_callbacks):
    from accounts.models import StaffInvitation

    _admin_client(client, admin_user_with_second_factor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/staff_invitations/new/", {"email": "Moi@Example.com", "agency": justice.pk,
                                                                   "role": "receiver"})
    assert response.status_code == 302, response.content.decode()[:3000]
    invitation = StaffInvitation.objects.get()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["moi@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/staff-invitation/[^/\s]+/)", mail.outbox[0].body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in json.dumps(list(StaffInvitation.objects.values()), default=str)  # only its hash is kept
    client.logout()

    # the wrong account cannot use the link, and a guessed token does nothing
    other = _verified(User.objects.create_user("other", "other@example.com", "x"))
    client.force_login(other)
    assert client.post(link).status_code in (200, 403)
    assert not StaffMembership.objects.exists()
    assert client.post("/accounts/staff-invitation/not-a-token/").status_code == 404

    # the invited address's account (not yet confirmed) accepts: the emailed token proves the mailbox
    invitee = User.objects.create_user("moi", "moi@example.com", "x")
    EmailAddress.objects.create(user=invitee, email="moi@example.com", verified=False, primary=True)
    client.force_login(invitee)
    page = client.get(link)
    assert page.status_code == 200 and "Sở Tư pháp" in page.content.decode()
    assert not StaffMembership.objects.exists()  # GET (a mail scanner's prefetch) accepts nothing
    assert client.post(link).status_code == 302
    assert StaffMembership.objects.filter(user=invitee, agency=justice, role="receiver").exists()
    assert EmailAddress.objects.get(user=invitee).verified
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == invitee
    # once only
    StaffMembership.objects.all().delete()
    assert client.post(link).status_code in (404, 410, 200)
    assert not StaffMembership.objects.exists()


def test_finding_05_expired_invitation_does_nothing(client, justice):
    from accounts.models import StaffInvitation

    invitation, token = StaffInvitation.create(email="late@example.com", agency=justice, role="handler")
    StaffInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    invitee = User.objects.create_user("late", "late@example.com", "x")
    client.force_login(invitee)
    client.post(f"/accounts/staff-invitation/{token}/")
    assert not StaffMembership.objects.exists()


# ---------------------------------------------------------------- 7: verified identity is never typed in

CODE = "1.001193"


def _post(client, url, data) -> str:
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


@pytest.fixture
def vneid_citizen(client):
    procedure = make_procedure(CODE)
    make_eform(procedure, translate=False)
    user = citizen("an", id_number="001090012345")
    profile = user.profile
    profile.verified_fields = ["full_name", "date_of_birth", "id_number"]
    profile.verified_by = "vneid"
    profile.save()
    client.force_login(user)
    session = client.session
    session["portal_login_method"] = "vneid"
    session.save()
    return {"user": user, "procedure": procedure, "client": client}


TYPED = {
    "applying_as": "self", "full_name": "Kẻ Mạo Danh", "date_of_birth": "1985-01-02", "id_number": "001085000777",
    "phone": "0987654321", "email": "an@example.com", "address_0": "66", "address_1": "24133",
    "address_2": "12 Lê Duẩn",
}


def test_finding_07_verified_fields_are_locked_and_typed_values_ignored(vneid_citizen):
    client, procedure = vneid_citizen["client"], vneid_citizen["procedure"]
    applicant_url = _post(client, f"/p/{CODE}/apply/", {})
    html = client.get(applicant_url).content.decode()
    for name in ("full_name", "date_of_birth", "id_number"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert "disabled" in tag, tag
    assert "disabled" not in re.search(r'<input[^>]*name="phone"[^>]*>', html).group(0)  # not verified: editable

    s1 = _post(client, applicant_url, TYPED)
    s2 = _post(client, s1, {"muc_dich_yeu_cau": "Xin việc", "noi_dung_chi_tiet": "Bổ sung"})
    delivery = _post(client, s2, {"ban_sao_can_cuoc": upload("cccd.pdf", pdf_bytes())})
    review = _post(client, delivery, {"agency": str(procedure.agency.pk), "channel": "online",
                                      "result_delivery": "office"})
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', client.get(review).content.decode()).group(1)
    _post(client, review, {"idempotency_key": key, "declaration": "on"})
    dossier = Dossier.objects.get(status=DossierStatus.SUBMITTED)
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_id_number == "001090012345"
    assert dossier.applicant_date_of_birth == dt.date(1990, 5, 17)
    assert dossier.applicant_phone == "0987654321"  # not verified: the typed value counts
    snapshot = dossier.applicant_snapshot
    assert sorted(snapshot["verified_fields"]) == ["date_of_birth", "full_name", "id_number"]
    assert snapshot["full_name"] == "Nguyễn Văn An" and snapshot["id_number"] == "001090012345"


def test_finding_07_a_value_that_differs_from_the_verified_one_is_never_marked_verified(vneid_citizen):
    from eforms import drafts as d
    from eforms.models import EFormPage
    from eforms.services import save_draft

    user, procedure = vneid_citizen["user"], vneid_citizen["procedure"]
    version = EFormPage.live_for(procedure).current_version()
    # a draft typed before the profile was verified (or by an older release)
    draft = save_draft(procedure=procedure, applicant=user, form_version=version.reference(), form_data={
        "applicant": {"applying_as": "self", "full_name": "Kẻ Mạo Danh", "date_of_birth": "1990-05-17",
                      "id_number": "001085000777", "phone": "0912345678"},
        "answers": {}, "delivery": {}, "done": []})
    snapshot = d.Application(draft, version, level=3).snapshot(user)
    assert snapshot["verified_fields"] == ["date_of_birth"]
    assert snapshot["verified_by"] == "vneid"


# ---------------------------------------------------------------- 9: drafts do not outlive their owner


def _draft_with_file(user, procedure, name="giay-to.pdf"):
    draft = Dossier.objects.create(procedure=procedure, applicant=user, status=DossierStatus.DRAFT,
                                   form_data={"applicant": {"id_number": user.profile.id_number,
                                                            "address": {"street": "12 Lê Duẩn"}}})
    attachment = Attachment(dossier=draft, uploaded_by=user, original_name=name, kind="pdf",
                            content_type="application/pdf", size=3, sha256="0" * 64)
    attachment.file.save("x", ContentFile(b"pdf"), save=True)
    return draft, attachment


def test_finding_09_deleting_an_account_deletes_its_drafts_and_their_files(client):
    procedure = make_procedure("1.000901")
    user = make_citizen("xoa")
    user.set_password("Mat-khau-2025-dai")
    user.save()
    other = make_citizen("giu", id_number="001099000002")
    draft, attachment = _draft_with_file(user, procedure)
    orphan = Attachment(uploaded_by=user, original_name="chua-gan.pdf", kind="pdf", content_type="application/pdf",
                        size=3, sha256="1" * 64)
    orphan.file.save("y", ContentFile(b"pdf"), save=True)
    kept_draft, kept_file = _draft_with_file(other, procedure)
    submitted = Dossier.objects.create(procedure=procedure, applicant=user, status=DossierStatus.SUBMITTED,
                                       code="000.00.10.H30-250101-0009")
    storage = attachment.file.storage
    names = [attachment.file.name, orphan.file.name]
    assert all(storage.exists(n) for n in names)

    client.force_login(user)
    response = client.post("/accounts/privacy/delete/", {"password": "Mat-khau-2025-dai", "confirm": "on"})
    assert response.status_code == 302
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.filter(pk__in=[attachment.pk, orphan.pk]).exists()
    assert not any(storage.exists(n) for n in names)
    # the submitted dossier is an administrative record and stays; nobody else's draft is touched
    assert Dossier.objects.filter(pk=submitted.pk).exists()
    assert Dossier.objects.filter(pk=kept_draft.pk).exists() and storage.exists(kept_file.file.name)


def test_finding_09_scheduled_purge_removes_old_draft_rows(settings):
    settings.PORTAL_DRAFT_RETENTION_DAYS = 30
    procedure = make_procedure("1.000902")
    user = make_citizen("cu")
    old, old_file = _draft_with_file(user, procedure)
    recent, recent_file = _draft_with_file(user, procedure)
    old_submitted = Dossier.objects.create(procedure=procedure, applicant=user, status=DossierStatus.SUBMITTED,
                                           code="000.00.10.H30-250101-0010")
    long_ago = timezone.now() - dt.timedelta(days=31)
    Dossier.objects.filter(pk__in=[old.pk, old_submitted.pk]).update(updated_at=long_ago, created_at=long_ago)
    Dossier.objects.filter(pk=recent.pk).update(updated_at=timezone.now() - dt.timedelta(days=29),
                                                created_at=long_ago)
    storage = old_file.file.storage

    call_command("purge_drafts", "--dry-run")
    assert Dossier.objects.filter(pk=old.pk).exists()
    call_command("purge_drafts")
    assert not Dossier.objects.filter(pk=old.pk).exists()
    assert not storage.exists(old_file.file.name)
    assert Dossier.objects.filter(pk=recent.pk).exists() and storage.exists(recent_file.file.name)
    assert Dossier.objects.filter(pk=old_submitted.pk).exists()
    call_command("purge_drafts")  # safe to run again
    assert Dossier.objects.filter(pk=recent.pk).exists()


# ---------------------------------------------------------------- 14: memberships scoped in every view


def test_finding_14_every_view_hides_another_agencys_memberships(client):
    from accounts.wagtail_hooks import StaffMembershipViewSet

    justice = make_agency("000.00.10.H30", "Sở Tư pháp")
    building = make_agency("000.00.11.H30", "Sở Xây dựng")
    boss = User.objects.create_user("boss", "boss@example.com", "x")
    StaffMembership.objects.create(user=boss, agency=justice, role=StaffRole.AGENCY_ADMIN)
    outsider = User.objects.create_user("ngoaicoquan", "ngoaicoquan@example.com", "x", first_name="Người",
                                        last_name="Ngoài Cơ Quan")
    theirs = StaffMembership.objects.create(user=outsider, agency=building, role=StaffRole.HANDLER)
    ours = StaffMembership.objects.create(user=boss, agency=justice, role=StaffRole.HANDLER)
    _admin_client(client, boss)

    object_routes = [p.name for p in StaffMembershipViewSet("staff_memberships").get_urlpatterns()
                     if "<" in str(p.pattern)]
    assert {"edit", "delete", "history", "usage"} <= set(object_routes)
    for name in object_routes:
        url = reverse(f"staff_memberships:{name}", args=[theirs.pk])
        for response in (client.get(url), client.post(url)):
            assert response.status_code in (404, 302), (name, response.status_code)
            body = response.content.decode()
            assert "ngoaicoquan" not in body and "Ngoài Cơ Quan" not in body, name
        # their own agency's membership still opens
        assert client.get(reverse(f"staff_memberships:{name}", args=[ours.pk])).status_code == 200, name
    assert StaffMembership.objects.filter(pk=theirs.pk).exists()

    # invitations likewise
    from accounts.models import StaffInvitation
    from accounts.wagtail_hooks import StaffInvitationViewSet

    invited, _token = StaffInvitation.create(email="moi-ngoai@example.com", agency=building, role="handler")
    assert "moi-ngoai" not in client.get("/admin/staff_invitations/").content.decode()
    for pattern in StaffInvitationViewSet("staff_invitations").get_urlpatterns():
        if "<" in str(pattern.pattern):
            response = client.get(reverse(f"staff_invitations:{pattern.name}", args=[invited.pk]))
            assert response.status_code in (404, 302) and "moi-ngoai" not in response.content.decode(), pattern.name
