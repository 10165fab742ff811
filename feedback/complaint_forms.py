"""The forms of feedback and complaints: the citizen's submission and
tracking look-up, and the admin's answer, routing and publication."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Locale

from accounts.validators import normalise_phone, validate_phone
from eforms.models import Dossier, DossierStatus
from procedures.models import Agency, ProcedurePage

from .complaints import CODE_RE, normalise_code
from .models import ComplaintKind, ComplaintStatus, ComplaintSubject


def _agencies():
    """The agencies in the active language (the Vietnamese ones when it has none)."""
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        locale = None
    agencies = Agency.objects.filter(locale=locale) if locale else Agency.objects.none()
    if not agencies.exists():
        agencies = Agency.objects.filter(locale__language_code="vi")
    return agencies.order_by("name")


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What do you want to send?"), choices=ComplaintKind.choices,
                             widget=forms.RadioSelect, initial=ComplaintKind.FEEDBACK)
    subject = forms.ChoiceField(label=gettext_lazy("What is it about?"), choices=ComplaintSubject.choices,
                                widget=forms.RadioSelect, initial=ComplaintSubject.PROCEDURE,
                                help_text=gettext_lazy("Then fill in the matching field below."))
    procedure_code = forms.CharField(
        label=gettext_lazy("Procedure code"), required=False, max_length=64,
        help_text=gettext_lazy("As shown on the procedure's page, e.g. 1.001193. For feedback about a procedure."))
    agency = forms.ModelChoiceField(label=gettext_lazy("Agency"), queryset=Agency.objects.none(), required=False,
                                    empty_label=gettext_lazy("Choose an agency"),
                                    help_text=gettext_lazy("For feedback about an agency."))
    dossier_code = forms.CharField(
        label=gettext_lazy("Dossier code"), required=False, max_length=64,
        help_text=gettext_lazy("For feedback about one of your dossiers: sign in first; as printed on the receipt."))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Your feedback"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=gettext_lazy("What happened, when and where, and what you suggest. "
                                                  "At most 5,000 characters."))
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=255)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False,
                             help_text=gettext_lazy("We email you when the agency answers."))
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), required=False, max_length=20,
                            help_text=gettext_lazy("Email or phone: give at least one, to follow your feedback."))
    may_publish = forms.BooleanField(
        label=gettext_lazy("The question and its answer may be published without my name or contact details."),
        required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agency"].queryset = _agencies()
        self.procedure = None
        self.dossier = None

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        if value:
            validate_phone(value)
            return normalise_phone(value)
        return ""

    def clean(self):
        cleaned = super().clean()
        subject = cleaned.get("subject")
        if not cleaned.get("email") and not cleaned.get("phone") and "email" not in self.errors \
                and "phone" not in self.errors:
            self.add_error("email", _("Give an email address or a mobile phone number, to follow your feedback."))
        if subject == ComplaintSubject.PROCEDURE:
            code = (cleaned.get("procedure_code") or "").strip()
            if not code:
                self.add_error("procedure_code", _("Enter the code of the procedure."))
            else:
                self.procedure = ProcedurePage.objects.live().filter(code=code).order_by("pk").first()
                if self.procedure is None:
                    self.add_error("procedure_code", _("No procedure has this code. Check it on the procedure's page."))
        elif subject == ComplaintSubject.AGENCY:
            if not cleaned.get("agency"):
                self.add_error("agency", _("Choose the agency."))
        elif subject == ComplaintSubject.DOSSIER:
            code = "".join((cleaned.get("dossier_code") or "").split()).upper()
            if not getattr(self.user, "is_authenticated", False):
                self.add_error("dossier_code", _("Sign in to send feedback about one of your dossiers."))
            elif not code:
                self.add_error("dossier_code", _("Enter the dossier code."))
            else:
                self.dossier = (Dossier.objects.select_related("agency", "procedure")
                                .exclude(status=DossierStatus.DRAFT).filter(code=code, applicant=self.user).first())
                if self.dossier is None:
                    self.add_error("dossier_code", _("None of your dossiers has this code."))
        return cleaned


class TrackForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Tracking code"), max_length=20,
                           help_text=gettext_lazy("Given when you sent your feedback, e.g. PA-7KQ3M9XW2D."))
    contact = forms.CharField(label=gettext_lazy("Email or mobile phone you gave"), max_length=254)

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not CODE_RE.fullmatch(code):
            raise forms.ValidationError(_("Enter the tracking code as you received it, e.g. PA-7KQ3M9XW2D."))
        return code

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                forms.EmailField().clean(value)
            except forms.ValidationError:
                raise forms.ValidationError(_("Enter the email address or the mobile number you gave.")) from None
        elif len(normalise_phone(value)) < 9:
            raise forms.ValidationError(_("Enter the email address or the mobile number you gave."))
        return value


# ---------------------------------------------------------------- the admin


class StepForm(forms.Form):
    action = forms.ChoiceField(choices=[("start", "start"), ("answer", "answer"), ("reopen", "reopen"),
                                        ("close", "close")])
    answer = forms.CharField(label=gettext_lazy("Answer to the citizen"), required=False, max_length=10000,
                             widget=forms.Textarea(attrs={"rows": 8}),
                             help_text=gettext_lazy("The citizen reads this on the tracking page and by email."))
    note = forms.CharField(label=gettext_lazy("Internal note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RouteForm(forms.Form):
    agency = forms.ModelChoiceField(label=gettext_lazy("Send to agency"),
                                    queryset=Agency.objects.filter(locale__language_code="vi").order_by("name"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class PublishForm(forms.Form):
    public_title = forms.CharField(label=gettext_lazy("Public title"), max_length=200)
    public_body = forms.CharField(label=gettext_lazy("Public question"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=gettext_lazy("Remove names, numbers, addresses and anything else "
                                                         "that identifies the sender."))
    public_answer = forms.CharField(label=gettext_lazy("Public answer"), max_length=10000,
                                    widget=forms.Textarea(attrs={"rows": 6}))


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("All")), *ComplaintStatus.choices])
    due = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False,
                            choices=[("", gettext_lazy("All")), ("overdue", gettext_lazy("Overdue"))])
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), required=False,
                               choices=[("", gettext_lazy("All")), ("none", gettext_lazy("Not yet routed"))])
    q = forms.CharField(label=gettext_lazy("Tracking code or title"), required=False, max_length=100)
