"""The forms of the postal officer's steps and the receiver's confirmation.
They only read the request; `postal.steps` checks everything again on the
locked rows."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eforms.forms import MultipleFileField

from .steps import MAX_COUNT, MAX_PHOTOS

NOTE_HELP = _("The applicant sees this note in the dossier's history and in their message.")


def photo_help() -> str:
    return gettext("JPEG or PNG, at most %(max)s photos.") % {"max": MAX_PHOTOS}


class StepForm(forms.Form):
    """A note, common to every step."""

    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000, help_text=NOTE_HELP,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "photos" in self.fields:
            help_text = self.fields["photos"].help_text
            self.fields["photos"].help_text = f"{help_text} {photo_help()}".strip()

    def step_kwargs(self) -> dict:
        return {"note": self.cleaned_data.get("note") or ""}


class WhenField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])
        super().__init__(**kwargs)


def _not_in_future(value: dt.datetime | None):
    if value is not None and value > timezone.now() + dt.timedelta(minutes=5):
        raise forms.ValidationError(_("A step cannot be dated in the future."))
    return value


class AcceptPickupForm(StepForm):
    pass


class CollectForm(StepForm):
    """The papers collected: one row per kind of paper (the procedure's list
    of documents is filled in; blank rows are for anything else), with how
    many copies; when; photos."""

    when = WhenField(label=_("Collected at"), help_text=_("Leave empty for now."))
    photos = MultipleFileField(label=_("Photos (optional)"), required=False)

    EXTRA_ROWS = 3

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = [str(c.name) for c in components][:20]
        self.rows = []
        for i in range(len(names) + self.EXTRA_ROWS):
            name_field = f"item_{i}_name"
            count_field = f"item_{i}_count"
            self.fields[name_field] = forms.CharField(
                label=_("Paper %(n)s") % {"n": i + 1}, required=False, max_length=255,
                initial=names[i] if i < len(names) else "")
            self.fields[count_field] = forms.IntegerField(
                label=_("Copies of paper %(n)s") % {"n": i + 1}, required=False, min_value=0, max_value=MAX_COUNT,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
            self.rows.append((name_field, count_field))

    def clean_when(self):
        return _not_in_future(self.cleaned_data.get("when"))

    def clean(self):
        cleaned = super().clean()
        items = []
        for name_field, count_field in self.rows:
            name = (cleaned.get(name_field) or "").strip()
            count = cleaned.get(count_field)
            if name and count:
                items.append((name, count))
            elif count and not name and count_field not in self.errors:
                self.add_error(name_field, _("Name the paper these copies are of."))
            # a listed paper left without a count (or 0) was not collected
        if not items and not self.errors:
            self.add_error(None, _("List the papers collected, with how many of each."))
        self.items = items
        return cleaned

    def bound_rows(self):
        return [(self[n], self[c]) for n, c in self.rows]

    def step_kwargs(self) -> dict:
        return {**super().step_kwargs(), "items": self.items, "now": self.cleaned_data.get("when")}


class HandOverForm(StepForm):
    photos = MultipleFileField(label=_("Photos (optional)"), required=False)


class CollectResultForm(StepForm):
    pass


class DeliverForm(StepForm):
    delivered_to = forms.CharField(label=_("Received by (full name)"), max_length=255,
                                   error_messages={"required": _("Write the name of the person who received "
                                                                 "the result.")})
    delivered_at = WhenField(label=_("Delivered at"), help_text=_("Leave empty for now."))
    photos = MultipleFileField(label=_("Photo (optional)"), required=False,
                               help_text=_("For example the signed delivery receipt."))

    def clean_delivered_at(self):
        return _not_in_future(self.cleaned_data.get("delivered_at"))

    def step_kwargs(self) -> dict:
        return {**super().step_kwargs(), "delivered_to": self.cleaned_data["delivered_to"],
                "delivered_at": self.cleaned_data.get("delivered_at")}


class ConfirmHandoverForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("For example what is missing from the papers; the applicant sees it."))


FORMS = {
    "accept_pickup": AcceptPickupForm,
    "collect": CollectForm,
    "hand_over": HandOverForm,
    "collect_result": CollectResultForm,
    "deliver": DeliverForm,
}

#: Steps whose form takes photos (the form is multipart).
WITH_PHOTOS = frozenset({"collect", "hand_over", "deliver"})
