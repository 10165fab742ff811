"""The postal officer's screens in the Wagtail admin (/admin/postal/…):
the jobs to do, one job with the form of its next step, the photos; and
the agency receiver's confirmation of a handover (posted from the back
office's dossier screen).

Every job is looked up in `postal.scope.visible_jobs(user)` (404
otherwise, photos included); the receiver's confirmation looks the job up
among the dossiers of the agencies the user receives for. The second
factor covers all of it (accounts.mfa applies to every admin view)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from eforms import lifecycle, scanning
from eforms.models import DossierStatus, ResultDelivery
from eforms.models.attachments import ScanStatus

from . import report, steps
from .forms import FORMS, WITH_PHOTOS, CollectForm, ConfirmHandoverForm
from .models import HomeServiceJob, JobPhoto, JobState
from .scope import is_agency_staff, may_use_postal_screens, officer_unit_for, visible_jobs
from .sections import timeline

NAMESPACE = "postal"
PAGE_SIZE = 50
OPEN = "open"


class PostalMixin(WagtailAdminTemplateMixin):
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not may_use_postal_screens(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": reverse("postal:jobs"), "label": gettext_lazy("Home service")}]
        title = self.get_page_title()
        if title and title != str(gettext_lazy("Home service")):
            items.append({"url": "", "label": title})
        return items


def state_choices() -> list[tuple[str, str]]:
    return [(OPEN, _("Open (not delivered or cancelled)")), *JobState.choices, ("", _("All"))]


class JobListView(PostalMixin, TemplateView):
    """The jobs to do: where and when to collect, whom to call, which dossier."""

    template_name = "postal/jobs.html"
    page_title = gettext_lazy("Home service")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", OPEN)
        if state not in dict(state_choices()):
            state = OPEN
        jobs = visible_jobs(self.request.user)
        if state == OPEN:
            jobs = jobs.exclude(state__in=(JobState.DELIVERED, JobState.CANCELLED))
        elif state:
            jobs = jobs.filter(state=state)
        jobs = jobs.order_by(F("dossier__pickup_from").asc(nulls_last=True), "created_at", "pk")
        page = Paginator(jobs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(page=page, jobs=page.object_list, state=state, states=state_choices())
        return context


class JobView(PostalMixin, TemplateView):
    """One job: the dossier's facts the officer needs, the steps so far and
    the form of the next step when the user may take it."""

    template_name = "postal/job.html"

    def dispatch(self, request, *args, **kwargs):
        if not may_use_postal_screens(request.user):
            raise PermissionDenied
        self.job = get_object_or_404(visible_jobs(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Home service: dossier %(code)s") % {"code": self.job.dossier}

    def step_form(self, step: str, data=None, files=None):
        form_class = FORMS[step]
        if form_class is CollectForm:
            components = self.job.dossier.procedure.components.all()
            return form_class(data, files, components=components, prefix=step)
        return form_class(data, files, prefix=step)

    def get_context_data(self, failed=None, failed_step: str = "", problem: str = "", **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        dossier = job.dossier
        unit = officer_unit_for(self.request.user, job)
        following = steps.next_step(job)
        form = None
        result_ready = dossier.status in (DossierStatus.COMPLETED, DossierStatus.RETURNED)
        blocked = ((following in ("accept_pickup", "collect", "hand_over") and dossier.is_final)
                   or (following == "collect_result" and not result_ready))
        if unit is not None and following in FORMS and not blocked:
            form = failed if failed is not None and failed_step == following else self.step_form(following)
        context.update(
            job=job, dossier=dossier, unit=unit, agency=dossier.agency, procedure=dossier.procedure,
            next_step=following, next_label=steps.STEP_LABELS.get(following or "", ""), form=form,
            multipart=following in WITH_PHOTOS, failed=failed, problem=problem,
            steps=timeline(job, staff=True), photos=list(job.photos.all()),
            by_post=dossier.result_delivery == ResultDelivery.POST,
            result_ready=result_ready,
            fee_notice=job.fee_notice,
        )
        return context


class StepView(JobView):
    """POST one step. Success: back to the job with a message. Refusal: the
    job again with the form as filled in and what went wrong (409 for a
    step out of order, 403 when the user may not act, 400 for bad input)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        step = kwargs["step"]
        if step not in FORMS:
            raise Http404
        form = self.step_form(step, request.POST, request.FILES)
        if not form.is_valid():
            return self.refused(form, step, "", 400)
        step_kwargs = form.step_kwargs()
        if "photos" in form.fields:
            accepted, errors = steps.check_photos(request.FILES.getlist(f"{form.prefix}-photos"))
            if errors:
                for message in errors:
                    form.add_error("photos", message)
                return self.refused(form, step, "", 400)
            step_kwargs["photos"] = accepted
        try:
            steps.STEPS[step](self.job, request.user, **step_kwargs)
        except steps.StepRefused as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
            self.job.refresh_from_db()
            return self.refused(form, step, error.message, 403 if error.forbidden else 409 if not error.errors
                                else 400)
        messages.success(request, _("Dossier %(code)s: “%(step)s” recorded.") % {
            "code": self.job.dossier, "step": steps.STEP_LABELS[step]})
        return redirect("postal:job", pk=self.job.pk)

    def refused(self, form, step: str, problem: str, status: int):
        context = self.get_context_data(failed=form, failed_step=step, problem=problem)
        return self.render_to_response(context, status=status)


@require_safe
def photo(request, pk: int):
    """A job's photo, shown inline to those who see the job: its unit's
    officers, superusers, and the receiving agency's staff who see the
    dossier (receivers and leaders; a handler when it is theirs or unassigned)."""
    item = get_object_or_404(JobPhoto.objects.select_related("job__dossier"), pk=pk)
    dossier = item.job.dossier
    allowed = visible_jobs(request.user).filter(pk=item.job_id).exists()
    if not allowed and is_agency_staff(request.user, dossier):
        roles = lifecycle.staff_roles(request.user, dossier)
        allowed = bool(roles & {lifecycle.RECEIVER, lifecycle.LEADER}) or dossier.assigned_to_id in (
            None, request.user.pk)
    if not allowed:
        raise Http404
    if item.scan_status == ScanStatus.INFECTED or (scanning.enabled() and item.scan_status != ScanStatus.CLEAN):
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    extension = "png" if item.kind == "png" else "jpg"
    response = FileResponse(handle, as_attachment=False, filename=f"photo-{item.pk}.{extension}",
                            content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def confirm_handover(request, pk: int):
    """The receiving agency's receiver (or leader) confirms the papers the
    post handed in; the dossier is received now. Back to the back office's
    dossier screen either way, with what happened."""
    job = get_object_or_404(HomeServiceJob.objects.select_related("dossier", "unit"), pk=pk)
    if not is_agency_staff(request.user, job.dossier):
        raise Http404
    form = ConfirmHandoverForm(request.POST, prefix="postal_confirm")
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    else:
        try:
            steps.confirm_handover(job, request.user, note=form.cleaned_data.get("note") or "")
        except steps.StepRefused as error:
            messages.error(request, error.message)
        else:
            job.dossier.refresh_from_db()
            if job.dossier.status == DossierStatus.RECEIVED and job.dossier.received_at == job.desk_confirmed_at:
                messages.success(request, _("Dossier %(code)s: papers confirmed and the dossier received; the "
                                            "processing time counts from now.") % {"code": job.dossier})
            else:
                messages.success(request, _("Dossier %(code)s: papers from the post confirmed.") % {
                    "code": job.dossier})
    return redirect(reverse("backoffice:dossier", args=[job.dossier_id]) + "#postal-title")


# ---------------------------------------------------------------- the monthly report


class ReportView(PostalMixin, TemplateView):
    """Pickups, handovers and deliveries of a month per unit, with the
    definition of "on time" on the page."""

    template_name = "postal/report.html"
    page_title = gettext_lazy("Home service: monthly report")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = report.parse_month(self.request.GET.get("month"))
        units = report.report_units(self.request.user)
        context.update(rows=report.monthly_report(units, year, month), month=f"{year:04d}-{month:02d}",
                       month_label=f"{month:02d}/{year:04d}",
                       export_query=urlencode({"month": f"{year:04d}-{month:02d}"}))
        return context


@require_safe
def report_export(request, fmt: str):
    if not may_use_postal_screens(request.user):
        raise PermissionDenied
    year, month = report.parse_month(request.GET.get("month"))
    rows = report.monthly_report(report.report_units(request.user), year, month)
    name = f"home-service-{year:04d}-{month:02d}"
    if fmt == "xlsx":
        response = HttpResponse(report.as_xlsx(rows, year, month),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(report.as_csv(rows, year, month), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
