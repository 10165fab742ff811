"""The forms of desk and post intake: the applicant as the receiver reads
them off the papers, how the dossier came and how the result goes back,
and the scanned papers. The procedure's e-form questions, when it has one,
come from `eforms.form_builder`, all optional at the desk."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validators import check_id_matches_birth_date
from eforms import fields as ef
from eforms.form_builder import EFormBuilder
from eforms.forms import MultipleFileField
from eforms.models import Channel, ResultDelivery


class IntakeForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    channel = forms.ChoiceField(label=_("How did the dossier arrive?"), widget=forms.RadioSelect,
                                choices=[(Channel.DESK, _("Brought to the desk")), (Channel.POST, _("By post"))],
                                initial=Channel.DESK)
    full_name = forms.CharField(label=_("Applicant's full name"), max_length=255,
                                error_messages={"required": _("Enter the applicant's full name.")})
    id_number = ef.IdNumberField(label=_("Citizen identity number"))
    date_of_birth = ef.BirthDateField(label=_("Date of birth"))
    phone = ef.PhoneField(label=_("Mobile phone"), required=False)
    sms_consent = forms.BooleanField(
        label=_("The applicant agrees to receive text messages (SMS) about this dossier"), required=False,
        help_text=_("Tick only if the applicant said yes; it needs a mobile phone."))
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    result_delivery = forms.ChoiceField(label=_("How does the applicant receive the result?"),
                                        widget=forms.RadioSelect, choices=[], initial=ResultDelivery.OFFICE)
    delivery_address = forms.CharField(label=_("Address to post the result to"), max_length=500, required=False)
    scans = MultipleFileField(label=_("Scanned papers"), required=False,
                              help_text=_("PDF, JPEG, PNG, DOCX or XLSX. You can choose several files."))
    note = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, level: int = 3, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        deliveries = [(ResultDelivery.OFFICE, _("At the office")), (ResultDelivery.POST, _("By post"))]
        if level >= 4:
            deliveries.append((ResultDelivery.ONLINE, _("Online")))
        self.fields["result_delivery"].choices = deliveries

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone"):
            if cleaned.get("sms_consent"):
                self.add_error("sms_consent", _("Text messages need a mobile phone number."))
            cleaned["sms_consent"] = False
        if cleaned.get("result_delivery") == ResultDelivery.POST and not cleaned.get("delivery_address"):
            self.add_error("delivery_address", _("Give the address the result should be posted to."))
        try:
            check_id_matches_birth_date(cleaned.get("id_number", ""), cleaned.get("date_of_birth"))
        except forms.ValidationError as error:
            if "id_number" not in self.errors:
                self.add_error("id_number", error)
        return cleaned

    def snapshot(self) -> dict:
        """The applicant as `Dossier.applicant_snapshot` keeps them."""
        c = self.cleaned_data
        return {
            "full_name": c["full_name"], "id_number": c["id_number"],
            "date_of_birth": c["date_of_birth"].isoformat() if c.get("date_of_birth") else "",
            "phone": c.get("phone") or "", "email": c.get("email") or "", "address": c.get("address") or "",
            "sms_consent": bool(c.get("sms_consent")), "verified_fields": [], "verified_by": "",
        }


def answers_form_class(version):
    """The e-form's questions, every one optional (a receiver may attach
    only the scans); its file and declaration fields are left out: the
    papers are the scans, and the applicant signed on paper."""
    specs = [s for s in version.specs() if not s.is_file and s.field_type != "declaration"]
    form_class = EFormBuilder(specs).get_form_class()
    for field in form_class.base_fields.values():
        field.required = False
    return form_class
