"""The dossier screen's action forms: one small form per lifecycle action,
asking only for what that action takes. The lifecycle checks everything
again on the locked row; these forms only shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffMembership, StaffRole, User
from eforms.forms import MultipleFileField
from eforms.models import Attachment, AttachmentRole, Dossier, HandoverMethod
from procedures.models import Agency


class ActionForm(forms.Form):
    """Every action form carries the id of the newest event the page
    showed, so a refused change can say what happened since."""

    seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, dossier: Dossier, **kwargs):
        self.dossier = dossier
        super().__init__(*args, **kwargs)

    def lifecycle_kwargs(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "seen"}


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Give the reason.")})


def handlers_of(dossier: Dossier):
    """Handlers and leaders of the receiving agency (either language's copy)."""
    memberships = StaffMembership.objects.filter(
        agency__translation_key=dossier.agency.translation_key, role__in=(StaffRole.HANDLER, StaffRole.LEADER)
    )
    return User.objects.filter(is_active=True, pk__in=memberships.values("user")).order_by(
        "first_name", "last_name", "username")


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AssignForm(ActionForm):
    assignee = HandlerChoiceField(label=_("Handler"), queryset=User.objects.none(),
                                  error_messages={"required": _("Choose the handler.")})
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = handlers_of(self.dossier)
        self.fields["assignee"].required = required
        if not required:
            self.fields["assignee"].empty_label = _("Myself")


class CoAgencyForm(ActionForm):
    co_agency = forms.ModelChoiceField(label=_("Co-handling agency"), queryset=Agency.objects.none(),
                                       error_messages={"required": _("Choose the agency.")})
    note = forms.CharField(label=_("What is asked of it (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agency = self.dossier.agency
        self.fields["co_agency"].queryset = (
            Agency.objects.filter(locale_id=agency.locale_id).exclude(translation_key=agency.translation_key)
            .order_by("name")
        )


class SupplementRequestForm(ActionForm):
    items = forms.CharField(label=_("Missing or incorrect items, one per line"),
                            widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": _("List the documents or information that are missing.")})
    deadline = forms.DateField(label=_("Deadline for the applicant"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": _("Give the deadline.")})
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def lifecycle_kwargs(self) -> dict:
        data = super().lifecycle_kwargs()
        data["items"] = [line.strip() for line in data["items"].splitlines() if line.strip()]
        return data


class DeskSupplementForm(ActionForm):
    """The receiver records documents the applicant brought to the desk."""

    files = MultipleFileField(label=_("Scanned documents"), required=False,
                              help_text=_("PDF, JPEG, PNG, DOCX or XLSX. You can choose several files."))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(ActionForm):
    """The result, and its files: files already accepted from an earlier
    attempt are listed to keep, so one bad file never loses the others."""

    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Describe the result of the dossier.")})
    files = MultipleFileField(label=_("Result documents"), required=False,
                              help_text=_("PDF, JPEG, PNG, DOCX or XLSX. You can choose several files."))
    keep = forms.ModelMultipleChoiceField(label=_("Result documents already uploaded"), required=False,
                                          queryset=Attachment.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pending = pending_results(self.dossier)
        self.fields["keep"].queryset = pending
        self.fields["keep"].initial = list(pending)
        if not pending.exists():
            del self.fields["keep"]


def pending_results(dossier: Dossier):
    """Result files uploaded to the dossier and not yet issued."""
    return Attachment.objects.filter(dossier=dossier, role=AttachmentRole.RESULT, event__isnull=True)


class ReturnForm(ActionForm):
    handover_method = forms.ChoiceField(label=_("How was the result handed over?"), choices=HandoverMethod.choices,
                                        widget=forms.RadioSelect,
                                        error_messages={"required": _("Choose how the result was handed over.")})
    courier = forms.CharField(label=_("Courier (by post)"), required=False, max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number (by post)"), required=False, max_length=100)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        delivery = self.dossier.result_delivery
        self.fields["handover_method"].initial = {"office": "desk", "post": "post", "online": "online"}.get(delivery)


class ExtendForm(ReasonForm):
    """Circular 03/2025 form 04: the apology and the new appointment."""

    appointment = forms.DateField(
        label=_("New appointment date"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the new appointment date."),
                        "invalid": _("Enter the date as day/month/year.")},
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


#: action → (form class, extra form kwargs)
FORMS: dict[str, tuple[type[ActionForm], dict]] = {
    "receive": (NoteForm, {}),
    "reject": (ReasonForm, {}),
    "mark_invalid": (ReasonForm, {}),
    "cancel": (ReasonForm, {}),
    "start_processing": (AssignForm, {"required": False}),
    "request_supplement": (SupplementRequestForm, {}),
    "answer_supplement": (DeskSupplementForm, {}),
    "complete": (CompleteForm, {}),
    "return_result": (ReturnForm, {}),
    "forward": (AssignForm, {}),
    "send_to_co_agency": (CoAgencyForm, {}),
    "return_from_co_agency": (NoteForm, {}),
    "submit_for_approval": (NoteForm, {}),
    "approve": (NoteForm, {}),
    "return_for_rework": (ReasonForm, {}),
    "extend": (ExtendForm, {}),
    # issue_control_slip has its own button beside the documents (backoffice/includes/documents.html)
}


def action_form(action: str, dossier: Dossier, data=None, files=None) -> ActionForm:
    form_class, extra = FORMS[action]
    return form_class(data, files, dossier=dossier, prefix=action, **extra)

