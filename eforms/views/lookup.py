"""The public status look-up page at /lookup/: two forms (the dossier code
with a second fact, or the ID number with name and birth date), POSTed so
ID numbers stay out of URLs and logs. Finding, what is shown and the
throttles are `eforms.lookup`'s."""

from __future__ import annotations

import re

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from eforms.lookup import (
    RATE_PER_ADDRESS,
    RATE_PER_CODE,
    RATE_PER_ID_NUMBER,
    client_address,
    find_by_code,
    find_by_person,
    hit,
    limited,
    public_view,
)

CODE_RE = re.compile(r"^[0-9A-Z.\-]{6,64}$")


# ---------------------------------------------------------------- forms


class CodeLookupForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Dossier code"), max_length=64,
                           help_text=gettext_lazy("As printed on the receipt, e.g. 000.00.00.H30-261122-0001."))
    secret = forms.CharField(label=gettext_lazy("ID number or phone number of the applicant"), max_length=20,
                             help_text=gettext_lazy("The 12-digit citizen identity number or the mobile number "
                                                    "given in the dossier."))

    def clean_code(self) -> str:
        code = re.sub(r"\s+", "", self.cleaned_data["code"]).upper()
        if not CODE_RE.fullmatch(code):
            raise forms.ValidationError(_("Enter the dossier code as printed on the receipt."))
        return code

    def clean_secret(self) -> str:
        value = re.sub(r"[\s.\-()]", "", self.cleaned_data["secret"])
        if not re.fullmatch(r"\+?\d{9,13}", value):
            raise forms.ValidationError(_("Enter a 12-digit ID number or a mobile number."))
        return value


class PersonLookupForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("Citizen identity number"), max_length=12, min_length=12,
                                help_text=gettext_lazy("12 digits."))
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=255,
                                help_text=gettext_lazy("As in the dossier, with diacritics."))
    date_of_birth = forms.DateField(label=gettext_lazy("Date of birth"),
                                    help_text=gettext_lazy("Day/month/year, e.g. 02/09/1985."),
                                    input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
                                    widget=forms.DateInput(attrs={"inputmode": "numeric"}))

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip()
        if not re.fullmatch(r"\d{12}", value):
            raise forms.ValidationError(_("The citizen identity number has 12 digits."))
        return value


# ---------------------------------------------------------------- the page


@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request):
    way = request.POST.get("way") if request.method == "POST" else None
    code_form = CodeLookupForm(request.POST if way == "code" else None,
                               initial={"code": request.GET.get("code", "")[:64]}, prefix="c")
    person_form = PersonLookupForm(request.POST if way == "person" else None, prefix="p")
    context = {"code_form": code_form, "person_form": person_form, "way": way, "results": None,
               "rate_minutes": max(1, RATE_PER_ADDRESS[1] // 60)}
    if way not in ("code", "person"):
        return render(request, "eforms/lookup/lookup.html", context)

    address = client_address(request)
    if limited("address", address, RATE_PER_ADDRESS):
        context["limited"] = True
        return render(request, "eforms/lookup/lookup.html", context, status=429)

    form = code_form if way == "code" else person_form
    if not form.is_valid():
        return render(request, "eforms/lookup/lookup.html", context, status=400)
    hit("address", address, RATE_PER_ADDRESS)
    if way == "code":
        code = form.cleaned_data["code"]
        if limited("code", code, RATE_PER_CODE):
            context["limited"] = True
            return render(request, "eforms/lookup/lookup.html", context, status=429)
        found = find_by_code(code, form.cleaned_data["secret"])
        if not found:
            hit("code", code, RATE_PER_CODE)
    else:
        id_number = form.cleaned_data["id_number"]
        if limited("id_number", id_number, RATE_PER_ID_NUMBER):
            context["limited"] = True
            return render(request, "eforms/lookup/lookup.html", context, status=429)
        found = find_by_person(id_number, form.cleaned_data["full_name"], form.cleaned_data["date_of_birth"])
        if not found:
            hit("id_number", id_number, RATE_PER_ID_NUMBER)
    context["results"] = [public_view(d) for d in found]
    context["searched"] = True
    # The answer never echoes the ID number, phone, name or birth date typed.
    searched_code = form.cleaned_data["code"] if way == "code" else ""
    context["code_form"] = CodeLookupForm(initial={"code": searched_code}, prefix="c")
    context["person_form"] = PersonLookupForm(prefix="p")
    return render(request, "eforms/lookup/lookup.html", context)
