"""Forms of questions and answers: the citizen's question, and the
moderation forms of the admin screen."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from accounts.validators import normalise_phone, validate_phone
from eforms.localized import localized_attr
from procedures.models import Agency, Field, ProcedurePage

MIN_QUESTION = 20


class AskForm(forms.Form):
    """The question; name and email only for an asker who is not signed in."""

    name = forms.CharField(label=_("Full name"), max_length=120,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("Email address"), max_length=254,
                             help_text=_("We send a link to this address: your question is sent once you open it."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False,
                            help_text=_("Only the portal's staff see it, to call you if needed."),
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel-national",
                                                          "type": "tel"}))
    procedure = forms.CharField(label=_("Procedure code"), max_length=40, required=False,
                                help_text=_("As shown on the procedure's page, e.g. 1.001193."))
    field = forms.TypedChoiceField(label=_("Field"), required=False, coerce=int, empty_value=None,
                                   help_text=_("Choose a field when the question is not about one procedure."))
    title = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Your question"), max_length=4000, min_length=MIN_QUESTION,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Do not write your ID number or address: the answer may be published."))
    consent = forms.BooleanField(
        label=_("I agree that my question, without my name and contact details, may be published with its answer."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_in = user is not None and user.is_authenticated
        if self.signed_in:
            del self.fields["name"]
            del self.fields["email"]
        default = Locale.get_default()
        fields = Field.objects.filter(locale=default).order_by("name")
        self.fields["field"].choices = [("", _("— not about one field —")),
                                        *[(f.pk, localized_attr(f, "name")) for f in fields]]

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip()
        if value:
            validate_phone(value)
            value = normalise_phone(value)
        return value

    def clean_procedure(self):
        code = (self.cleaned_data.get("procedure") or "").strip()
        if not code:
            return None
        procedure = ProcedurePage.objects.live().filter(code=code, locale=Locale.get_default()).first()
        if procedure is None:
            raise forms.ValidationError(_("No procedure has this code. Check it, or leave it empty."))
        return procedure

    def clean_field(self):
        pk = self.cleaned_data.get("field")
        if pk is None:
            return None
        field = Field.objects.filter(pk=pk).first()
        if field is None:
            raise forms.ValidationError(_("Choose a field from the list."))
        return field

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("procedure") is None and cleaned.get("field") is None:
            self.add_error("field", _("Give the procedure's code or choose the field the question is about."))
        return cleaned


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search questions and answers"), max_length=200, required=False)


# ---------------------------------------------------------------- moderation (admin)


class SendForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency concerned"), queryset=Agency.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(locale=Locale.get_default()).order_by("name")


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=8000, widget=forms.Textarea(attrs={"rows": 10}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Kept with the question; not published."))


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Public subject"), max_length=200)
    question_text = forms.CharField(
        label=_("Public question"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Remove the asker's name, contact details, ID numbers and address: this text is published."))
    answer = forms.CharField(label=_("Public answer"), widget=forms.Textarea(attrs={"rows": 10}))
