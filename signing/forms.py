"""The /verify/ form: a PDF file, a document code, or both."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from signing.services import CODE_RE, normalise_code


def max_file_size() -> int:
    return int(getattr(settings, "PORTAL_VERIFY_MAX_FILE_SIZE", 20 * 1024 * 1024))


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("PDF file"), required=False,
        help_text=gettext_lazy("The document as you received it, a PDF file."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"empty": gettext_lazy("The file is empty. Choose the file again.")},
    )
    code = forms.CharField(
        label=gettext_lazy("Document code"), required=False, max_length=128,
        help_text=gettext_lazy("As printed on the document or given with it, e.g. "
                               "000.00.10.H30-250714-0001/01-1."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(help)s At most %(size)s.") % {
            "help": self.fields["file"].help_text, "size": filesizeformat(max_file_size())}
        self.pdf_bytes: bytes | None = None

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        name = upload.name or ""
        if upload.size > max_file_size():
            raise forms.ValidationError(
                _("“%(name)s” is %(size)s; a file to check can be at most %(limit)s.")
                % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_file_size())},
                code="too_large",
            )
        upload.seek(0)
        head = upload.read(5)
        if head != b"%PDF-":
            raise forms.ValidationError(
                _("“%(name)s” is not a PDF file. Only PDF documents can be checked here.") % {"name": name},
                code="type",
            )
        upload.seek(0)
        self.pdf_bytes = upload.read()
        return upload

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data.get("code", ""))
        if code and not CODE_RE.fullmatch(code):
            raise forms.ValidationError(_("Enter the code as printed on the document."), code="code")
        return code

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("file") and not cleaned.get("code"):
            raise forms.ValidationError(_("Choose a PDF file or enter a document code."), code="nothing")
        return cleaned
