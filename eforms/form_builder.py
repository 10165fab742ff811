"""The e-form builder: Wagtail's `FormBuilder` with the portal's field types.

It reads `FieldSpec`s (frozen definitions, see `eforms.models.forms`), never
live rows, so a draft keeps the form it was started with. Layout types (step
breaks) make no form field.
"""

from __future__ import annotations

from django import forms
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from eforms import fields as ef
from eforms.file_kinds import UploadRules


class EFormBaseForm(BaseForm):
    """Every e-form: links address fields to their province's communes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ef.bind_linked_units(self)

    def file_fields(self) -> dict[str, ef.UploadField]:
        return {name: f for name, f in self.fields.items() if isinstance(f, ef.UploadField)}


class EFormBuilder(FormBuilder):
    def __init__(self, fields):
        super().__init__([f for f in fields if f.field_type != "step"])

    # ------------------------------------------------------------ choices
    def get_formatted_field_choices(self, field):
        # Always a FieldSpec: its values with the labels in this language.
        return field.choice_pairs()

    def create_dropdown_field(self, field, options):
        options["choices"] = [("", "—"), *self.get_formatted_field_choices(field)]
        return forms.ChoiceField(**options)

    # ------------------------------------------------------------ dates
    def create_date_field(self, field, options):
        return forms.DateField(widget=ef.DateInput, **options)

    def create_birth_date_field(self, field, options):
        options["initial"] = options.get("initial") or None
        return ef.BirthDateField(**options)

    # ------------------------------------------------------------ portal types
    def create_id_number_field(self, field, options):
        return ef.IdNumberField(**options)

    def create_phone_field(self, field, options):
        return ef.PhoneField(**options)

    def create_tax_code_field(self, field, options):
        return ef.TaxCodeField(**options)

    def create_address_field(self, field, options):
        options.pop("initial", None)
        return ef.AddressField(**options)

    def create_declaration_field(self, field, options):
        options.pop("initial", None)
        return ef.DeclarationField(**options)

    def create_file_field(self, field, options):
        kinds = [k.strip().lower() for k in (field.allowed_types or "").split(",") if k.strip()]
        rules = UploadRules.default(
            allowed_types=tuple(kinds),
            max_file_size=field.max_file_size_mb * 1024 * 1024 if field.max_file_size_mb else None,
            max_files=field.max_files or None,
            required=bool(field.required),
        )
        options.pop("initial", None)
        return ef.UploadField(rules=rules, **options)

    def get_form_class(self):
        return type("EForm", (EFormBaseForm,), self.formfields)
