"""The agencies' signing certificates: where they come from, what they say,
whether they can sign, and which roots the portal trusts.

Two sources, per agency:

* the server's settings, `PORTAL_SIGNING_CERTIFICATES`: a JSON object (or
  the path of a JSON file holding one) mapping an agency's unit code to its
  PKCS#12 file and the name of the environment variable that holds the
  password, e.g. ``{"000.00.10.H30": {"file": "/etc/portal/stp.p12",
  "password_env": "PORTAL_SIGNING_PASSWORD_STP"}}``. The password never
  touches the database;
* the admin (`AgencyCertificate`): the file in private storage, the
  password encrypted with a key derived from SECRET_KEY (`signing.passwords`).

An agency named in the settings signs with that certificate, and the admin
refuses an upload for it (one place decides, and says so). A certificate
that cannot sign (wrong password, missing file, expired, not yet valid, no
digital-signature or non-repudiation key usage) is reported by
`manage.py check`, on the admin's "Agencies that can sign" screen and once
in the log; the agency's documents are then issued unsigned.

Trust roots for /verify/: the PEM files of `PORTAL_SIGNING_TRUST_ROOTS`,
plus the issuers found in the configured certificates' files (every
certificate of a bundle after the signer's, and the signer's own when it is
self-signed). Uploading a bundle in the admin is therefore also a decision
to trust its CA; retired certificates keep their chain, so what they
signed still verifies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign import signers

from signing import passwords
from signing.models import AgencyCertificate

logger = logging.getLogger(__name__)

SETTINGS = "settings"
ADMIN = "admin"

#: A PKCS#12 bundle is a few kilobytes; anything past this is not one.
MAX_PKCS12_SIZE = 256 * 1024


class CertificateError(Exception):
    """A certificate that cannot sign; the message is translated and fit to show."""


# ---------------------------------------------------------------- reading a bundle


@dataclass(frozen=True)
class CertificateInfo:
    """What a signing certificate says, read from it."""

    subject: str
    subject_name: str
    issuer: str
    serial: str
    fingerprint: str
    not_before: dt.datetime
    not_after: dt.datetime
    chain_pem: str
    digital_signature: bool
    non_repudiation: bool

    @property
    def expired(self) -> bool:
        return self.not_after <= timezone.now()


def _common_name(name: x509.Name) -> str:
    found = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else name.rfc4514_string()


def inspect(certificate: x509.Certificate, chain: list[x509.Certificate]) -> CertificateInfo:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        digital_signature, non_repudiation = usage.digital_signature, usage.content_commitment
    except x509.ExtensionNotFound:  # no KeyUsage: every use is allowed
        digital_signature = non_repudiation = True
    pem = "".join(c.public_bytes(Encoding.PEM).decode("ascii") for c in [certificate, *chain])
    return CertificateInfo(
        subject=certificate.subject.rfc4514_string(),
        subject_name=_common_name(certificate.subject),
        issuer=certificate.issuer.rfc4514_string(),
        serial=format(certificate.serial_number, "X"),
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        chain_pem=pem,
        digital_signature=digital_signature,
        non_repudiation=non_repudiation,
    )


def read_pkcs12(data: bytes, password: str | None) -> tuple[CertificateInfo, signers.SimpleSigner]:
    """Open a PKCS#12 bundle. pyHanko's `load_pkcs12` (from a path) logs
    and returns None on a wrong password; `load_pkcs12_data` raises
    ValueError, turned here into a message that says what to do."""
    if not data or len(data) > MAX_PKCS12_SIZE:
        raise CertificateError(_("This is not a PKCS#12 (.p12 or .pfx) certificate file."))
    secret = password.encode("utf-8") if password else None
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, secret)
    except ValueError as error:
        raise CertificateError(
            _("The password does not open this certificate file, or it is not a PKCS#12 (.p12 or .pfx) file. "
              "Check the password and the file, and try again.")
        ) from error
    if key is None or certificate is None:
        raise CertificateError(_("The certificate file holds no private key and certificate to sign with."))
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, [], passphrase=secret)
    except ValueError as error:  # a key type pyHanko cannot sign with
        raise CertificateError(_("This certificate's key cannot be used to sign PDF documents.")) from error
    return inspect(certificate, list(chain)), signer


def check_usable(info: CertificateInfo, now: dt.datetime | None = None) -> None:
    """Raise CertificateError when signatures made now would not hold."""
    now = now or timezone.now()
    day = "%d/%m/%Y"
    if info.not_after <= now:
        raise CertificateError(_("The certificate expired on %(date)s.") % {
            "date": timezone.localtime(info.not_after).strftime(day)})
    if info.not_before > now:
        raise CertificateError(_("The certificate is valid only from %(date)s.") % {
            "date": timezone.localtime(info.not_before).strftime(day)})
    if not info.digital_signature or not info.non_repudiation:
        raise CertificateError(
            _("The certificate does not allow digital signatures with non-repudiation (key usage "
              "digitalSignature and contentCommitment), so its signatures would not be accepted.")
        )


# ---------------------------------------------------------------- the settings


def configured() -> dict[str, dict]:
    """`PORTAL_SIGNING_CERTIFICATES` as {unit code: {"file", "password_env"}}:
    a dict (tests), a JSON object, or the path of a JSON file."""
    value = getattr(settings, "PORTAL_SIGNING_CERTIFICATES", "") or {}
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return {}
        if not text.startswith("{"):
            try:
                text = Path(text).read_text(encoding="utf-8")
            except OSError as error:
                logger.error("PORTAL_SIGNING_CERTIFICATES: cannot read %s: %s", value, error)
                return {}
        try:
            value = json.loads(text)
        except ValueError as error:
            logger.error("PORTAL_SIGNING_CERTIFICATES is not valid JSON: %s", error)
            return {}
    if not isinstance(value, dict):
        logger.error("PORTAL_SIGNING_CERTIFICATES must map unit codes to {\"file\", \"password_env\"}")
        return {}
    return {str(code): entry for code, entry in value.items() if isinstance(entry, dict)}


# ---------------------------------------------------------------- one agency's signer


@dataclass
class AgencySigner:
    """What signs for an agency: pyHanko's signer and the certificate's facts."""

    signer: signers.SimpleSigner
    info: CertificateInfo
    source: str
    certificate: AgencyCertificate | None = None


@dataclass
class AgencyStatus:
    """An agency as the admin's overview shows it."""

    agency: object
    source: str = ""
    info: CertificateInfo | None = None
    certificate: AgencyCertificate | None = None
    problem: str = ""

    @property
    def can_sign(self) -> bool:
        return self.info is not None and not self.problem


#: Opened bundles, by where they came from and their content's digest.
_opened: dict[tuple, tuple[CertificateInfo, signers.SimpleSigner]] = {}
_warned: set[tuple] = set()


def _open_cached(key: tuple, data: bytes, password: str | None):
    full_key = (*key, hashlib.sha256(data).hexdigest(), hashlib.sha256((password or "").encode()).hexdigest())
    if full_key not in _opened:
        _opened[full_key] = read_pkcs12(data, password)
    return _opened[full_key]


def _from_settings(unit_code: str, entry: dict) -> tuple[CertificateInfo, signers.SimpleSigner]:
    path = str(entry.get("file") or "")
    variable = str(entry.get("password_env") or "")
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise CertificateError(_("The certificate file %(path)s named in PORTAL_SIGNING_CERTIFICATES cannot be "
                                 "read.") % {"path": path}) from error
    if variable and variable not in os.environ:
        raise CertificateError(_("The environment variable %(name)s, which should hold the certificate's password, "
                                 "is not set.") % {"name": variable})
    password = os.environ.get(variable, "") if variable else ""
    try:
        return _open_cached((SETTINGS, unit_code, path), data, password)
    except CertificateError as error:
        raise CertificateError(f"{path}: {error}") from error


def _from_admin(row: AgencyCertificate) -> tuple[CertificateInfo, signers.SimpleSigner]:
    password = passwords.decrypt(row.password_encrypted)
    if password is None:
        raise CertificateError(_("The stored password can no longer be read (the site's secret key changed). "
                                 "Upload the certificate again."))
    if not row.p12_file:
        raise CertificateError(_("The certificate file is missing. Upload the certificate again."))
    try:
        with row.p12_file.open("rb") as handle:
            data = handle.read()
    except OSError as error:
        raise CertificateError(_("The certificate file is missing. Upload the certificate again.")) from error
    return _open_cached((ADMIN, row.pk), data, password)


def active_row(agency) -> AgencyCertificate | None:
    if agency is None:
        return None
    return (AgencyCertificate.objects.select_related("agency")
            .filter(agency__translation_key=agency.translation_key, active=True).order_by("-created_at").first())


def status_for(agency) -> AgencyStatus:
    """Whether the agency can sign now, with what, and if not, why."""
    status = AgencyStatus(agency=agency)
    entry = configured().get(agency.unit_code) if agency is not None else None
    try:
        if entry is not None:
            status.source = SETTINGS
            status.info, _signer = _from_settings(agency.unit_code, entry)
        else:
            row = active_row(agency)
            if row is None:
                return status
            status.source, status.certificate = ADMIN, row
            status.info, _signer = _from_admin(row)
        check_usable(status.info)
    except CertificateError as error:
        status.problem = str(error)
    return status


def _warn_once(agency, problem: str) -> None:
    key = (getattr(agency, "translation_key", None), problem)
    if key not in _warned:
        _warned.add(key)
        logger.warning("Agency %s: documents are issued unsigned: %s", agency, problem)


def signer_for(agency) -> AgencySigner | None:
    """The agency's signer, or None (logged once per agency and reason) when
    it has no certificate or its certificate cannot sign."""
    if agency is None:
        return None
    entry = configured().get(agency.unit_code)
    row = None
    try:
        if entry is not None:
            info, signer = _from_settings(agency.unit_code, entry)
            source = SETTINGS
        else:
            row = active_row(agency)
            if row is None:
                _warn_once(agency, "no signing certificate")
                return None
            info, signer = _from_admin(row)
            source = ADMIN
        check_usable(info)
    except CertificateError as error:
        _warn_once(agency, str(error))
        return None
    return AgencySigner(signer=signer, info=info, source=source, certificate=row)


def settings_problems() -> list[str]:
    """Every certificate of the settings that cannot sign, for `manage.py check`."""
    problems = []
    for unit_code, entry in configured().items():
        try:
            info, _signer = _from_settings(unit_code, entry)
            check_usable(info)
        except CertificateError as error:
            problems.append(f"{unit_code}: {error}")
    return problems


# ---------------------------------------------------------------- trust


def _pem_certificates(text: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(text)
    except ValueError:
        return []


@dataclass
class TrustRoots:
    certificates: list[asn1_x509.Certificate] = field(default_factory=list)
    fingerprints: set[str] = field(default_factory=set)

    def add(self, certificate: x509.Certificate) -> None:
        fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
        if fingerprint not in self.fingerprints:
            self.fingerprints.add(fingerprint)
            self.certificates.append(asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)))

    def add_issuers(self, chain: list[x509.Certificate]) -> None:
        if not chain:
            return
        leaf, issuers = chain[0], chain[1:]
        if leaf.issuer == leaf.subject:
            self.add(leaf)
        for certificate in issuers:
            self.add(certificate)


def trust_roots() -> TrustRoots:
    roots = TrustRoots()
    for path in getattr(settings, "PORTAL_SIGNING_TRUST_ROOTS", []) or []:
        try:
            found = _pem_certificates(Path(path).read_bytes())
        except OSError as error:
            logger.error("PORTAL_SIGNING_TRUST_ROOTS: cannot read %s: %s", path, error)
            continue
        if not found:
            logger.error("PORTAL_SIGNING_TRUST_ROOTS: no PEM certificate in %s", path)
        for certificate in found:
            roots.add(certificate)
    for chain_pem in AgencyCertificate.objects.values_list("chain_pem", flat=True):
        roots.add_issuers(_pem_certificates(chain_pem.encode("ascii")))
    for unit_code, entry in configured().items():
        try:
            info, _signer = _from_settings(unit_code, entry)
        except CertificateError:
            continue
        roots.add_issuers(_pem_certificates(info.chain_pem.encode("ascii")))
    return roots


# ---------------------------------------------------------------- installing and retiring (admin, demo)


def retire(certificate: AgencyCertificate, now: dt.datetime | None = None) -> None:
    """Stop signing with it and erase its private key and password; its
    public certificate and chain stay, so what it signed still verifies."""
    if certificate.p12_file:
        certificate.p12_file.delete(save=False)
    certificate.password_encrypted = ""
    certificate.active = False
    certificate.retired_at = now or timezone.now()
    certificate.save()


def install(agency, bundle: bytes, password: str, *, uploaded_by=None,
            info: CertificateInfo | None = None) -> AgencyCertificate:
    """Store a checked PKCS#12 bundle as the agency's active certificate
    (the previous one is retired). Raises CertificateError when it cannot sign."""
    if info is None:
        info, _signer = read_pkcs12(bundle, password)
    check_usable(info)
    row = AgencyCertificate(
        agency=agency, active=True, subject=info.subject[:500], subject_name=info.subject_name[:255],
        issuer=info.issuer[:500], serial=info.serial, fingerprint=info.fingerprint, not_before=info.not_before,
        not_after=info.not_after, chain_pem=info.chain_pem, password_encrypted=passwords.encrypt(password or ""),
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )
    row.p12_file.save("upload.p12", ContentFile(bundle), save=False)
    try:
        with transaction.atomic():
            previous = AgencyCertificate.objects.select_for_update().filter(
                agency__translation_key=agency.translation_key, active=True)
            for old in previous:
                retire(old)
            row.save()
    except Exception:
        row.p12_file.delete(save=False)
        raise
    return row
