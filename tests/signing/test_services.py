"""sign_pdf and verify: a signed document verifies valid and trusted; one
byte altered or bytes appended is "changed"; a foreign PDF is "not issued";
certificates that cannot sign (wrong password, expired, wrong key usage)
leave documents issued unsigned; the settings' certificates work too."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.test import override_settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pypdf import PdfReader, PdfWriter

from signing import certificates, passwords
from signing.models import AgencyCertificate, SignedDocument, SignedKind
from signing.services import Outcome, UnsignablePdf, next_code, sign_pdf, verify
from tests.dossier_factories import make_agency, pdf_bytes
from tests.signing import pki

pytestmark = pytest.mark.django_db


def issue(agency, code="000.00.10.H30-261201-0001/01-1", text="Giay tiep nhan ho so"):
    return sign_pdf(pdf_bytes(text), agency, code=code, kind=SignedKind.DOCUMENT, reason="Giấy tiếp nhận hồ sơ",
                    dossier_code="000.00.10.H30-261201-0001")


def flip_byte(data: bytes, marker: bytes = b"Giay") -> bytes:
    altered = bytearray(data)
    at = data.index(marker)
    altered[at] = ord("X")
    return bytes(altered)


# ---------------------------------------------------------------- signing and verifying


def test_a_signed_document_verifies_valid_and_trusted(installed, agency):
    signed = issue(agency)
    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.signer_cert.subject.native["common_name"] == "Sở Tư pháp tỉnh Đắk Lắk"

    record = SignedDocument.objects.get()
    assert record.signed and record.sha256 == hashlib.sha256(signed).hexdigest() and record.size == len(signed)
    assert record.agency == agency and record.certificate == installed and record.kind == "document"

    result = verify(pdf_bytes=signed)
    assert result.outcome == Outcome.VALID
    assert result.known and result.intact and result.trusted and result.modified is False
    assert result.signer == "Sở Tư pháp tỉnh Đắk Lắk"
    assert result.record.code == "000.00.10.H30-261201-0001/01-1"
    assert result.record.dossier_code == "000.00.10.H30-261201-0001"
    # By file and code together, and by code alone.
    assert verify(pdf_bytes=signed, code=" 000.00.10.H30-261201-0001/01-1 ").outcome == Outcome.VALID
    found = verify(code="000.00.10.h30-261201-0001/01-1")
    assert found.outcome == Outcome.FOUND and found.record == record and found.signer == "Sở Tư pháp tỉnh Đắk Lắk"


def test_one_byte_altered_is_changed(installed, agency):
    signed = issue(agency)
    result = verify(pdf_bytes=flip_byte(signed))
    assert result.outcome == Outcome.CHANGED
    assert result.known and result.modified is True and result.intact is False
    assert result.record.code == "000.00.10.H30-261201-0001/01-1"


def test_bytes_appended_after_signing_are_changed(installed, agency):
    signed = issue(agency)
    result = verify(pdf_bytes=signed + b"\n% appended after signing\n")
    assert result.outcome == Outcome.CHANGED
    # The signature itself still holds, but no longer covers the whole file.
    assert result.intact is True and result.portal_signature.covers_whole_file is False
    assert result.modified is True


def test_a_pdf_the_portal_did_not_issue(installed, agency):
    result = verify(pdf_bytes=pdf_bytes("Mot giay to khac"))
    assert result.outcome == Outcome.NOT_ISSUED and not result.known and result.signatures == []


def test_a_pdf_signed_elsewhere_is_not_issued_and_its_signature_untrusted(installed, stranger):
    outsider = pki.make_signer(stranger, "Công ty Giả mạo")
    signer = signers.SimpleSigner.load_pkcs12_data(outsider.p12(), [], passphrase=pki.PASSWORD.encode())
    meta = signers.PdfSignatureMetadata(field_name="Sig", subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")
    forged = signers.PdfSigner(meta, signer=signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf_bytes("Gia mao")))).getvalue()
    result = verify(pdf_bytes=forged)
    assert result.outcome == Outcome.NOT_ISSUED
    [signature] = result.signatures
    assert signature.signer == "Công ty Giả mạo" and signature.intact and not signature.trusted


def test_codes_unknown_and_mismatched(installed, agency):
    first = issue(agency, code="000.00.10.H30-261201-0001/01-1")
    issue(agency, code="000.00.10.H30-261201-0001/02-1", text="Phieu bo sung")
    assert verify(code="000.00.10.H30-999999-0001/01-1").outcome == Outcome.UNKNOWN_CODE
    mismatch = verify(pdf_bytes=first, code="000.00.10.H30-261201-0001/02-1")
    assert mismatch.outcome == Outcome.MISMATCH and not mismatch.known
    stranger_file = verify(pdf_bytes=pdf_bytes("Khac"), code="000.00.10.H30-261201-0001/02-1")
    assert stranger_file.outcome == Outcome.MISMATCH


def test_next_code_counts_up_past_the_taken_ones(unsigned_agency):
    assert next_code("D-1/KQ-") == "D-1/KQ-1"
    for n in (1, 2, 10):
        sign_pdf(pdf_bytes(), unsigned_agency, code=f"D-1/KQ-{n}", kind=SignedKind.RESULT, reason="Kết quả")
    assert next_code("D-1/KQ-") == "D-1/KQ-3"


# ---------------------------------------------------------------- no certificate, or one that cannot sign


def test_an_agency_without_certificate_issues_unsigned_and_warns_once(unsigned_agency, caplog):
    original = pdf_bytes("Khong ky")
    with caplog.at_level(logging.WARNING, logger="signing.certificates"):
        out = sign_pdf(original, unsigned_agency, code="X-1/01-1", kind=SignedKind.DOCUMENT, reason="Giấy")
        sign_pdf(original, unsigned_agency, code="X-1/01-2", kind=SignedKind.DOCUMENT, reason="Giấy")
    assert out == original
    assert len([r for r in caplog.records if "Sở Nội vụ" in r.getMessage()]) == 1
    record = SignedDocument.objects.get(code="X-1/01-1")
    assert record.signed is False and record.sha256 == hashlib.sha256(original).hexdigest()
    result = verify(pdf_bytes=original)
    assert result.outcome == Outcome.VALID_UNSIGNED and result.known
    assert verify(pdf_bytes=flip_byte(original, b"Khong")).outcome == Outcome.NOT_ISSUED


def test_a_wrong_pkcs12_password_is_a_clear_error(signer):
    with pytest.raises(certificates.CertificateError, match="password does not open"):
        certificates.read_pkcs12(signer.p12(), "wrong password")
    with pytest.raises(certificates.CertificateError, match="not a PKCS#12"):
        certificates.read_pkcs12(b"", "x")
    info, _ = certificates.read_pkcs12(signer.p12(), pki.PASSWORD)
    assert info.subject_name == "Sở Tư pháp tỉnh Đắk Lắk" and info.issuer.endswith("C=VN")


def test_certificates_that_cannot_sign_are_refused(agency, authority):
    now = dt.datetime.now(dt.UTC)
    expired = pki.make_signer(authority, "Hết hạn", valid_from=now - dt.timedelta(days=400),
                              valid_until=now - dt.timedelta(days=1))
    with pytest.raises(certificates.CertificateError, match="expired"):
        certificates.install(agency, expired.p12(), pki.PASSWORD)
    no_commitment = pki.make_signer(authority, "Thiếu non-repudiation", content_commitment=False)
    with pytest.raises(certificates.CertificateError, match="non-repudiation"):
        certificates.install(agency, no_commitment.p12(), pki.PASSWORD)
    assert not AgencyCertificate.objects.exists()


def test_a_stored_password_that_no_longer_decrypts_means_unsigned(installed, agency, settings):
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    status = certificates.status_for(agency)
    assert not status.can_sign and "secret key changed" in status.problem
    out = issue(agency)
    assert out == pdf_bytes("Giay tiep nhan ho so") and SignedDocument.objects.get().signed is False


def test_passwords_are_stored_encrypted(installed):
    row = AgencyCertificate.objects.get()
    assert pki.PASSWORD not in row.password_encrypted
    assert passwords.decrypt(row.password_encrypted) == pki.PASSWORD
    with override_settings(SECRET_KEY="new-key-" + "y" * 50, SECRET_KEY_FALLBACKS=[]):
        assert passwords.decrypt(row.password_encrypted) is None
    # A rotated key still opens it while the old one is a fallback.
    with override_settings(SECRET_KEY="new-key-" + "y" * 50, SECRET_KEY_FALLBACKS=[django_settings.SECRET_KEY]):
        assert passwords.decrypt(row.password_encrypted) == pki.PASSWORD


def test_a_new_certificate_retires_the_old_one_and_old_documents_still_verify(installed, agency, authority):
    old_document = issue(agency)
    old_file = installed.p12_file.name
    renewed = certificates.install(agency, pki.make_signer(authority, "Sở Tư pháp (2027)").p12(), pki.PASSWORD)
    installed.refresh_from_db()
    assert installed.active is False and installed.retired_at is not None and not installed.password_encrypted
    assert not installed.p12_file and not renewed.p12_file.storage.exists(old_file)
    assert renewed.active
    assert verify(pdf_bytes=old_document).outcome == Outcome.VALID
    new_document = issue(agency, code="000.00.10.H30-261201-0002/01-1")
    assert verify(pdf_bytes=new_document).signer == "Sở Tư pháp (2027)"


def test_the_p12_file_is_in_private_storage(installed, settings):
    path = installed.p12_file.path
    assert path.startswith(str(settings.PORTAL_PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        installed.p12_file.url  # noqa: B018 - no public address


def test_a_password_protected_pdf_cannot_be_signed(installed, agency):
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf_bytes("Bi mat"))))
    writer.encrypt("user-password")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UnsignablePdf, match="password"):
        sign_pdf(out.getvalue(), agency, code="E-1/KQ-1", kind=SignedKind.RESULT, reason="Kết quả")
    assert not SignedDocument.objects.exists()
    # Issued unsigned when the caller asks for it (the portal's own documents).
    assert sign_pdf(out.getvalue(), agency, code="E-1/KQ-1", kind=SignedKind.RESULT, reason="Kết quả",
                    unsigned_on_error=True) == out.getvalue()
    assert SignedDocument.objects.get().signed is False


# ---------------------------------------------------------------- certificates from the settings


@pytest.fixture
def from_settings(tmp_path, settings, monkeypatch, authority):
    agency = make_agency("000.00.12.H30", "Sở Xây dựng")
    signer = pki.make_signer(authority, "Sở Xây dựng tỉnh Đắk Lắk")
    path = tmp_path / "sxd.p12"
    path.write_bytes(signer.p12(with_chain=False))
    roots = tmp_path / "roots.pem"
    roots.write_bytes(authority.pem)
    monkeypatch.setenv("PORTAL_SIGNING_PASSWORD_SXD", pki.PASSWORD)
    # As the environment variable gives it: JSON text.
    settings.PORTAL_SIGNING_CERTIFICATES = json.dumps(
        {"000.00.12.H30": {"file": str(path), "password_env": "PORTAL_SIGNING_PASSWORD_SXD"}})
    settings.PORTAL_SIGNING_TRUST_ROOTS = [str(roots)]
    return agency


def test_a_certificate_from_the_settings_signs_and_verifies(from_settings):
    out = sign_pdf(pdf_bytes("Giay phep"), from_settings, code="S-1/01-1", kind=SignedKind.DOCUMENT, reason="Giấy")
    record = SignedDocument.objects.get()
    assert record.signed and record.certificate is None and record.certificate_source == "settings"
    # The bundle holds no CA: trusted through PORTAL_SIGNING_TRUST_ROOTS.
    assert verify(pdf_bytes=out).outcome == Outcome.VALID


def test_a_wrong_password_in_the_settings_is_reported_and_documents_go_unsigned(from_settings, monkeypatch):
    monkeypatch.setenv("PORTAL_SIGNING_PASSWORD_SXD", "wrong")
    status = certificates.status_for(from_settings)
    assert status.source == "settings" and not status.can_sign and "password does not open" in status.problem
    warnings = [m for m in run_checks() if m.id == "signing.W001"]
    assert len(warnings) == 1 and "000.00.12.H30" in warnings[0].msg
    original = pdf_bytes("Giay phep")
    assert sign_pdf(original, from_settings, code="S-1/01-1", kind=SignedKind.DOCUMENT, reason="Giấy") == original


def test_without_the_trust_root_a_settings_certificate_is_untrusted(from_settings, settings):
    settings.PORTAL_SIGNING_TRUST_ROOTS = []
    out = sign_pdf(pdf_bytes("Giay phep"), from_settings, code="S-1/01-1", kind=SignedKind.DOCUMENT, reason="Giấy")
    result = verify(pdf_bytes=out)
    assert result.outcome == Outcome.UNTRUSTED and result.intact and result.trusted is False



def test_signing_and_validating_work_where_an_event_loop_runs(installed, agency):
    """pyHanko's synchronous API calls asyncio.run(); under ASGI or a
    Playwright-driven test the thread's loop is running."""
    import asyncio

    from signing import services

    found = certificates.signer_for(agency)
    roots = certificates.trust_roots()

    async def inside_a_loop():
        signed = services._sign(pdf_bytes("Trong vong lap"), found, "Giấy")
        [item] = services._embedded(signed)[0]
        return services._validate(item, roots, None)

    signature = asyncio.run(inside_a_loop())
    assert signature.intact and signature.trusted and signature.covers_whole_file
