"""Safe uploads: files are judged by their content, never by their name.

A file is accepted when
* it is not empty and not larger than its field allows;
* its magic bytes (`filetype`, which Wagtail brings) say it is one of the
  allowed kinds (PDF, JPEG, PNG, DOCX, XLSX by default:
  `PORTAL_UPLOAD_ALLOWED_TYPES`), so a renamed executable is refused;
* its structure holds up: a PDF has its header at the very start, a
  `startxref` pointing at a cross-reference and `%%EOF`; an image opens and
  verifies in Pillow; a DOCX or XLSX is a sound package (`eforms.ooxml`:
  bounded unpacking, no macros, embedded objects or links Office would
  follow on opening);
* the field's and the dossier's count and total size limits still hold, and
  so does the uploader's daily quota (`PORTAL_UPLOAD_DAILY_QUOTA_BYTES`).

`check_uploads()` checks a whole form's files at once and returns the
accepted ones and the errors per field, so a view can keep the good files
and show a message for each bad one. `store()` saves an accepted file in
private storage under a random name, with its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from eforms import ooxml, scanning
from eforms.file_kinds import CONTENT_TYPES, LABELS, UploadRules
from eforms.models import Attachment, AttachmentRole, Dossier, DossierEvent
from eforms.models.attachments import clean_original_name

# filetype's names for programs and scripts a browser or OS would run.
EXECUTABLES = {"exe", "elf", "dll", "msi", "dex", "class", "macho", "swf", "crx", "wasm", "deb", "rpm", "apk"}


@dataclass
class CheckedFile:
    """An upload that passed every check, ready for `store()`."""

    upload: UploadedFile
    field_name: str
    original_name: str
    kind: str
    size: int
    sha256: str
    scan: scanning.Verdict | None = None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


@dataclass
class UploadCheck:
    accepted: list[CheckedFile] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)


def _types_list(kinds: Iterable[str]) -> str:
    return ", ".join(LABELS[k] for k in kinds)


def _read_head_tail(upload: UploadedFile, size: int) -> tuple[bytes, bytes]:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(max(0, size - 4096))
    tail = upload.read(4096)
    upload.seek(0)
    return head, tail


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_pdf(upload: UploadedFile, head: bytes, tail: bytes, size: int) -> bool:
    """Header at offset 0 (readers that look further would take an HTML page
    with `%PDF-` in it for a PDF), `%%EOF`, and a `startxref` whose offset
    lands on a cross-reference table or stream."""
    if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
        return False
    match = re.search(rb"startxref\s+(\d+)\s+%%EOF", tail)
    if not match:
        return False
    offset = int(match.group(1))
    if not 0 < offset < size:
        return False
    upload.seek(offset)
    at_xref = upload.read(64)
    upload.seek(0)
    return at_xref.startswith(b"xref") or re.match(rb"\s*\d+\s+\d+\s+obj\b", at_xref) is not None


def _check_image(upload: UploadedFile, kind: str) -> bool:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if (image.format or "").lower() != kind:
                    return False
                image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return False
    finally:
        upload.seek(0)
    return True


def check_file(upload: UploadedFile, rules: UploadRules, field_name: str = "") -> CheckedFile:
    """Check one file; raise ValidationError with a message in the active
    language naming the file and saying what to do."""
    name = clean_original_name(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty. Choose the file again.") % {"name": name}, code="empty")
    if rules.max_file_size and size > rules.max_file_size:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a file here can be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(rules.max_file_size)},
            code="too_large",
        )
    head, tail = _read_head_tail(upload, size)
    guess = filetype.guess(head)
    guessed = guess.extension if guess else None
    if guessed in EXECUTABLES or head.startswith((b"MZ", b"\x7fELF", b"#!")):
        raise ValidationError(
            _("“%(name)s” is a program, not a document, and cannot be accepted.") % {"name": name},
            code="executable",
        )
    allowed = _types_list(rules.allowed_types)
    kind: str | None = None
    if head.startswith(b"PK\x03\x04"):
        kind = ooxml.inspect(upload)
        if kind == ooxml.MACRO:
            raise ValidationError(
                _("“%(name)s” contains macros, which are not accepted. Save it as an ordinary DOCX or XLSX file.")
                % {"name": name},
                code="macro",
            )
        if kind == ooxml.ACTIVE:
            raise ValidationError(
                _("“%(name)s” contains macros, embedded objects or links to outside files, which are not "
                  "accepted. Save it without them, or as PDF, and upload it again.")
                % {"name": name},
                code="active_content",
            )
        if kind == ooxml.TOO_BIG:
            raise ValidationError(
                _("“%(name)s” would unpack to far more data than a normal document, so it cannot be accepted. "
                  "Save it again, or as PDF, and upload it again.")
                % {"name": name},
                code="unpacked_size",
            )
        if kind is None:
            raise ValidationError(
                _("“%(name)s” is not an accepted file. Accepted types: %(types)s.") % {"name": name, "types": allowed},
                code="type",
            )
    elif head.startswith(b"%PDF-"):
        kind = "pdf"
    elif guessed == "jpg":
        kind = "jpeg"
    elif guessed == "png":
        kind = "png"
    if kind is None or kind not in rules.allowed_types:
        raise ValidationError(
            _("“%(name)s” is not an accepted file: its content is not %(types)s, whatever its name says.")
            % {"name": name, "types": allowed},
            code="type",
        )
    sound = {
        "pdf": lambda: _check_pdf(upload, head, tail, size),
        "jpeg": lambda: _check_image(upload, "jpeg"),
        "png": lambda: _check_image(upload, "png"),
        "docx": lambda: True,  # ooxml.inspect() already opened and tested the package
        "xlsx": lambda: True,
    }[kind]()
    if not sound:
        raise ValidationError(
            _("“%(name)s” looks like a %(type)s file but is damaged or incomplete. Save or scan it again and upload it.")
            % {"name": name, "type": LABELS[kind]},
            code="damaged",
        )
    return CheckedFile(upload=upload, field_name=field_name, original_name=name, kind=kind, size=size,
                       sha256=_sha256(upload))


def check_uploads(
    files: Mapping[str, Sequence[UploadedFile]],
    rules: Mapping[str, UploadRules] | UploadRules | None = None,
    *,
    existing: Mapping[str, int] | None = None,
    existing_size: int = 0,
    quota_left: int | None = None,
) -> UploadCheck:
    """Check every file of a form (field name → files), keeping the good
    ones: a bad or surplus file is refused with a message and the others are
    accepted.

    `existing` counts the files each field already holds (a draft's earlier
    uploads) and `existing_size` their total bytes, so the per-field and
    per-dossier limits count them too. `quota_left` is what the uploader may
    still upload today (`daily_quota_left()`; None: no quota). Required
    fields with no file at all get an error."""
    existing = dict(existing or {})
    result = UploadCheck()
    dossier_max_files = settings.PORTAL_UPLOAD_MAX_FILES_PER_DOSSIER
    dossier_max_size = settings.PORTAL_UPLOAD_MAX_DOSSIER_SIZE
    total_files = sum(existing.values())
    total_size = existing_size
    field_names = list(files)
    if isinstance(rules, Mapping):
        field_names += [n for n in rules if n not in files]
    for field_name in field_names:
        field_rules = (rules.get(field_name) if isinstance(rules, Mapping) else rules) or UploadRules.default()
        held = existing.get(field_name, 0)
        uploads = [f for f in files.get(field_name, ()) if f is not None]
        if field_rules.required and not uploads and not held:
            result.add_error(field_name, _("Please attach this document."))
            continue
        for upload in uploads:
            if field_rules.max_files and held >= field_rules.max_files:
                result.add_error(
                    field_name,
                    _("“%(name)s” was not added: you can attach at most %(max)s files here.")
                    % {"name": clean_original_name(upload.name or ""), "max": field_rules.max_files},
                )
                continue
            if dossier_max_files and total_files >= dossier_max_files:
                result.add_error(
                    field_name,
                    _("“%(name)s” was not added: a dossier can hold at most %(max)s files.")
                    % {"name": clean_original_name(upload.name or ""), "max": dossier_max_files},
                )
                continue
            try:
                checked = check_file(upload, field_rules, field_name)
            except ValidationError as error:
                result.add_error(field_name, error.messages[0])
                continue
            if dossier_max_size and total_size + checked.size > dossier_max_size:
                result.add_error(
                    field_name,
                    _("“%(name)s” was not added: the files of a dossier can total at most %(limit)s.")
                    % {"name": checked.original_name, "limit": filesizeformat(dossier_max_size)},
                )
                continue
            if quota_left is not None and checked.size > quota_left:
                result.add_error(
                    field_name,
                    _("“%(name)s” was not added: you can upload at most %(limit)s of files a day. Please add it "
                      "tomorrow.")
                    % {"name": checked.original_name,
                       "limit": filesizeformat(settings.PORTAL_UPLOAD_DAILY_QUOTA_BYTES)},
                )
                continue
            try:
                scanning.scan_checked(checked)
            except ValidationError as error:
                result.add_error(field_name, error.messages[0])
                continue
            if quota_left is not None:
                quota_left -= checked.size
            result.accepted.append(checked)
            held += 1
            total_files += 1
            total_size += checked.size
    return result


def store(
    checked: CheckedFile,
    *,
    uploaded_by=None,
    dossier: Dossier | None = None,
    event: DossierEvent | None = None,
    role: str = AttachmentRole.DOCUMENT,
) -> Attachment:
    """Save an accepted file in private storage under a random name."""
    attachment = Attachment(
        role=role,
        dossier=dossier,
        event=event,
        uploaded_by=uploaded_by,
        field_name=checked.field_name,
        original_name=checked.original_name,
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    scanning.record(attachment, checked)
    checked.upload.seek(0)
    attachment.file.save("upload", checked.upload, save=False)
    attachment.save()
    return attachment


def daily_quota_left(user) -> int | None:
    """Bytes the user may still upload today (local time), counted from the
    attachments they uploaded since midnight: rows in the database, so
    every worker sees the same figure. None when there is no quota."""
    quota = settings.PORTAL_UPLOAD_DAILY_QUOTA_BYTES
    if not quota or user is None or not getattr(user, "pk", None):
        return None
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    used = (Attachment.objects.filter(uploaded_by=user, created_at__gte=midnight)
            .aggregate(total=Sum("size"))["total"] or 0)
    return max(quota - used, 0)


def held_files(dossier: Dossier) -> tuple[dict[str, int], int]:
    """(files per field, total bytes) a dossier already holds, for check_uploads()."""
    per_field: dict[str, int] = {}
    total = 0
    for name, size in dossier.attachments.values_list("field_name", "size"):
        per_field[name] = per_field.get(name, 0) + 1
        total += size
    return per_field, total
