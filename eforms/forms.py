"""The applicant's own forms: who applies, how the dossier reaches the
agency and how the result comes back, the final declaration, and on "My
dossiers" withdrawing and answering a supplement request. The e-form's own
questions come from `eforms.form_builder`."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import check_id_matches_birth_date
from eforms import fields as ef
from eforms.models import Channel, ResultDelivery
from procedures.calendar import is_working_day


class ApplyingAs:
    SELF = "self"
    BEHALF = "behalf"
    ORGANISATION = "organisation"
    CHOICES = [
        (SELF, _("For myself")),
        (BEHALF, _("On behalf of another person")),
        (ORGANISATION, _("For an organisation or business")),
    ]


class PortalForm(forms.Form):
    """Links address fields to their communes, like the e-forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        ef.bind_linked_units(self)


class ApplicantForm(PortalForm):
    """The applicant block, prefilled from the citizen's profile."""

    applying_as = forms.ChoiceField(label=_("Who is this application for?"), choices=ApplyingAs.CHOICES,
                                    widget=forms.RadioSelect, initial=ApplyingAs.SELF)
    full_name = forms.CharField(label=_("Full name"), max_length=255,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}),
                                error_messages={"required": _("Enter your full name.")})
    date_of_birth = ef.BirthDateField(label=_("Date of birth"))
    id_number = ef.IdNumberField(label=_("Citizen identity number"),
                                 help_text=_("The 12 digits on your chip-based citizen identity card."))
    phone = ef.PhoneField(label=_("Mobile phone"))
    sms_consent = forms.BooleanField(label=_("Send me text messages (SMS) about this dossier"), required=False,
                                     help_text=_("To the mobile phone above, at each step of the dossier."))
    email = forms.EmailField(label=_("Email"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             help_text=_("We email the receipt here. Changes of status are shown in My dossiers "
                                         "and on the look-up page."))
    address = ef.AddressField(label=_("Permanent or current address"))

    behalf_name = forms.CharField(label=_("Their full name"), max_length=255, required=False)
    behalf_id_number = ef.IdNumberField(label=_("Their citizen identity number"), required=False)

    organisation_name = forms.CharField(label=_("Name of the organisation"), max_length=255, required=False)
    organisation_tax_code = ef.TaxCodeField(label=_("Tax code"), required=False,
                                            help_text=_("10 digits, or 13 for a branch: 0123456789-001."))

    BEHALF_FIELDS = ("behalf_name", "behalf_id_number")
    ORGANISATION_FIELDS = ("organisation_name", "organisation_tax_code")
    # Applicant field → the profile fields (CitizenProfile.VERIFIABLE_FIELDS) it shows.
    PROFILE_SOURCES = {
        "full_name": ("full_name",),
        "date_of_birth": ("date_of_birth",),
        "id_number": ("id_number",),
        "phone": ("phone",),
        "address": ("province_code", "commune_code", "street"),
    }

    def __init__(self, *args, profile=None, **kwargs):
        """With the applicant's `profile`, the fields an identity provider
        verified show the profile's value and are disabled: Django ignores
        whatever is posted for a disabled field, so a dossier can never
        carry a typed value under a verified mark."""
        self.locked_profile = profile
        locked = self.verified_values(profile)
        if locked:
            kwargs["initial"] = {**(kwargs.get("initial") or {}), **locked}
        super().__init__(*args, **kwargs)
        self.locked_fields = list(locked)
        for name in locked:
            field = self.fields[name]
            field.disabled = True
            field.help_text = _("Verified by %(provider)s: it cannot be changed here.") % {
                "provider": profile.verified_by or _("an identity provider")}
        if "address" in locked:
            self.fields["address"].set_province(locked["address"]["province_code"])

    @classmethod
    def verified_values(cls, profile) -> dict:
        """The profile's verified values, by applicant field name."""
        if profile is None:
            return {}
        values = {}
        for name, sources in cls.PROFILE_SOURCES.items():
            if not all(profile.is_verified(source) for source in sources):
                continue
            if name == "address":
                values[name] = {source: getattr(profile, source) or "" for source in sources}
            else:
                values[name] = getattr(profile, name)
        return values

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("applying_as")
        required = {
            ApplyingAs.BEHALF: {"behalf_name": _("Enter the full name of the person you apply for."),
                                "behalf_id_number": _("Enter their citizen identity number.")},
            ApplyingAs.ORGANISATION: {"organisation_name": _("Enter the name of the organisation."),
                                      "organisation_tax_code": _("Enter the organisation's tax code.")},
        }.get(kind, {})
        for name, message in required.items():
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        if kind != ApplyingAs.BEHALF:
            for name in self.BEHALF_FIELDS:
                cleaned[name] = ""
        if kind != ApplyingAs.ORGANISATION:
            for name in self.ORGANISATION_FIELDS:
                cleaned[name] = ""
        if not cleaned.get("phone"):
            cleaned["sms_consent"] = False
        try:
            check_id_matches_birth_date(cleaned.get("id_number", ""), cleaned.get("date_of_birth"))
        except forms.ValidationError as error:
            if "id_number" not in self.errors:
                self.add_error("id_number", error)
        return cleaned

    @classmethod
    def initial_from_profile(cls, user) -> dict:
        """What the profile already knows (accounts.CitizenProfile)."""
        profile = getattr(user, "profile", None)
        initial = {"applying_as": ApplyingAs.SELF, "email": getattr(user, "email", "")}
        if profile is None:
            return initial
        initial.update(
            full_name=profile.full_name,
            date_of_birth=profile.date_of_birth.isoformat() if profile.date_of_birth else "",
            id_number=profile.id_number,
            phone=profile.phone,
            address={"province_code": profile.province_code or "", "commune_code": profile.commune_code or "",
                     "street": profile.street or ""},
        )
        return initial


PICKUP_WINDOWS = [
    ("07:30-11:00", _("Morning, 7:30–11:00")),
    ("13:30-17:00", _("Afternoon, 13:30–17:00")),
]


class SubmissionForm(PortalForm):
    """Where the dossier goes, how it gets there and how the result comes
    back (seed 003 §4.4: the post can collect the documents at home)."""

    agency = forms.ChoiceField(label=_("Agency that receives the dossier"), choices=[],
                               error_messages={"required": _("Choose the agency that will receive the dossier."),
                                               "invalid_choice": _("Choose one of the agencies in the list.")})
    channel = forms.ChoiceField(label=_("How do you submit the documents?"), widget=forms.RadioSelect,
                                choices=[(Channel.ONLINE, _("Online only: the files attached here")),
                                         (Channel.HOME_SERVICE,
                                          _("Home service: the post collects the paper documents from me"))],
                                initial=Channel.ONLINE)
    pickup_address = forms.CharField(label=_("Address where the post collects the documents"), required=False,
                                     max_length=500, widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    pickup_date = forms.DateField(label=_("Collection day"), required=False, widget=ef.DateInput,
                                  help_text=_("A working day from tomorrow on."))
    pickup_window = forms.ChoiceField(label=_("Collection time"), choices=PICKUP_WINDOWS, required=False,
                                      widget=forms.RadioSelect)
    result_delivery = forms.ChoiceField(
        label=_("How do you want to receive the result?"), widget=forms.RadioSelect, choices=[],
        initial=ResultDelivery.OFFICE,
        error_messages={"required": _("Choose how you want to receive the result."),
                        "invalid_choice": _("Choose one of the ways this procedure offers to receive the result.")})
    delivery_address = forms.CharField(label=_("Address to post the result to"), required=False, max_length=500,
                                       widget=forms.TextInput(attrs={"autocomplete": "street-address"}))

    DELIVERY_LABELS = {
        ResultDelivery.OFFICE: _("At the office, when I am invited"),
        ResultDelivery.POST: _("By post to my address (postal fee paid on delivery)"),
        ResultDelivery.ONLINE: _("Online: an electronic copy in My dossiers"),
    }

    def __init__(self, *args, agencies=(), level: int = 3, procedure=None, **kwargs):
        """`procedure` (a `ProcedurePage`) decides how the result may come
        back: only the ways it offers (`result_delivery_methods`: at the
        office when it names none), the one way preselected; anything else
        posted is refused. Without it, as before procedures said so: at the
        office or by post, and online from level 4."""
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.level = procedure.level if procedure is not None else level
        self.agencies = {str(a.pk): a for a in agencies}
        self.fields["agency"].choices = [("", _("— Choose an agency —"))] + [
            (str(a.pk), a.localized.name) for a in agencies
        ]
        if procedure is not None:
            offered = [m for m in procedure.result_delivery_methods() if m in self.DELIVERY_LABELS]
        else:
            offered = [ResultDelivery.OFFICE, ResultDelivery.POST] + ([ResultDelivery.ONLINE] if level >= 4 else [])
        offered = offered or [ResultDelivery.OFFICE]
        field = self.fields["result_delivery"]
        field.choices = [(m, self.DELIVERY_LABELS[m]) for m in offered]
        if len(offered) == 1:
            field.initial = self.initial["result_delivery"] = offered[0]
        else:
            field.initial = ResultDelivery.OFFICE if ResultDelivery.OFFICE in offered else None
            if self.initial.get("result_delivery") not in offered:
                self.initial.pop("result_delivery", None)

    def clean_pickup_date(self):
        day = self.cleaned_data.get("pickup_date")
        if day is None:
            return day
        today = timezone.localdate()
        if day <= today or day > today + dt.timedelta(days=60):
            raise forms.ValidationError(_("Choose a day between tomorrow and two months from now."))
        if not is_working_day(day):
            raise forms.ValidationError(_("The post collects on working days only; choose another day."))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") == Channel.HOME_SERVICE:
            messages = {"pickup_address": _("Give the address where the post should collect the documents."),
                        "pickup_date": _("Choose the day the post should come."),
                        "pickup_window": _("Choose a time window.")}
            for name, message in messages.items():
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
        if cleaned.get("result_delivery") == ResultDelivery.POST and not cleaned.get("delivery_address"):
            self.add_error("delivery_address", _("Give the address the result should be posted to."))
        return cleaned

    def pickup_window_bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        day, window = self.cleaned_data.get("pickup_date"), self.cleaned_data.get("pickup_window")
        if not day or not window or self.cleaned_data.get("channel") != Channel.HOME_SERVICE:
            return None, None
        start, end = (dt.time.fromisoformat(t) for t in window.split("-"))
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(day, end, tzinfo=tz)


class ReviewForm(forms.Form):
    """The last step: the declaration, and the key that makes a double click
    or a replayed request one dossier."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    declaration = ef.DeclarationField(label=_("I declare that the information above is true and complete, "
                                              "and I am responsible for it before the law."))

    def __init__(self, *args, declaration_text: str = "", **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if declaration_text:
            self.fields["declaration"].label = declaration_text


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why are you withdrawing it? (optional)"), required=False,
                             max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("Yes, withdraw this dossier. I cannot undo this."),
                                 error_messages={"required": _("Tick the box to confirm.")})


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the checks by content are `eforms.uploads`'."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class SupplementForm(forms.Form):
    """The answer to a supplement request: one file input per requested
    item (`supplement_item_<n>`), one for anything else, and a message."""

    files = MultipleFileField(label=_("Documents asked for"), required=False,
                              help_text=_("PDF, JPEG, PNG, DOCX or XLSX. You can choose several files."))
    note = forms.CharField(label=_("Message to the agency (optional)"), required=False,
                           max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        if items:
            self.fields["files"].label = _("Other documents (optional)")
        self.item_fields = []
        for index, item in enumerate(items):
            name = f"supplement_item_{index}"
            self.fields[name] = MultipleFileField(
                label=item, required=False,
                help_text=_("PDF, JPEG, PNG, DOCX or XLSX. You can choose several files."))
            self.item_fields.append(name)
        # The items first, then the other files and the message.
        self.order_fields([*self.item_fields, "files", "note"])

    def uploads(self, files) -> dict[str, list]:
        """The uploaded files per field, for services.answer_supplement."""
        return {name: files.getlist(name) for name in [*self.item_fields, "files"]}
