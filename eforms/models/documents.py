"""Circular 03/2025/TT-VPCP documents issued for a dossier.

Each row is one document as it was issued: the facts it printed (`data`,
so the page can be shown again exactly as issued even after the dossier
changes) and the PDF made then, in private storage with its SHA-256. How
documents are made and issued is `eforms.documents`; the lifecycle issues
them at the steps Circular 03/2025 names.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .attachments import private_storage

__all__ = ["DocumentKind", "IssuedDocument"]


class DocumentKind(models.TextChoices):
    """The forms of Circular 03/2025's appendix, by their number."""

    RECEIPT = "01", _("Receipt of dossier and appointment for the result")
    SUPPLEMENT = "02", _("Request to supplement and complete the dossier")
    REFUSAL = "03", _("Refusal to receive and process the dossier")
    EXTENSION = "04", _("Apology and request for more processing time")
    STOP = "05", _("Notice that processing of the dossier stops")
    CONTROL = "06", _("Control slip of the dossier's processing")


#: What the applicant receives and sees; the control slip is internal.
APPLICANT_KINDS = frozenset(
    {DocumentKind.RECEIPT, DocumentKind.SUPPLEMENT, DocumentKind.REFUSAL, DocumentKind.EXTENSION, DocumentKind.STOP}
)


def document_file_name(instance: IssuedDocument, filename: str) -> str:
    now = timezone.now()
    return f"documents/{now:%Y/%m}/{secrets.token_hex(16)}.pdf"


class IssuedDocumentQuerySet(models.QuerySet):
    def for_applicant(self):
        return self.filter(kind__in=APPLICANT_KINDS)


class IssuedDocument(models.Model):
    dossier = models.ForeignKey(
        "eforms.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=2, choices=DocumentKind.choices)
    number = models.CharField(
        _("number"), max_length=96, unique=True,
        help_text=_("The dossier code, the form number and a sequence: 000.00.10.H30-250714-0001/02-1."),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="issued_documents",
    )
    issued_by_label = models.CharField(_("issued by (name)"), max_length=255, blank=True)
    event = models.OneToOneField(
        "eforms.DossierEvent", verbose_name=_("event"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="document",
    )
    language = models.CharField(_("language"), max_length=8)
    data = models.JSONField(_("facts printed"), default=dict)
    file = models.FileField(_("PDF"), storage=private_storage, upload_to=document_file_name, max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["issued_at", "pk"]
        indexes = [models.Index(fields=["dossier", "kind"], name="document_dossier_kind")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def for_applicant(self) -> bool:
        return self.kind in APPLICANT_KINDS

    @property
    def filename(self) -> str:
        return f"mau-{self.kind}-{self.number.replace('/', '-')}.pdf"
