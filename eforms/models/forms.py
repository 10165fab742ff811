"""E-form pages: Wagtail's form builder, extended for administrative
dossiers.

* `EFormPage` is an `AbstractForm` attached to one procedure; editors build
  its fields in the admin, preview them, and translate them with
  wagtail-localize. Citizens never fill it at its tree URL: `/p/<code>/apply/`
  (`eforms.views.apply`) walks them through it step by step.
* `EFormField` adds the portal's field types (file upload, ID number, mobile
  phone, date of birth, address, tax code, declaration, step break). Its
  `clean_name`, `field_type`, `choices` and rules are synchronised across
  languages, so a Vietnamese and an English submission carry the same keys and
  the same stored values (wagtail/wagtail#6254); only labels, help texts and
  `choice_labels` are translated.
* `FormVersion` is a frozen snapshot of a form's field definitions, keyed by
  their hash. Drafts and dossiers point at the version they were made with, so
  an editor changing a live form never breaks a draft or a past dossier.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES, AbstractForm, AbstractFormField
from wagtail.models import Locale, Page, TranslatableMixin
from wagtail_localize.fields import SynchronizedField

from core import pages as page_cache
from eforms.file_kinds import EXTENSIONS
from eforms.form_builder import EFormBuilder
from procedures.models import ProcedurePage

__all__ = ["EFORM_FIELD_CHOICES", "EFormField", "EFormIndexPage", "EFormPage", "FieldSpec", "FormVersion"]

# The portal's own field types (max 16 characters: AbstractFormField's column).
PORTAL_FIELD_CHOICES = (
    ("file", _("File upload")),
    ("id_number", _("Citizen identity number (12 digits)")),
    ("phone", _("Vietnamese mobile phone")),
    ("birth_date", _("Date of birth")),
    ("address", _("Address (province, commune, street)")),
    ("tax_code", _("Tax code")),
    ("declaration", _("Declaration to tick")),
    ("step", _("Step break: section heading")),
)
EFORM_FIELD_CHOICES = tuple(FORM_FIELD_CHOICES) + PORTAL_FIELD_CHOICES

#: Types that take no answer (they only structure the form).
LAYOUT_TYPES = frozenset({"step"})
FILE_TYPE = "file"


def portal_clean_name(label: str) -> str:
    """`Mục đích yêu cầu` → `muc_dich_yeu_cau`: ASCII snake case through
    anyascii (which folds đ), not Wagtail's default, which escapes it
    (`muc_u0111ich_yeu_cau`)."""
    return slugify(anyascii(label or "")).replace("-", "_")[:255] or "field"


def split_choices(value: str) -> list[str]:
    """The choices of a field as editors type them, the way Wagtail's form
    builder documents it: one per line, or, when everything is on one line,
    separated by commas. Each choice is stripped, and a line's trailing
    comma dropped (editors paste "a,\nb,\nc")."""
    lines = value.strip().splitlines()
    if len(lines) > 1:
        return [line.strip().rstrip(",").strip() for line in lines]
    return [part.strip() for part in value.split(",")]


@dataclass(frozen=True)
class FieldSpec:
    """One field's definition as a plain value: what `FormVersion` stores and
    what the form builder reads (never the live `EFormField` rows, which an
    editor may change while a draft is open)."""

    clean_name: str
    label: str
    field_type: str
    required: bool = True
    help_text: str = ""
    choices: str = ""
    choice_labels: str = ""
    default_value: str = ""
    allowed_types: str = ""
    max_file_size_mb: int | None = None
    max_files: int | None = None

    @classmethod
    def from_field(cls, f: EFormField) -> FieldSpec:
        return cls(
            clean_name=f.clean_name or portal_clean_name(f.label),
            label=f.label,
            field_type=f.field_type,
            required=bool(f.required),
            help_text=f.help_text or "",
            choices=f.choices or "",
            choice_labels=f.choice_labels or "",
            default_value=f.default_value or "",
            allowed_types=f.allowed_types or "",
            max_file_size_mb=f.max_file_size_mb,
            max_files=f.max_files,
        )

    @classmethod
    def from_dict(cls, data: dict) -> FieldSpec:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def get_field_clean_name(self) -> str:  # FormBuilder calls it when clean_name is empty
        return self.clean_name

    @property
    def is_layout(self) -> bool:
        return self.field_type in LAYOUT_TYPES

    @property
    def is_file(self) -> bool:
        return self.field_type == FILE_TYPE

    def choice_pairs(self) -> list[tuple[str, str]]:
        """(stored value, label in this language). Values are the
        synchronised `choices`; labels the translated `choice_labels`, line
        by line, falling back to the value."""
        values = split_choices(self.choices) if self.choices.strip() else []
        labels = [line.strip() for line in self.choice_labels.splitlines()] if self.choice_labels.strip() else []
        return [(v, labels[i] if i < len(labels) and labels[i] else v) for i, v in enumerate(values)]


@dataclass
class Section:
    """One step of a form: a heading, its help text and its fields."""

    key: str
    title: str
    help_text: str = ""
    fields: list[FieldSpec] = field(default_factory=list)


def sections_of(specs: list[FieldSpec], default_title: str = "") -> list[Section]:
    """Split the fields into steps at each step break. Fields before the
    first break form a first step titled `default_title`; empty steps go."""
    sections: list[Section] = []
    current = Section(key="s1", title=default_title)
    for spec in specs:
        if spec.field_type == "step":
            if current.fields or sections:
                sections.append(current)
            current = Section(key="", title=spec.label, help_text=spec.help_text)
        else:
            current.fields.append(spec)
    sections.append(current)
    sections = [s for s in sections if s.fields]
    for number, section in enumerate(sections, start=1):
        section.key = f"s{number}"
    return sections


class EFormField(TranslatableMixin, AbstractFormField):
    """A field of an e-form. Translations share its identity: clean name,
    type, required flag, choices and upload rules are synchronised and not
    overridable; labels, help text and choice labels are translated."""

    page = ParentalKey("eforms.EFormPage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField(_("field type"), max_length=16, choices=EFORM_FIELD_CHOICES)
    field_type.required_on_save = True
    choice_labels = models.TextField(
        _("choice labels"), blank=True,
        help_text=_("Optional: the label shown for each choice, one per line in the same order as the choices. "
                    "Translate these, not the choices, so answers in every language are the same value."),
    )
    allowed_types = models.CharField(
        _("accepted file types"), max_length=100, blank=True,
        help_text=_("File uploads only: comma-separated among pdf, jpeg, png, docx, xlsx. "
                    "Empty: the portal's default list."),
    )
    max_file_size_mb = models.PositiveSmallIntegerField(
        _("largest file (MB)"), null=True, blank=True,
        help_text=_("File uploads only. Empty: the portal's default."),
    )
    max_files = models.PositiveSmallIntegerField(
        _("most files"), null=True, blank=True, help_text=_("File uploads only. Empty: the portal's default."),
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldPanel("required"),
        FieldPanel("field_type", classname="formbuilder-type", required_on_save=True),
        FieldPanel("choices", classname="formbuilder-choices"),
        FieldPanel("choice_labels"),
        FieldPanel("default_value", classname="formbuilder-default"),
        FieldRowPanel([FieldPanel("allowed_types"), FieldPanel("max_file_size_mb"), FieldPanel("max_files")],
                      heading=_("File upload rules")),
    ]
    override_translatable_fields = [
        SynchronizedField("clean_name", overridable=False),
        SynchronizedField("field_type", overridable=False),
        SynchronizedField("required", overridable=False),
        SynchronizedField("choices", overridable=False),
        SynchronizedField("default_value", overridable=False),
        SynchronizedField("allowed_types", overridable=False),
        SynchronizedField("max_file_size_mb", overridable=False),
        SynchronizedField("max_files", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta, AbstractFormField.Meta):
        verbose_name = _("e-form field")
        verbose_name_plural = _("e-form fields")

    def get_field_clean_name(self) -> str:
        return portal_clean_name(self.label)

    def clean(self):
        super().clean()
        kinds = [k.strip().lower() for k in (self.allowed_types or "").split(",") if k.strip()]
        unknown = [k for k in kinds if k not in EXTENSIONS]
        if unknown:
            raise ValidationError({"allowed_types": _("Unknown file types: %(types)s. Use %(known)s.")
                                   % {"types": ", ".join(unknown), "known": ", ".join(EXTENSIONS)}})
        if self.field_type in ("dropdown", "radio", "checkboxes", "multiselect") and not (self.choices or "").strip():
            raise ValidationError({"choices": _("List the choices.")})


class EFormIndexPage(Page):
    """A folder for e-forms in the page tree, listing the live ones."""

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["eforms.EFormPage"]
    max_count_per_parent = 1
    template = "eforms/eform_index_page.html"

    class Meta:
        verbose_name = _("e-form folder")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        forms = EFormPage.objects.child_of(self).live().select_related("procedure").order_by("title")
        context["eforms"] = [f for f in forms if f.procedure_id]
        return context


class EFormPage(AbstractForm):
    """The e-form of one procedure. Its tree URL sends citizens to the
    procedure's apply URL; the admin preview shows every step on one page."""

    procedure = models.ForeignKey(
        "procedures.ProcedurePage", verbose_name=_("procedure"), on_delete=models.PROTECT,
        related_name="eforms",
    )
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown before the applicant starts: what to prepare."),
    )
    first_step_title = models.CharField(
        _("title of the first step"), max_length=255, blank=True,
        help_text=_("For the fields before the first step break. Empty: “Details of the request”."),
    )
    declaration = models.TextField(
        _("final declaration"), blank=True,
        help_text=_("The applicant ticks it before submitting. Empty: the portal's standard declaration."),
    )
    after_submit = models.TextField(
        _("what happens next"), blank=True, help_text=_("Shown on the confirmation page after submitting."),
    )

    form_builder = EFormBuilder

    content_panels = [
        *AbstractForm.content_panels,
        FieldPanel("procedure"),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("first_step_title"),
                         InlinePanel("form_fields", label=_("Form fields"))], heading=_("Form")),
        FieldPanel("declaration"),
        FieldPanel("after_submit"),
    ]
    override_translatable_fields = [SynchronizedField("procedure", overridable=False)]
    subpage_types: list[str] = []
    parent_page_types = ["eforms.EFormIndexPage"]
    preview_modes = [("form", _("Form"))]
    template = "eforms/eform_page.html"
    landing_page_template = "eforms/eform_page.html"

    class Meta:
        verbose_name = _("e-form")
        verbose_name_plural = _("e-forms")

    # ------------------------------------------------------------ definitions
    def field_specs(self) -> list[FieldSpec]:
        return [FieldSpec.from_field(f) for f in self.get_form_fields()]

    def get_form_class(self):
        return self.form_builder(self.field_specs()).get_form_class()

    def sections(self, specs: list[FieldSpec] | None = None) -> list[Section]:
        return sections_of(specs if specs is not None else self.field_specs(), self.first_step_title_display)

    @property
    def first_step_title_display(self) -> str:
        return self.first_step_title or str(_("Details of the request"))

    def current_version(self) -> FormVersion:
        """The version the live fields make (created on first use)."""
        return FormVersion.for_page(self)

    @classmethod
    def live_for(cls, procedure) -> EFormPage | None:
        """The live e-form of `procedure` in the procedure's language, or in
        the default language when it has not been translated yet."""
        keys = ProcedurePage.objects.filter(translation_key=procedure.translation_key).values("pk")
        forms = cls.objects.live().filter(procedure__in=keys)
        return forms.filter(locale_id=procedure.locale_id).first() or forms.filter(
            locale=Locale.get_default()
        ).first() or forms.first()

    @classmethod
    def procedures_with_live_form(cls) -> frozenset:
        """The translation keys of the procedures that have a live e-form in
        some language (what `live_for` would find one for), from the content
        cache (`core.pages`: any publish or unpublish refreshes it)."""
        return page_cache.cached("eforms.live-procedures", lambda: frozenset(
            cls.objects.live().values_list("procedure__translation_key", flat=True)
        ))

    # ------------------------------------------------------------ serving
    def serve(self, request, *args, **kwargs):
        """Citizens apply through /p/<code>/apply/, which keeps drafts."""
        return redirect("procedure_apply", code=self.procedure.code)

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        form = context["form"]
        context["sections"] = [
            {"section": s, "fields": [form[f.clean_name] for f in s.fields if f.clean_name in form.fields]}
            for s in self.sections()
        ]
        return context

    def serve_preview(self, request, mode_name):
        context = self.get_preview_context(request, mode_name)
        return TemplateResponse(request, self.template, context)


class FormVersion(models.Model):
    """A frozen copy of an e-form's field definitions in one language.

    Keyed by the e-form's translation key and a SHA-256 of the definitions:
    publishing a form (or its first use) makes a row; an unchanged form
    reuses it. `structure_digest` hashes only what is synchronised across
    languages (names, types, choices, rules), so the Vietnamese and English
    versions of one form share it: the same kind of data."""

    form_key = models.UUIDField(_("e-form"), db_index=True, help_text=_("The e-form's translation key."))
    page = models.ForeignKey(
        EFormPage, verbose_name=_("e-form page"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="versions",
    )
    language = models.CharField(_("language"), max_length=8)
    digest = models.CharField(_("digest"), max_length=64)
    structure_digest = models.CharField(_("structure digest"), max_length=64, db_index=True)
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-form version")
        verbose_name_plural = _("e-form versions")
        constraints = [models.UniqueConstraint(fields=["form_key", "digest"], name="unique_eform_version")]

    def __str__(self) -> str:
        return f"{self.form_key} {self.language} {self.digest[:12]}"

    STRUCTURE_KEYS = ("clean_name", "field_type", "required", "choices", "allowed_types", "max_file_size_mb",
                      "max_files")

    @staticmethod
    def _hash(value) -> str:
        return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    @classmethod
    def definition_of(cls, page: EFormPage) -> dict:
        return {
            "title": page.title,
            "first_step_title": page.first_step_title_display,
            "declaration": page.declaration,
            "fields": [asdict(spec) for spec in page.field_specs()],
        }

    @classmethod
    def for_page(cls, page: EFormPage) -> FormVersion:
        definition = cls.definition_of(page)
        language = page.locale.language_code
        digest = cls._hash({"language": language, **definition})
        structure = cls._hash([{k: f[k] for k in cls.STRUCTURE_KEYS} for f in definition["fields"]])
        version, _created = cls.objects.get_or_create(
            form_key=page.translation_key, digest=digest,
            defaults={"page": page, "language": language, "structure_digest": structure, "definition": definition},
        )
        return version

    # ------------------------------------------------------------ reading
    def specs(self) -> list[FieldSpec]:
        return [FieldSpec.from_dict(d) for d in self.definition.get("fields", [])]

    def sections(self) -> list[Section]:
        return sections_of(self.specs(), self.definition.get("first_step_title", ""))

    def reference(self) -> dict:
        """What a dossier's `form_version` JSON keeps."""
        return {"id": self.pk, "digest": self.digest[:16], "form": str(self.form_key), "language": self.language}

    @classmethod
    def from_reference(cls, reference) -> FormVersion | None:
        if isinstance(reference, dict) and reference.get("id"):
            return cls.objects.filter(pk=reference["id"]).first()
        return None


def version_on_publish(sender, instance, **kwargs) -> None:
    """Publishing an e-form freezes its definition as a version (connected
    to `page_published` in `EformsConfig.ready()`)."""
    page = instance.specific
    if isinstance(page, EFormPage):
        FormVersion.for_page(page)

