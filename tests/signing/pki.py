"""A throwaway public-key infrastructure for the signing tests, made here
with `cryptography` (independently of the demo's): a root CA, agency
signing certificates under it (EC P-256, digitalSignature and
contentCommitment, which pyHanko's default policy requires), PKCS#12
bundles, and a stranger CA the portal does not trust."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSWORD = "mật-khẩu-thử 123"

USAGES = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
          "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"]


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def usage(**granted) -> x509.KeyUsage:
    return x509.KeyUsage(**{u: granted.get(u, False) for u in USAGES})


@dataclass
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass
class Signer:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    authority: Authority

    def p12(self, password: str = PASSWORD, with_chain: bool = True) -> bytes:
        chain = [self.authority.certificate] if with_chain else []
        return pkcs12.serialize_key_and_certificates(
            b"signer", self.key, self.certificate, chain,
            serialization.BestAvailableEncryption(password.encode("utf-8")))


def make_authority(common_name: str = "Test Root CA") -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(name(common_name))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, certificate)


def make_signer(authority: Authority, common_name: str, *, content_commitment: bool = True,
                valid_from: dt.datetime | None = None, valid_until: dt.datetime | None = None) -> Signer:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(authority.certificate.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(valid_from or now - dt.timedelta(days=1))
        .not_valid_after(valid_until or now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(digital_signature=True, content_commitment=content_commitment), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
                       critical=False)
        .sign(authority.key, hashes.SHA256())
    )
    return Signer(key, certificate, authority)
