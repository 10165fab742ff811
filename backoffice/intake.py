"""Desk and post intake: a receiver enters a dossier brought to the desk
or arriving by post, with its scanned papers, for an applicant who may have
no account; it becomes a dossier like an online one
(`eforms.services.submit_at_desk`: code, events, received at once), and
form 01 prints for the applicant.

Only receivers reach these screens, and only for their own agencies; the
printable receipt is served for any dossier the user may see
(`backoffice.scope.visible_dossiers`).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale

from accounts.models import StaffRole
from accounts.services import agencies_for
from backoffice.intake_forms import IntakeForm, answers_form_class
from backoffice.scope import visible_dossiers
from eforms import lifecycle
from eforms.drafts import to_json
from eforms.file_kinds import UploadRules
from eforms.models import EFormPage
from eforms.record import receipt_filename, receipt_pdf
from eforms.services import procedures_received_by, submit_at_desk, verified_account_for
from eforms.uploads import check_uploads

NAMESPACE = "backoffice_intake"


def receiving_agencies_of(user):
    """The agencies `user` receives dossiers for (default-language copies)."""
    return agencies_for(user, StaffRole.RECEIVER).filter(locale=Locale.get_default()).order_by("name")


class IntakeMixin(WagtailAdminTemplateMixin):
    header_icon = "folder-open-inverse"

    def dispatch(self, request, *args, **kwargs):
        self.agencies = receiving_agencies_of(request.user)
        if not self.agencies.exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse(f"{NAMESPACE}:choose"), "label": gettext_lazy("Desk and post intake")},
                *([{"url": "", "label": self.get_page_title()}] if self.get_page_title() else [])]


class ChooseView(IntakeMixin, TemplateView):
    """Choose the agency (among the receiver's), then the procedure."""

    template_name = "backoffice/intake/choose.html"
    page_title = gettext_lazy("Desk and post intake")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = None
        chosen = self.request.GET.get("agency", "")
        if chosen.isdigit():
            agency = self.agencies.filter(pk=int(chosen)).first()
        if agency is None and self.agencies.count() == 1:
            agency = self.agencies.first()
        context.update(agencies=self.agencies, agency=agency,
                       procedures=procedures_received_by(agency) if agency is not None else [])
        return context


class IntakeView(IntakeMixin, TemplateView):
    """The intake form for one agency and procedure."""

    template_name = "backoffice/intake/form.html"

    def get_page_title(self):
        return _("New dossier: %(procedure)s") % {"procedure": self.procedure.title}

    def dispatch(self, request, *args, **kwargs):
        self.agencies = receiving_agencies_of(request.user)
        if not self.agencies.exists():
            raise PermissionDenied
        self.agency = get_object_or_404(self.agencies, pk=kwargs["agency"])
        self.procedure = get_object_or_404(procedures_received_by(self.agency), pk=kwargs["procedure"])
        eform = EFormPage.live_for(self.procedure)
        self.version = eform.current_version() if eform is not None else None
        return super(IntakeMixin, self).dispatch(request, *args, **kwargs)

    def forms(self, data=None, files=None):
        form = IntakeForm(data, files, level=self.procedure.level,
                          initial={"idempotency_key": uuid.uuid4().hex})
        answers = answers_form_class(self.version)(data, prefix="form") if self.version is not None else None
        return form, answers

    def get(self, request, *args, **kwargs):
        form, answers = self.forms()
        return self.render_to_response(self.get_context_data(form=form, answers=answers))

    def post(self, request, *args, **kwargs):
        form, answers = self.forms(request.POST, request.FILES)
        valid = form.is_valid() & (answers is None or answers.is_valid())
        check = check_uploads({"scans": request.FILES.getlist("scans")}, UploadRules.default(required=True))
        for message in check.errors.get("scans", []):
            form.add_error("scans", message)
        if valid and check.ok:
            c = form.cleaned_data
            values = ({name: to_json(value) for name, value in answers.cleaned_data.items()
                       if value not in (None, "", [], {})} if answers is not None else {})
            try:
                result = submit_at_desk(
                    procedure=self.procedure, agency=self.agency, receiver=request.user, snapshot=form.snapshot(),
                    scans=check.accepted, idempotency_key=c["idempotency_key"], channel=c["channel"],
                    answers=values, form_version=self.version.reference() if self.version else None,
                    result_delivery=c["result_delivery"], delivery_address=c.get("delivery_address") or "",
                    note=c.get("note") or "",
                )
            except lifecycle.LifecycleError as error:
                for name, message in (error.errors or {None: error.message}).items():
                    form.add_error(name if name in form.fields else None, message or error.message)
            else:
                dossier = result.dossier
                messages.success(request, _("Dossier %(code)s was received.") % {"code": dossier.code})
                if verified_account_for(dossier.applicant_id_number) is not None:
                    messages.info(request, _(
                        "A portal account with this verified ID number exists. The dossier was not linked to it: "
                        "the applicant follows it on the look-up page with its code and their ID number or phone."))
                return redirect(f"{NAMESPACE}:done", pk=dossier.pk)
        return self.render_to_response(self.get_context_data(form=form, answers=answers), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(agency=self.agency, procedure=self.procedure)
        return context


class DoneView(WagtailAdminTemplateMixin, TemplateView):
    """After saving: the code and form 01 to print for the applicant."""

    template_name = "backoffice/intake/done.html"
    page_title = gettext_lazy("Dossier received")
    header_icon = "folder-open-inverse"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse(f"{NAMESPACE}:choose"), "label": gettext_lazy("Desk and post intake")},
                {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["dossier"] = get_object_or_404(visible_dossiers(self.request.user), pk=self.kwargs["pk"])
        return context


def receipt(request, pk: int):
    """Form 01 of a dossier the user may see, as a PDF to print."""
    dossier = get_object_or_404(visible_dossiers(request.user).select_related("procedure", "agency"), pk=pk)
    response = HttpResponse(receipt_pdf(dossier, request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt_filename(dossier)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", ChooseView.as_view(), name="choose"),
    path("<int:agency>/<int:procedure>/", IntakeView.as_view(), name="form"),
    path("done/<int:pk>/", DoneView.as_view(), name="done"),
    path("receipt/<int:pk>.pdf", receipt, name="receipt"),
]


def admin_urls():
    return [path("backoffice/intake/", include((urlpatterns, NAMESPACE), namespace=NAMESPACE))]
