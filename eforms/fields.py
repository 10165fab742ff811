"""Form fields for Vietnamese administrative data, used by the e-form
builder and the applying pages. Validation happens on the server; the
widgets only help (input types, `accept`, `autocomplete`)."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import units
from accounts.validators import normalise_phone, validate_birth_date, validate_id_number, validate_phone


def default_province_code() -> str:
    """The portal's own province (Đắk Lắk, code 66, in the demo)."""
    return settings.PORTAL_HOME_PROVINCE_CODE


class DateInput(forms.DateInput):
    """The browser's date picker; it submits ISO dates, which every locale accepts."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IdNumberField(forms.CharField):
    """The 12-digit citizen identity number (số định danh cá nhân)."""

    default_error_messages = {"required": _("Enter the citizen identity number.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.validators.append(validate_id_number)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"})
        return attrs

    def to_python(self, value):
        return re.sub(r"[\s.\-]", "", super().to_python(value) or "")


class PhoneField(forms.CharField):
    """A Vietnamese mobile number, kept in its national form (0912345678)."""

    default_error_messages = {"required": _("Enter a mobile phone number.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.validators.append(validate_phone)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone(value) if value else value


class BirthDateField(forms.DateField):
    """A date of birth: not in the future, not before 1900."""

    widget = DateInput
    default_error_messages = {
        "required": _("Enter the date of birth."),
        "invalid": _("Enter a real date, for example 17/05/1990."),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_birth_date)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"min": "1900-01-01", "max": dt.date.today().isoformat(), "autocomplete": "bday"})
        return attrs


TAX_CODE_RE = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")


def normalise_tax_code(value: str) -> str:
    """`0123456789` or, for a branch or dependent unit, `0123456789-001`."""
    compact = re.sub(r"[\s.]", "", value or "")
    match = TAX_CODE_RE.fullmatch(compact)
    if not match:
        return compact
    return f"{match.group(1)}-{match.group(2)}" if match.group(2) else match.group(1)


def validate_tax_code(value: str) -> None:
    """The form of a Vietnamese tax code (mã số thuế, Circular 105/2020/TT-BTC):
    10 digits for an enterprise or organisation, 13 (10 + a 3-digit unit
    number, usually written 0123456789-001) for a branch or dependent unit."""
    if not TAX_CODE_RE.fullmatch(re.sub(r"[\s.]", "", value or "")):
        raise ValidationError(
            _("A tax code has 10 digits, or 13 digits for a branch (for example 0123456789 or 0123456789-001)."),
            code="tax_code",
        )


class TaxCodeField(forms.CharField):
    default_error_messages = {"required": _("Enter the tax code.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.validators.append(validate_tax_code)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "numeric"
        return attrs

    def clean(self, value):
        value = super().clean(value)
        return normalise_tax_code(value) if value else value


class DeclarationField(forms.BooleanField):
    """A statement the applicant must tick."""

    default_error_messages = {"required": _("Tick the box to confirm the declaration.")}

    def __init__(self, **kwargs):
        kwargs["required"] = True
        super().__init__(**kwargs)


# ---------------------------------------------------------------- address


class AddressWidget(forms.MultiWidget):
    """Province, commune and street. Without JavaScript the commune list is
    the chosen province's, refreshed by a "show communes" button (a second
    step); with it, `portal.js` refreshes the list when the province changes."""

    template_name = "eforms/widgets/address.html"

    def __init__(self, attrs=None):
        widgets = [
            forms.Select(attrs={"data-units-province": "", "autocomplete": "off"}),
            forms.Select(attrs={"data-units-commune": "", "autocomplete": "off"}),
            forms.TextInput(attrs={"autocomplete": "street-address", "maxlength": 255}),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, dict):
            return [value.get("province_code", ""), value.get("commune_code", ""), value.get("street", "")]
        return ["", "", ""]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["refresh_name"] = "_units"
        context["widget"]["field_name"] = name
        return context


class AddressField(forms.MultiValueField):
    """An address as province → commune (no district since 1 July 2025)
    plus street, validated against the official list; the cleaned value is
    a dict with codes and names."""

    widget = AddressWidget
    default_error_messages = {
        "required": _("Enter the address: province, commune and street."),
        "incomplete": _("Enter the address: province, commune and street."),
        "commune": _("Choose a commune of the chosen province."),
    }

    def __init__(self, *, required=True, street_required=True, **kwargs):
        fields = [
            forms.ChoiceField(choices=[], error_messages={"incomplete": _("Choose the province.")}),
            forms.ChoiceField(choices=[], error_messages={"incomplete": _("Choose the commune, ward or special zone.")}),
            forms.CharField(max_length=255, required=street_required,
                            error_messages={"incomplete": _("Enter the house number and street, or the village.")}),
        ]
        super().__init__(fields, required=required, require_all_fields=False, **kwargs)
        for sub in fields:
            sub.required = required and (sub is not fields[2] or street_required)
        self.fields[0].choices = [("", _("— Choose a province —")), *units.province_choices()]
        self.widget.widgets[0].choices = self.fields[0].choices
        self.set_province(default_province_code())

    def set_province(self, province_code: str | None) -> None:
        """Limit the commune list to one province (the server side of the linked choice)."""
        communes = units.commune_choices(province_code) if province_code else []
        self.fields[1].choices = [("", _("— Choose a commune, ward or special zone —")), *communes]
        self.widget.widgets[1].choices = self.fields[1].choices
        self.province_code = province_code or ""

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        province, commune, street = (list(data_list) + ["", "", ""])[:3]
        if commune and units.commune_province(commune) != province:
            raise ValidationError(self.error_messages["commune"], code="commune")
        return {
            "province_code": province or "",
            "province": units.province_name(province),
            "commune_code": commune or "",
            "commune": units.commune_name(commune),
            "street": (street or "").strip(),
        }


def address_text(value) -> str:
    """"12 Lê Duẩn, Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"."""
    if not isinstance(value, dict):
        return str(value or "")
    return ", ".join(p for p in (value.get("street"), value.get("commune"), value.get("province")) if p)


def bind_linked_units(form: forms.BaseForm) -> None:
    """Give every address field of `form` the commune list of the province
    in its data (bound) or initial value, so the linked choice validates."""
    for name, field in form.fields.items():
        if not isinstance(field, AddressField):
            continue
        province = None
        if form.is_bound:
            province = form.data.get(f"{form.add_prefix(name)}_0")
        else:
            value = form.initial.get(name, field.initial)
            if isinstance(value, dict):
                province = value.get("province_code")
            elif isinstance(value, list | tuple) and value:
                province = value[0]
        field.set_province(province or default_province_code())


# ---------------------------------------------------------------- uploads


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class UploadField(forms.Field):
    """Files for one component of the dossier. The form field only collects
    the uploads; `eforms.uploads.check_uploads` judges them (content, size,
    count) with the files the draft already holds, so `required` is enforced
    there, not here."""

    widget = MultipleFileInput

    def __init__(self, *, rules, **kwargs):
        self.rules = rules
        self.upload_required = kwargs.get("required", False)
        kwargs["required"] = False
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        accept = self.rules.accept_attribute()
        if accept:
            attrs["accept"] = accept
        attrs["multiple"] = self.rules.max_files != 1
        return attrs

    def clean(self, value):
        if not value:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]

    def has_changed(self, initial, data):
        return bool(data)
