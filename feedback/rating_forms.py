"""The applicant's rating of a returned dossier."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .models import Satisfaction


def _scale(label):
    return forms.TypedChoiceField(label=label, choices=Satisfaction.choices, coerce=int, widget=forms.RadioSelect,
                                  error_messages={"required": gettext_lazy("Choose one answer.")})


class RatingForm(forms.Form):
    timeliness = _scale(gettext_lazy("Was the result ready on time?"))
    attitude = _scale(gettext_lazy("How satisfied are you with the staff's attitude?"))
    ease = _scale(gettext_lazy("How easy was the online service to use?"))
    comment = forms.CharField(label=gettext_lazy("Comment (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=gettext_lazy("At most 2,000 characters."))
