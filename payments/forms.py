"""Forms of the payments app: the applicant's "Pay online", the agency's fee
notice (item lines) and refund. Every value is checked here, on the server."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services import FeeLine

#: The most one fee item or refund may be (VNPay's amount field is VND × 100
#: in at most 12 digits).
MAX_AMOUNT_VND = 9_999_999_999

_AMOUNT_NOISE = re.compile(r"[\s.,]|đồng|đ|vnd", re.IGNORECASE)


class AmountField(forms.Field):
    """A whole amount in đồng, typed as people type it: "150000", "150.000",
    "150,000 đ". (Django's IntegerField would read "150.000" as 150.)"""

    default_error_messages = {
        "invalid": _("Enter a whole amount in đồng, e.g. 150000 or 150.000."),
        "min_value": _("The amount must be at least %(limit_value)s đồng."),
        "max_value": _("The amount must be at most %(limit_value)s đồng."),
    }

    def __init__(self, *, min_value: int = 0, max_value: int = MAX_AMOUNT_VND, **kwargs) -> None:
        self.min_amount = min_value
        self.max_amount = max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "32"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = str(value).strip() if value is not None else ""
        if value in self.empty_values:
            return None
        digits = _AMOUNT_NOISE.sub("", value)
        if not digits.isdigit():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        amount = int(digits)
        if amount < self.min_amount:
            raise ValidationError(self.error_messages["min_value"], code="min_value",
                                  params={"limit_value": self.min_amount})
        if amount > self.max_amount:
            raise ValidationError(self.error_messages["max_value"], code="max_value",
                                  params={"limit_value": self.max_amount})
        return amount


class StartPaymentForm(forms.Form):
    """The applicant's "Pay online": which notice, through which provider."""

    notice = forms.UUIDField(widget=forms.HiddenInput)
    provider = forms.ChoiceField(label=_("Pay with"), choices=())

    def __init__(self, *args, providers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(p.code, p.label) for p in providers]


class FeeLineForm(forms.Form):
    """One item of a fee notice. A line left empty is skipped; a line begun
    needs its name and amount."""

    name = forms.CharField(label=_("Fee or charge"), max_length=255, required=False)
    amount_vnd = AmountField(label=_("Amount (VND)"), required=False)
    payer = forms.CharField(label=_("Who pays"), max_length=255, required=False)
    exemptions = forms.CharField(label=_("Exemptions and reductions"), max_length=2000, required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        started = any((data.get(name) not in (None, "")) for name in ("name", "amount_vnd", "payer", "exemptions"))
        if started:
            if not (data.get("name") or "").strip():
                self.add_error("name", _("Name this fee."))
            if not data.get("amount_vnd"):
                self.add_error("amount_vnd", _("Enter an amount greater than 0."))
        return data

    def line(self) -> FeeLine | None:
        data = self.cleaned_data
        if not data or not (data.get("name") or "").strip() or not data.get("amount_vnd"):
            return None
        return FeeLine(name=data["name"].strip(), amount_vnd=data["amount_vnd"],
                       payer=(data.get("payer") or "").strip(), exemptions=(data.get("exemptions") or "").strip())


class BaseFeeLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if not self.lines():
            raise ValidationError(_("Give at least one fee item with its amount."), code="empty")
        total = sum(line.amount_vnd for line in self.lines())
        if total > MAX_AMOUNT_VND:
            raise ValidationError(_("The total is too large for one payment."), code="too_large")

    def lines(self) -> list[FeeLine]:
        return [line for form in self.forms if (line := form.line()) is not None]


#: Three empty lines below the procedure's items: enough without JavaScript.
EXTRA_LINES = 3
FeeLineFormSet = forms.formset_factory(FeeLineForm, formset=BaseFeeLineFormSet, extra=EXTRA_LINES,
                                       max_num=30, validate_max=True)


class FeeNoticeForm(forms.Form):
    # how many notices the dossier had when the form was shown: a second
    # click (or a colleague's notice meanwhile) is caught
    notices_seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    note = forms.CharField(
        label=_("Note to the applicant"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional, e.g. the legal basis or when to pay by. It is sent with the notice."),
    )


def fee_notice_forms(data=None, *, lines: list[FeeLine] = (), notices_seen: int = 0,
                     ) -> tuple[FeeNoticeForm, BaseFeeLineFormSet]:
    """The notice form and its item lines, prefilled with `lines` when unbound."""
    initial = [{"name": line.name, "amount_vnd": str(line.amount_vnd), "payer": line.payer,
                "exemptions": line.exemptions} for line in lines]
    return (FeeNoticeForm(data, prefix="notice", initial={"notices_seen": notices_seen}),
            FeeLineFormSet(data, prefix="lines", initial=None if data is not None else initial))


class RefundForm(forms.Form):
    amount_vnd = AmountField(label=_("Amount to refund (VND)"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Kept in the payment's record and told to the applicant."),
                             error_messages={"required": _("Say why the money is given back.")})

    def __init__(self, *args, refundable: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refundable = refundable
        self.fields["amount_vnd"].max_amount = refundable
