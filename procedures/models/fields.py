"""Model fields of the catalogue that Django does not have."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChoiceListField(models.JSONField):
    """A list of choice values stored as JSON, edited as checkboxes.

    Portable across SQLite and PostgreSQL (no ArrayField), and synchronised
    between translations by wagtail-localize like any non-text field.
    """

    def __init__(self, *args, choice_class=None, **kwargs):
        self.choice_class = choice_class
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choice_class", None)
        # the path the migrations name, whichever module defines the class
        return name, "procedures.models.ChoiceListField", args, kwargs

    def formfield(self, **kwargs):
        choices = self.choice_class.choices if self.choice_class else []
        return forms.TypedMultipleChoiceField(
            choices=choices,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if self.choice_class is not None:
            allowed = set(self.choice_class.values)
            if not isinstance(value, list) or any(v not in allowed for v in value):
                raise ValidationError(_("Choose only from the listed options."), code="invalid_choice")


def split_lines(text: str) -> list[str]:
    """The non-empty lines of a one-item-per-line field."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
