"""Signing certificates of the agencies, and the register of the documents
the portal signed (or issued unsigned, when the agency had no certificate).

An `AgencyCertificate` is a PKCS#12 bundle uploaded in the admin: the file
sits in private storage (`signing.storage`), its password is kept
encrypted with a key derived from SECRET_KEY (`signing.passwords`), and what
the certificate says (subject, issuer, serial, validity, the chain) is
copied into the row when it is uploaded, so the admin and /verify/ never
need the password to show it. Certificates can also come from the server's
settings (`PORTAL_SIGNING_CERTIFICATES`, `signing.certificates`); those
have no row.

A `SignedDocument` is one PDF the portal issued: its code (the document's
number, or a result file's code), kind, agency, who signed and when, and
the SHA-256 of the bytes handed out, so /verify/ can say whether a file is
one of them. It holds no personal data: no names, no file names.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signing.storage import private_storage

__all__ = ["AgencyCertificate", "SignedDocument", "SignedKind"]


def certificate_file_name(instance: AgencyCertificate, filename: str) -> str:
    """`signing/certificates/<32 random hex>.p12`: nothing of the uploader's name."""
    return f"signing/certificates/{secrets.token_hex(16)}.p12"


class AgencyCertificate(models.Model):
    """One agency's signing certificate uploaded in the admin. At most one
    is active per agency (over its translations); a retired one keeps its
    public certificate, so documents it signed still verify, and loses its
    private key (the file and the password are erased)."""

    agency = models.ForeignKey(
        "procedures.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="signing_certificates"
    )
    active = models.BooleanField(_("active"), default=True, db_index=True)
    p12_file = models.FileField(_("PKCS#12 file"), storage=private_storage, upload_to=certificate_file_name,
                                max_length=255, blank=True)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True)
    subject = models.CharField(_("subject"), max_length=500)
    subject_name = models.CharField(_("signer name"), max_length=255, blank=True,
                                    help_text=_("The certificate's common name (CN)."))
    issuer = models.CharField(_("issuer"), max_length=500)
    serial = models.CharField(_("serial number"), max_length=100)
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, db_index=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    chain_pem = models.TextField(_("certificate and chain (PEM)"),
                                 help_text=_("Public: the signer's certificate, then the issuers in the file."))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")
        ordering = ["agency__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency"], condition=models.Q(active=True),
                                    name="one_active_certificate_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.subject_name or self.subject}"

    @property
    def expired(self) -> bool:
        return self.not_after <= timezone.now()


class SignedKind(models.TextChoices):
    DOCUMENT = "document", _("Circular 03/2025 document")
    RESULT = "result", _("Result of a dossier")
    OTHER = "other", _("Other document")


class SignedDocument(models.Model):
    """A PDF the portal issued, as handed out (`sha256` of those bytes)."""

    code = models.CharField(_("document code"), max_length=128, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SignedKind.choices)
    title = models.CharField(_("title"), max_length=500, blank=True)
    dossier_code = models.CharField(_("dossier code"), max_length=64, blank=True, db_index=True)
    agency = models.ForeignKey("procedures.Agency", verbose_name=_("agency"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    signed = models.BooleanField(_("digitally signed"), default=True)
    certificate = models.ForeignKey(AgencyCertificate, verbose_name=_("certificate"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="documents")
    certificate_source = models.CharField(_("certificate from"), max_length=16, blank=True)
    signer_subject = models.CharField(_("signer"), max_length=500, blank=True)
    signer_serial = models.CharField(_("certificate serial number"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("issued at"), default=timezone.now)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    signature_digest = models.CharField(
        _("signature digest"), max_length=64, blank=True, db_index=True,
        help_text=_("SHA-256 of the signature itself: finds the document again in a copy that was changed."),
    )
    size = models.PositiveIntegerField(_("size in bytes"), default=0)

    class Meta:
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return self.code
