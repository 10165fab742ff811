"""Forms of the accounts app. Every rule is checked here, on the server;
none of these forms can touch staff or administrator rights."""

from __future__ import annotations

from allauth.account.forms import SignupForm
from allauth.core import context, ratelimit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import units
from .adapters import lockout_minutes
from .models import CitizenProfile
from .services import record_consent
from .validators import check_id_matches_birth_date, normalise_phone, validate_id_number, validate_phone


class PortalSignupForm(SignupForm):
    """allauth's sign-up, plus explicit consent to the privacy notice
    (Decree 13/2023/NĐ-CP: consent is a clear, affirmative act, never a
    pre-ticked box), recorded with time and notice version."""

    consent = forms.BooleanField(
        label=_("I have read what data the portal collects and why, and I agree to its processing for these purposes."),
        required=True,
        error_messages={"required": _("To create an account you must agree to the processing of your data.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Consent comes last, after the data it is about.
        self.fields["consent"] = self.fields.pop("consent")

    def clean_email(self):
        email = super().clean_email()
        # Per-account limit on top of allauth's per-IP one: the same answer
        # whether or not the address has an account.
        if email and not ratelimit.consume(self.request_or_none(), action="signup_email", key=email.lower()):
            raise ValidationError(
                _("Too many sign-up attempts with this email address. Please try again in %(minutes)d minutes."),
                code="rate_limited",
                params={"minutes": lockout_minutes("signup_email")},
            )
        return email

    def request_or_none(self):
        return context.request

    def save(self, request):
        user = super().save(request)
        if user is not None:
            record_consent(user, request)
        return user


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ProfileForm(forms.ModelForm):
    """The citizen's own profile. Fields an identity provider vouched for are
    disabled: the browser cannot change them, and Django ignores anything
    posted for a disabled field."""

    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput(attrs={"autocomplete": "bday"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        help_text=_("For example 25/12/1990."),
    )
    province_code = forms.ChoiceField(label=_("Province or centrally run city"), required=False)
    commune_code = forms.ChoiceField(
        label=_("Commune, ward or special zone"),
        required=False,
        error_messages={
            "invalid_choice": _("This commune is not in the province you chose. Choose one from the updated list.")
        },
    )

    class Meta:
        model = CitizenProfile
        fields = ["full_name", "date_of_birth", "id_number", "phone", "province_code", "commune_code", "street"]
        labels = {
            "full_name": _("Full name"),
            "id_number": _("Citizen identity number"),
            "phone": _("Mobile phone"),
            "street": _("House number, street, village or hamlet"),
        }
        help_texts = {
            "full_name": _("As written on your citizen identity card."),
            "id_number": _("12 digits, on your citizen identity card (CCCD) or in the VNeID app."),
            "phone": _("A Vietnamese mobile number, for example 0912 345 678."),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "id_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel-national", "type": "tel"}),
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province_code"].choices = [("", _("— Choose a province —")), *units.province_choices()]
        # Only the chosen province's communes (a province has up to a few
        # hundred; the whole country has thousands). Without JavaScript a
        # citizen who changes province gets the new list after one submit.
        province = (self.data.get(self.add_prefix("province_code")) if self.is_bound else None) or (
            self.instance.province_code if self.instance else ""
        ) or getattr(settings, "PORTAL_HOME_PROVINCE_CODE", "")
        self.fields["commune_code"].choices = [("", _("— Choose a commune —")), *units.commune_choices(province)]
        self.fields["commune_code"].help_text = _("The list shows the communes of the province chosen above.")
        # Let people type the number with spaces; the model field checks 12 digits.
        self.fields["id_number"].max_length = None
        self.fields["phone"].max_length = None
        self.fields["id_number"].validators = []
        self.fields["phone"].validators = []
        # The model's max_length would make the browser cut "+84 912 345 678"
        # or "066 095 123456" short as it is typed.
        self.fields["id_number"].widget.attrs["maxlength"] = "20"
        self.fields["phone"].widget.attrs["maxlength"] = "20"
        for name in self.locked_fields:
            self.fields[name].disabled = True

    @property
    def locked_fields(self) -> list[str]:
        verified = set(self.instance.verified_fields or []) if self.instance else set()
        return [name for name in self.Meta.fields if name in verified]

    def clean_id_number(self):
        value = "".join((self.cleaned_data.get("id_number") or "").split())
        if value:
            validate_id_number(value)
        return value

    def clean_phone(self):
        value = self.cleaned_data.get("phone") or ""
        if not value.strip():
            return ""
        validate_phone(value)
        return normalise_phone(value)

    def clean_full_name(self):
        return " ".join((self.cleaned_data.get("full_name") or "").split())

    def clean(self):
        cleaned = super().clean()
        province = cleaned.get("province_code")
        commune = cleaned.get("commune_code")
        if commune and not province:
            self.add_error("province_code", _("Choose the province of your commune."))
        elif commune and units.commune_province(commune) != province:
            self.add_error(
                "commune_code", _("This commune is not in the province you chose. Choose one from the updated list.")
            )
        if cleaned.get("id_number") and cleaned.get("date_of_birth"):
            try:
                check_id_matches_birth_date(cleaned["id_number"], cleaned["date_of_birth"])
            except ValidationError as error:
                self.add_error("id_number", error)
        return cleaned


class DeleteAccountForm(forms.Form):
    """Deleting an account takes the password (when the account has one)
    and an explicit confirmation."""

    password = forms.CharField(
        label=_("Your password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and profile will be deleted and cannot be restored."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you want to delete your account.")},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if user.has_usable_password():
            self.fields["password"].required = True
            self.fields["password"].error_messages["required"] = _("Enter your password to confirm.")
        else:
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password and not self.user.check_password(password):
            raise ValidationError(_("The password is not correct."), code="password")
        return password
