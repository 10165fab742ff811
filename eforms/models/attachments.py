"""Files attached to dossiers, kept in private storage.

Files never live under MEDIA_ROOT: they are stored in the private store
(`STORAGES["private"]`: PORTAL_PRIVATE_MEDIA_ROOT, or a private bucket) with
random names and served only by `eforms.views.files.attachment_download`,
which checks who is asking.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import PrivateStorage, StorageAlias
from eforms.file_kinds import EXTENSIONS

__all__ = ["Attachment", "AttachmentRole", "PrivateStorage", "ScanStatus", "private_storage"]


_storage = StorageAlias("private")


def private_storage() -> PrivateStorage:
    """The storage of dossier files (a callable, so migrations do not freeze a path)."""
    return _storage


def random_file_name(instance: Attachment, filename: str) -> str:
    """`YYYY/MM/<32 random hex>`: no part of the uploader's name reaches the disk."""
    now = timezone.now()
    return f"{now:%Y/%m}/{secrets.token_hex(16)}"


def clean_original_name(name: str) -> str:
    """The uploader's file name without folders or control characters, for
    display and for the download's suggested name only."""
    name = PurePath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|*?:')
    return name.strip()[:200] or "file"


class ScanStatus(models.TextChoices):
    """Where a file stands with the virus scanner (`eforms.scanning`)."""

    NOT_REQUIRED = "not_required", _("not scanned (scanning was off)")
    PENDING = "pending", _("waiting for the virus scan")
    CLEAN = "clean", _("no virus found")
    INFECTED = "infected", _("virus or malware found")
    ERROR = "error", _("the scanner could not check it")


class AttachmentRole(models.TextChoices):
    """What a file is to the dossier: the applicant's document, or a result
    the agency issues (which the applicant may download once the dossier is
    completed, when the result is delivered online)."""

    DOCUMENT = "document", _("document")
    RESULT = "result", _("result")


class Attachment(models.Model):
    """One uploaded file: a form field's upload on a dossier (or a draft
    upload before the dossier exists), or a document attached to an event
    (a supplement, a result)."""

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(
        "eforms.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="attachments",
    )
    event = models.ForeignKey(
        "eforms.DossierEvent", verbose_name=_("event"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="dossier_uploads",
    )
    field_name = models.CharField(_("form field"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=AttachmentRole.choices,
                            default=AttachmentRole.DOCUMENT, db_index=True)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=10, help_text=_("Detected from the content: pdf, jpeg, png…"))
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=random_file_name, max_length=255)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    scan_status = models.CharField(
        _("virus scan"), max_length=12, choices=ScanStatus.choices, default=ScanStatus.NOT_REQUIRED, db_index=True
    )
    scanned_at = models.DateTimeField(_("scanned at"), null=True, blank=True)
    scan_result = models.CharField(
        _("scan result"), max_length=255, blank=True,
        help_text=_("The signature found, or why the scanner could not check the file."),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_submitted(self) -> bool:
        """False for a draft upload: no dossier yet, or a dossier still a draft."""
        return self.dossier_id is not None and self.dossier.status != "draft"

    @property
    def download_name(self) -> str:
        """The original name, with the extension that matches the content
        (a PDF renamed .jpg downloads as .pdf)."""
        stem, dot, ext = self.original_name.rpartition(".")
        wanted = EXTENSIONS.get(self.kind, ())
        if dot and ext.lower() in wanted:
            return self.original_name
        base = stem if dot else self.original_name
        return f"{base}.{wanted[0]}" if wanted else base


def delete_stored_file(sender, instance: Attachment, **kwargs) -> None:
    """Deleting the row deletes the file, whichever way the row went
    (connected to `post_delete` in `EformsConfig.ready()`)."""
    if instance.file.name:
        instance.file.storage.delete(instance.file.name)
