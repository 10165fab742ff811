"""Demo signing certificates, for `manage.py load_demo`: a demo certification
authority and one certificate per demo agency, so the demo's documents are
signed and /verify/ calls them valid.

Everything is made here with `cryptography` (EC P-256; the agency's
certificate has the key usages digitalSignature and contentCommitment,
which pyHanko's default validation policy requires). The CA's key and
certificate are kept in private storage (`signing/demo/`) so a later run
issues the next agency's certificate under the same CA; each agency's
PKCS#12 file is stored like an upload in the admin (`AgencyCertificate`),
with its chain, which makes the demo CA a trust root. Idempotent: an agency
that can already sign is left alone. Never use these in production: the
CA's private key sits next to the portal.
"""

from __future__ import annotations

import datetime as dt
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.files.base import ContentFile
from wagtail.models import Locale

from procedures.models import Agency
from signing import certificates
from signing.storage import private_storage

CA_KEY = "signing/demo/ca-key.pem"
CA_CERT = "signing/demo/ca.pem"
CA_NAME = "Demo CA – Cổng dịch vụ công (không dùng thật)"


def _name(common_name: str, organisation: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attributes)


def _usage(**granted) -> x509.KeyUsage:
    names = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
             "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"]
    return x509.KeyUsage(**{name: granted.get(name, False) for name in names})


def make_ca(common_name: str = CA_NAME, years: int = 10):
    """(key, certificate) of a self-signed root."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name(common_name))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def make_signer(ca_key, ca_certificate, common_name: str, organisation: str = "", years: int = 3):
    """(key, certificate) of an agency's signing certificate under the CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(_name(common_name, organisation))
        .issuer_name(ca_certificate.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, certificate


def bundle(key, certificate, chain, password: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"signer", key, certificate, chain, serialization.BestAvailableEncryption(password.encode("utf-8")))


def demo_ca():
    """The demo CA from private storage, made on the first run."""
    storage = private_storage()
    if storage.exists(CA_KEY) and storage.exists(CA_CERT):
        with storage.open(CA_KEY, "rb") as handle:
            key = serialization.load_pem_private_key(handle.read(), password=None)
        with storage.open(CA_CERT, "rb") as handle:
            certificate = x509.load_pem_x509_certificate(handle.read())
        if certificate.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=30):
            return key, certificate
        storage.delete(CA_KEY)
        storage.delete(CA_CERT)
    key, certificate = make_ca()
    storage.save(CA_KEY, ContentFile(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))
    storage.save(CA_CERT, ContentFile(certificate.public_bytes(serialization.Encoding.PEM)))
    return key, certificate


def load(stdout) -> None:
    agencies = Agency.objects.filter(locale=Locale.get_default()).order_by("name")
    ca = None
    made = 0
    for agency in agencies:
        if certificates.status_for(agency).can_sign:
            continue
        if agency.unit_code in certificates.configured():
            continue  # the server's settings decide for this agency
        ca = ca or demo_ca()
        ca_key, ca_certificate = ca
        key, certificate = make_signer(ca_key, ca_certificate, agency.name, "Cổng dịch vụ công (demo)")
        password = secrets.token_urlsafe(16)
        certificates.install(agency, bundle(key, certificate, [ca_certificate], password), password)
        made += 1
    if made:
        stdout.write(f"Demo signing certificates: {made} agencies can sign (demo CA, not for real use).\n")
