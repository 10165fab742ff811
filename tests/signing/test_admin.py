"""Certificates in the admin: upload (a wrong password is a clear error),
which agencies can sign, retiring, and agency administrators kept to their
own agencies."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from signing import certificates
from signing.models import AgencyCertificate, SignedKind
from signing.services import sign_pdf, verify
from signing.storage import private_storage
from tests.dossier_factories import make_agency, make_staff, pdf_bytes, upload
from tests.second_factor import pass_second_factor
from tests.signing import pki

pytestmark = pytest.mark.django_db

ADD = "signing_certificates:add"


def p12_upload(signer, name="chu-ky.p12"):
    return upload(name, signer.p12(), "application/x-pkcs12")


def test_a_superuser_uploads_a_certificate_and_sees_the_agency_can_sign(
        admin_client_with_second_factor, agency, unsigned_agency, signer):
    client = admin_client_with_second_factor
    assert client.get(reverse(ADD)).status_code == 200
    response = client.post(reverse(ADD), {"agency": agency.pk, "upload": p12_upload(signer),
                                          "password": pki.PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = AgencyCertificate.objects.get()
    assert row.active and row.agency == agency and row.subject_name == "Sở Tư pháp tỉnh Đắk Lắk"
    assert row.uploaded_by.username == "admin-test" and pki.PASSWORD not in row.password_encrypted

    inspect = client.get(reverse("signing_certificates:inspect", args=[row.pk])).content.decode()
    assert row.serial in inspect and "Test Root CA" in inspect
    overview = client.get(reverse("signing_agencies:index"))
    assert overview.status_code == 200
    rows = overview.content.decode().split("<tbody>")[1].split("</tr>")
    [justice] = [r for r in rows if agency.unit_code in r]
    [interior] = [r for r in rows if unsigned_agency.unit_code in r]
    with translation.override("vi"):  # the admin speaks the user's language, Vietnamese by default
        yes, no_certificate = translation.gettext("Yes"), translation.gettext("No certificate")
    assert f"<td>{yes}</td>" in justice and row.serial in justice
    assert no_certificate in interior


def test_a_wrong_password_is_a_clear_error_and_nothing_is_stored(admin_client_with_second_factor, agency, signer):
    response = admin_client_with_second_factor.post(reverse(ADD), {
        "agency": agency.pk, "upload": p12_upload(signer), "password": "not the password"})
    assert response.status_code == 200
    assert "Mật khẩu không mở được tệp chứng thư số này" in response.content.decode()
    assert not AgencyCertificate.objects.exists()


def test_retiring_erases_the_private_key_and_keeps_what_it_signed_verifiable(
        admin_client_with_second_factor, installed, agency):
    document = sign_pdf(pdf_bytes(), agency, code="R-1/01-1", kind=SignedKind.DOCUMENT, reason="Giấy")
    path = installed.p12_file.name
    response = admin_client_with_second_factor.post(
        reverse("signing_certificates:edit", args=[installed.pk]), {"retire": "on"})
    assert response.status_code == 302
    installed.refresh_from_db()
    assert not installed.active and not installed.p12_file and not installed.password_encrypted
    assert not private_storage().exists(path)
    assert verify(pdf_bytes=document).outcome == "valid"
    # Nobody deletes a certificate: no delete address is offered or served.
    assert admin_client_with_second_factor.post(
        reverse("signing_certificates:delete", args=[installed.pk])).status_code in (302, 403)
    assert AgencyCertificate.objects.filter(pk=installed.pk).exists()


def test_an_agency_administrator_manages_only_their_agencys_certificates(agency, authority):
    health = make_agency("000.00.14.H30", "Sở Y tế")
    theirs = pki.make_signer(authority, "Sở Y tế tỉnh Đắk Lắk")
    other = certificates.install(health, theirs.p12(), pki.PASSWORD)
    admin = pass_second_factor(Client(), make_staff("sotuphap-admin", agency, "agency_admin"))

    form = admin.get(reverse(ADD))
    assert form.status_code == 200
    choices = list(form.context["form"].fields["agency"].queryset)
    assert choices == [agency]
    refused = admin.post(reverse(ADD), {"agency": health.pk, "upload": p12_upload(theirs),
                                        "password": pki.PASSWORD})
    assert refused.status_code == 200 and AgencyCertificate.objects.count() == 1
    index = admin.get(reverse("signing_certificates:index")).content.decode()
    assert "Sở Y tế tỉnh Đắk Lắk" not in index
    assert admin.get(reverse("signing_certificates:inspect", args=[other.pk])).status_code == 404
    assert admin.get(reverse("signing_certificates:edit", args=[other.pk])).status_code == 404
    overview = admin.get(reverse("signing_agencies:index")).content.decode()
    assert "Sở Tư pháp" in overview and "Sở Y tế" not in overview

    mine = pki.make_signer(authority, "Sở Tư pháp – quản trị")
    done = admin.post(reverse(ADD), {"agency": agency.pk, "upload": p12_upload(mine), "password": pki.PASSWORD})
    assert done.status_code == 302
    assert AgencyCertificate.objects.get(agency=agency).subject_name == "Sở Tư pháp – quản trị"


def test_other_staff_reach_no_signing_screen(agency):
    receiver = pass_second_factor(Client(), make_staff("tiepnhan-ky", agency, "receiver"))
    for name in ("signing_certificates:index", ADD, "signing_agencies:index", "signed_documents:index"):
        response = receiver.get(reverse(name))
        assert response.status_code in (302, 403), name
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home")


def test_an_agency_set_in_the_settings_cannot_be_uploaded_for(admin_client_with_second_factor, agency, signer,
                                                              settings):
    settings.PORTAL_SIGNING_CERTIFICATES = {agency.unit_code: {"file": "/nonexistent.p12", "password_env": "X"}}
    response = admin_client_with_second_factor.post(reverse(ADD), {
        "agency": agency.pk, "upload": p12_upload(signer), "password": pki.PASSWORD})
    assert response.status_code == 200 and "PORTAL_SIGNING_CERTIFICATES" in response.content.decode()
    assert not AgencyCertificate.objects.exists()
    overview = admin_client_with_second_factor.get(reverse("signing_agencies:index")).content.decode()
    assert "cấu hình máy chủ" in overview and "/nonexistent.p12" in overview


def test_the_register_lists_issued_documents(admin_client_with_second_factor, installed, agency):
    sign_pdf(pdf_bytes(), agency, code="REG-1/01-1", kind=SignedKind.DOCUMENT, reason="Giấy",
             dossier_code="REG-1")
    page = admin_client_with_second_factor.get(reverse("signed_documents:index"))
    assert page.status_code == 200 and "REG-1/01-1" in page.content.decode()
