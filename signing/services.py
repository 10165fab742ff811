"""Signing the PDFs the portal issues, and checking a PDF someone shows us.

`sign_pdf()` adds a PAdES signature (pyHanko: `SigSeedSubFilter.PADES`,
SHA-256, an invisible signature field; with an RFC 3161 time stamp when
`PORTAL_SIGNING_TIMESTAMP_URL` is set) made with the agency's certificate
(`signing.certificates`), and records the document in the register
(`SignedDocument`: code, kind, agency, signer, time, SHA-256 of the bytes
handed out). An agency without a usable certificate still issues its
documents: they are recorded unsigned (`signed=False`), so /verify/ can
still tell an untouched copy, and the problem is logged once.

`verify()` answers /verify/: is this file (or this code) one the portal
issued, is its signature intact and trusted (chained to the roots of
`signing.certificates.trust_roots`), who signed it and when, and has it
been changed since (its SHA-256 differs from the register, the signature
does not cover the whole file, or bytes were appended after it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from asn1crypto import cms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from signing import certificates
from signing.models import SignedDocument

__all__ = [
    "Outcome", "SignatureInfo", "SigningError", "UnsignablePdf", "Verification", "next_code", "normalise_code",
    "sign_pdf", "verify",
]

logger = logging.getLogger(__name__)

FIELD_NAME = "CongDichVuCong"
CODE_RE = re.compile(r"^[0-9A-Za-z.\-_/]{3,128}$")


class SigningError(Exception):
    """Signing could not be done; the message is translated and fit to show."""


class UnsignablePdf(SigningError):
    """The PDF itself cannot be signed: damaged, or protected by a password."""


# ---------------------------------------------------------------- signing


def _off_the_loop(function, *args):
    """pyHanko's synchronous calls run `asyncio.run()`, which fails in a
    thread whose event loop is running (ASGI, a Playwright-driven test):
    there, they run in a worker thread of their own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def _field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
    name, n = FIELD_NAME, 1
    while name in taken:
        n += 1
        name = f"{FIELD_NAME}{n}"
    return name


def _signature_digest(contents: bytes) -> str:
    """SHA-256 of the CMS signature without the field's zero padding."""
    try:
        der = cms.ContentInfo.load(contents).dump()
    except ValueError:
        der = contents.rstrip(b"\x00")
    return hashlib.sha256(der).hexdigest()


def _timestamper():
    url = getattr(settings, "PORTAL_SIGNING_TIMESTAMP_URL", "")
    return HTTPTimeStamper(url) if url else None


def _sign(pdf_bytes: bytes, found: certificates.AgencySigner, reason: str) -> bytes:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except Exception as error:  # pyHanko raises several kinds for a file it cannot read
        raise UnsignablePdf(_("The PDF file is damaged, so it cannot be signed. Save it again as PDF and upload "
                              "it again.")) from error
    if writer.prev.encrypted:
        raise UnsignablePdf(_("The PDF file is protected with a password, so it cannot be signed. Save it without "
                              "protection and upload it again."))
    meta = signers.PdfSignatureMetadata(
        field_name=_field_name(writer), subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason[:200] or None, name=found.info.subject_name or None,
    )
    timestamper = _timestamper()
    try:
        out = _off_the_loop(signers.PdfSigner(meta, signer=found.signer, timestamper=timestamper).sign_pdf, writer)
    except TimestampRequestError:
        logger.warning("The time-stamp authority did not answer; signing without a time stamp")
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        out = _off_the_loop(signers.PdfSigner(meta, signer=found.signer).sign_pdf, writer)
    except (PyHankoSigningError, ValueError, KeyError, TypeError) as error:
        raise UnsignablePdf(_("The PDF file could not be signed. Save it again as PDF and upload it "
                              "again.")) from error
    return out.getvalue()


def sign_pdf(pdf_bytes: bytes, agency, *, code: str, kind: str, reason: str, dossier_code: str = "",
             title: str = "", unsigned_on_error: bool = False) -> bytes:
    """Sign `pdf_bytes` for `agency` and record it under `code`; return the
    bytes to store and hand out. Without a usable certificate the bytes come
    back unchanged and are recorded unsigned. A PDF pyHanko cannot sign
    (damaged, encrypted) raises `UnsignablePdf`, unless `unsigned_on_error`,
    when it is logged and recorded unsigned too. Call it inside the
    transaction that stores the document, so both are kept or neither."""
    found = certificates.signer_for(agency)
    record = SignedDocument(code=code, kind=kind, title=(title or reason)[:500], dossier_code=dossier_code,
                            agency=agency, signed_at=timezone.now())
    signed = None
    if found is not None:
        try:
            signed = _sign(pdf_bytes, found, reason)
        except UnsignablePdf:
            if not unsigned_on_error:
                raise
            logger.exception("Document %s could not be signed; issued unsigned", code)
    if signed is None:
        record.signed = False
        out = pdf_bytes
    else:
        out = signed
        record.signed = True
        record.certificate = found.certificate
        record.certificate_source = found.source
        record.signer_subject = found.info.subject[:500]
        record.signer_serial = found.info.serial
        embedded = PdfFileReader(io.BytesIO(out), strict=False).embedded_signatures[-1]
        record.signature_digest = _signature_digest(embedded.pkcs7_content)
    record.sha256 = hashlib.sha256(out).hexdigest()
    record.size = len(out)
    record.save()
    return out


def next_code(prefix: str) -> str:
    """The first unused `<prefix><n>` (n from 1): result files are
    `<dossier code>/KQ-<n>`. The caller holds the dossier's row lock."""
    taken = set(SignedDocument.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


# ---------------------------------------------------------------- verifying


class Outcome:
    VALID = "valid"  # the portal issued exactly this file, its signature is intact and trusted
    VALID_UNSIGNED = "valid_unsigned"  # the portal issued exactly this file, without a signature
    UNTRUSTED = "untrusted"  # exactly the file issued, but its certificate no longer chains to our roots
    CHANGED = "changed"  # the portal issued this document, and this copy was changed since
    MISMATCH = "mismatch"  # a code was given, and the file is not that document
    NOT_ISSUED = "not_issued"  # the portal knows nothing of this file
    FOUND = "found"  # a code only: the portal issued it (no file to compare)
    UNKNOWN_CODE = "unknown_code"  # a code only: the portal issued no document with it


@dataclass
class SignatureInfo:
    """One signature found in the file."""

    signer: str
    signer_subject: str
    issuer: str
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    signed_at: dt.datetime | None
    timestamped: bool
    digest: str
    portal: bool = False

    @property
    def sound(self) -> bool:
        return self.intact and self.valid and self.trusted and self.covers_whole_file


@dataclass
class Verification:
    """What /verify/ says. No personal data: the register holds none."""

    outcome: str
    record: SignedDocument | None = None
    signatures: list[SignatureInfo] = field(default_factory=list)
    sha256: str = ""
    file_given: bool = False
    code: str = ""
    readable: bool = True

    @property
    def known(self) -> bool:
        """The portal issued this document (by the file's hash, its signature or the code)."""
        return self.record is not None and self.outcome != Outcome.MISMATCH

    @property
    def portal_signature(self) -> SignatureInfo | None:
        return next((s for s in self.signatures if s.portal), None)

    @property
    def modified(self) -> bool | None:
        if not self.file_given or self.record is None:
            return None
        return self.sha256 != self.record.sha256

    @property
    def intact(self) -> bool | None:
        signature = self.portal_signature
        return signature.intact if signature else None

    @property
    def trusted(self) -> bool | None:
        signature = self.portal_signature
        return signature.trusted if signature else None

    @property
    def signer(self) -> str:
        signature = self.portal_signature
        if signature is not None:
            return signature.signer
        return signer_name(self.record.signer_subject) if self.record is not None else ""

    @property
    def signed_at(self) -> dt.datetime | None:
        return self.record.signed_at if self.record is not None else None


def signer_name(subject: str) -> str:
    """The CN of an RFC 4514 subject ("CN=Sở Tư pháp,O=…"), else the whole subject."""
    match = re.search(r"(?:^|,)CN=((?:\\.|[^,])*)", subject or "")
    return match.group(1).replace("\\", "") if match else (subject or "")


def normalise_code(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def _validation_context(roots: certificates.TrustRoots, moment: dt.datetime | None) -> ValidationContext:
    # No fetching: /verify/ makes no outgoing requests (revocation is soft-fail).
    return ValidationContext(trust_roots=roots.certificates, allow_fetching=False, moment=moment)


@dataclass
class _Embedded:
    signature: object
    digest: str
    signer: str
    subject: str
    issuer: str


def _embedded(data: bytes) -> tuple[list[_Embedded], bool]:
    """The file's signatures, read but not validated yet; (found, readable)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - a damaged or foreign file: pyHanko raises several kinds
        return [], False
    found = []
    for signature in signatures:
        try:
            cert = signature.signer_cert
            found.append(_Embedded(signature, _signature_digest(signature.pkcs7_content),
                                   cert.subject.native.get("common_name") or cert.subject.human_friendly,
                                   cert.subject.human_friendly, cert.issuer.human_friendly))
        except Exception:  # noqa: BLE001 - an unreadable signature is reported as broken
            found.append(_Embedded(signature, "", "", "", ""))
    return found, True


def _validate(item: _Embedded, roots: certificates.TrustRoots, moment) -> SignatureInfo:
    broken = SignatureInfo(signer=item.signer, signer_subject=item.subject, issuer=item.issuer, intact=False,
                           valid=False, trusted=False, covers_whole_file=False, signed_at=None, timestamped=False,
                           digest=item.digest)
    if not item.digest:
        return broken
    try:
        status = _off_the_loop(validate_pdf_signature, item.signature, _validation_context(roots, moment))
    except Exception:
        logger.info("A signature by %s could not be validated", item.signer, exc_info=True)
        return broken
    timestamp = status.timestamp_validity.timestamp if status.timestamp_validity is not None else None
    return SignatureInfo(
        signer=item.signer, signer_subject=item.subject, issuer=item.issuer, intact=bool(status.intact),
        valid=bool(status.valid), trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signed_at=timestamp or status.signer_reported_dt, timestamped=timestamp is not None, digest=item.digest,
    )


def verify(pdf_bytes: bytes | None = None, code: str | None = None) -> Verification:
    """Check a file, a code, or both (the file must then be that document)."""
    code = normalise_code(code or "")
    by_code = SignedDocument.objects.select_related("agency").filter(code__iexact=code).first() if code else None
    if pdf_bytes is None:
        if by_code is None:
            return Verification(Outcome.UNKNOWN_CODE, code=code)
        return Verification(Outcome.FOUND, record=by_code, code=code)

    sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    result = Verification(Outcome.NOT_ISSUED, sha256=sha256, file_given=True, code=code)
    by_hash = SignedDocument.objects.select_related("agency").filter(sha256=sha256).order_by("pk").first()
    embedded, result.readable = _embedded(pdf_bytes)
    digests = [item.digest for item in embedded if item.digest]
    by_signature = (SignedDocument.objects.select_related("agency").filter(signature_digest__in=digests)
                    .exclude(signature_digest="").order_by("pk").first() if digests else None)
    record = by_hash or by_signature
    # The register's time of signing is the one the portal trusts: the chain
    # is checked as it stood then, so a certificate that expired since does
    # not turn an old document into an untrusted one.
    moment = record.signed_at if record is not None and record.signed else None
    roots = certificates.trust_roots() if embedded else certificates.TrustRoots()
    signatures = [_validate(item, roots, moment) for item in embedded]
    if record is not None:
        for signature in signatures:
            signature.portal = bool(record.signature_digest) and signature.digest == record.signature_digest
    result.signatures = signatures

    if by_code is not None and record is not None and by_code.pk != record.pk:
        result.record = by_code
        result.outcome = Outcome.MISMATCH
        return result
    if record is None:
        if by_code is not None:
            result.record = by_code
            result.outcome = Outcome.MISMATCH
        return result
    result.record = record
    if by_hash is None:
        result.outcome = Outcome.CHANGED
    elif not record.signed:
        result.outcome = Outcome.VALID_UNSIGNED
    else:
        portal = result.portal_signature
        if portal is None or not (portal.intact and portal.valid and portal.covers_whole_file):
            result.outcome = Outcome.CHANGED
        elif not portal.trusted:
            result.outcome = Outcome.UNTRUSTED
        else:
            result.outcome = Outcome.VALID
    return result

