"""The kinds of file a dossier accepts and the rules of one upload field.

Kept apart from `eforms.uploads` (which checks and stores files and needs
the models) because the models, the form builder and the templates read
these plain values too: with them here, nothing below the uploads module
has to import it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

#: kind → (extensions, first one used for downloads)
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "jpeg": ("jpg", "jpeg"),
    "png": ("png",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
}
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LABELS: dict[str, str] = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "docx": "DOCX", "xlsx": "XLSX"}


@dataclass(frozen=True)
class UploadRules:
    """What one form field accepts. Defaults come from the settings; the
    e-form's file field overrides them per field."""

    allowed_types: tuple[str, ...] = ()
    max_file_size: int = 0
    max_files: int = 0
    required: bool = False

    @classmethod
    def default(cls, **overrides) -> UploadRules:
        values = {
            "allowed_types": tuple(settings.PORTAL_UPLOAD_ALLOWED_TYPES),
            "max_file_size": settings.PORTAL_UPLOAD_MAX_FILE_SIZE,
            "max_files": settings.PORTAL_UPLOAD_MAX_FILES_PER_FIELD,
        }
        # An empty override (a field that sets nothing) keeps the site default.
        values.update({k: v for k, v in overrides.items() if v is not None and v != "" and v != [] and v != ()})
        values["allowed_types"] = tuple(t.lower() for t in values["allowed_types"] if t.lower() in EXTENSIONS)
        return cls(**values)

    def accept_attribute(self) -> str:
        """For `<input type="file" accept=…>`: a hint to the browser only."""
        return ",".join(f".{ext}" for kind in self.allowed_types for ext in EXTENSIONS[kind])
