"""Feedback and complaints in the Wagtail admin, under /admin/feedback/complaints/
(namespace "complaints_admin", registered in `feedback.wagtail_hooks`):

* the list, filtered by status, deadline (overdue), routing and code/title;
* one submission: its content and sender, its steps, the answer and the
  status steps (staff of its agency), routing and publication (editors);
* the list as CSV.

Every view starts from `feedback.complaints.visible_complaints(user)`:
another agency's submission is a 404, the export holds only what its
reader may see.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.exports import safe_cell

from .. import complaints as services
from ..complaint_forms import ComplaintFilterForm, PublishForm, RouteForm, StepForm

NAMESPACE = "complaints_admin"
PAGE_SIZE = 50
MENU_LABEL = gettext_lazy("Feedback and complaints")


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def filtered(user, params) -> tuple[ComplaintFilterForm, object]:
    form = ComplaintFilterForm(params or None)
    complaints = services.visible_complaints(user).select_related("agency")
    form.is_valid()  # invalid filters are reported and left out
    values = getattr(form, "cleaned_data", {})
    if values.get("status"):
        complaints = complaints.filter(status=values["status"])
    if values.get("due") == "overdue":
        complaints = complaints.overdue()
    if values.get("agency") == "none":
        complaints = complaints.unassigned()
    if values.get("q"):
        q = values["q"].strip()
        complaints = complaints.filter(Q(tracking_code__icontains=q) | Q(title__icontains=q))
    return form, complaints.order_by("-received_at", "-pk")


class ScopedMixin(WagtailAdminTemplateMixin):
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not services.has_scope(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ComplaintIndexView(ScopedMixin, TemplateView):
    template_name = "feedback/complaints/admin/index.html"
    page_title = MENU_LABEL

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, complaints = filtered(self.request.user, self.request.GET)
        page = Paginator(complaints, PAGE_SIZE).get_page(self.request.GET.get("p"))
        query = QueryDict(mutable=True)
        query.update({k: v for k, v in self.request.GET.items() if k != "p"})
        context.update(form=form, page_obj=page, query=query.urlencode(),
                       export_url=reverse(f"{NAMESPACE}:export") + (f"?{query.urlencode()}" if query else ""),
                       rows=[{"c": c, "received": _local(c.received_at), "due": _local(c.due_at)} for c in page])
        return context


class ComplaintDetailView(ScopedMixin, TemplateView):
    template_name = "feedback/complaints/admin/detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not services.has_scope(request.user):
            raise PermissionDenied
        self.complaint = get_object_or_404(
            services.visible_complaints(request.user).select_related("agency", "procedure", "dossier"),
            pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Feedback %(code)s") % {"code": self.complaint.tracking_code}

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse(f"{NAMESPACE}:index"), "label": MENU_LABEL},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        c = self.complaint
        user = self.request.user
        can_handle = services.may_handle(user, c)
        can_route = services.may_route(user)
        context.update(
            complaint=c, received=_local(c.received_at), due=_local(c.due_at), answered=_local(c.answered_at),
            events=[{"e": e, "at": _local(e.created_at)} for e in c.events.select_related("actor")],
            can_handle=can_handle, actions=services.allowed_actions(c) if can_handle else [],
            step_form=kwargs.get("step_form") or StepForm(initial={"answer": c.answer}),
            can_route=can_route and c.is_open,
            route_form=kwargs.get("route_form") or RouteForm(),
            can_publish=can_route and c.may_publish and not c.is_open,
            publish_form=kwargs.get("publish_form") or PublishForm(initial={
                "public_title": c.public_title, "public_body": c.public_body,
                "public_answer": c.public_answer or c.answer}),
        )
        return context

    def post(self, request, *args, **kwargs):
        c = self.complaint
        user = request.user
        which = request.POST.get("form")
        try:
            if which == "step":
                if not services.may_handle(user, c):
                    raise PermissionDenied
                form = StepForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(step_form=form), status=400)
                services.step(c, form.cleaned_data["action"], user, answer=form.cleaned_data["answer"],
                              note=form.cleaned_data["note"])
                messages.success(request, _("Feedback %(code)s: %(status)s.") % {
                    "code": c.tracking_code, "status": c.get_status_display()})
            elif which == "route":
                if not services.may_route(user):
                    raise PermissionDenied
                form = RouteForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(route_form=form), status=400)
                services.route(c, form.cleaned_data["agency"], user, form.cleaned_data["note"])
                messages.success(request, _("Sent to %(agency)s.") % {"agency": c.agency.name})
            elif which == "publish":
                if not services.may_route(user):
                    raise PermissionDenied
                form = PublishForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(publish_form=form), status=400)
                services.publish(c, user, title=form.cleaned_data["public_title"],
                                 body=form.cleaned_data["public_body"], answer=form.cleaned_data["public_answer"])
                messages.success(request, _("Published."))
            elif which == "unpublish":
                if not services.may_route(user):
                    raise PermissionDenied
                services.unpublish(c, user)
                messages.success(request, _("No longer published."))
            else:
                messages.error(request, _("Unknown action."))
        except services.TransitionError as error:
            messages.error(request, str(error))
            form_key = {"step": "step_form", "route": "route_form", "publish": "publish_form"}.get(which)
            if form_key and request.POST:
                bound = {"step_form": StepForm, "route_form": RouteForm, "publish_form": PublishForm}[form_key](
                    request.POST)
                bound.is_valid()
                return self.render_to_response(self.get_context_data(**{form_key: bound}), status=400)
        return redirect(f"{NAMESPACE}:detail", pk=c.pk)


EXPORT_COLUMNS = (
    (gettext_lazy("Tracking code"), lambda c: c.tracking_code),
    (gettext_lazy("Kind"), lambda c: c.get_kind_display()),
    (gettext_lazy("About"), lambda c: c.get_subject_display()),
    (gettext_lazy("Agency"), lambda c: c.agency.name if c.agency else ""),
    (gettext_lazy("Title"), lambda c: c.title),
    (gettext_lazy("Status"), lambda c: c.get_status_display()),
    (gettext_lazy("Received"), lambda c: _local(c.received_at)),
    (gettext_lazy("Answer due by"), lambda c: _local(c.due_at)),
    (gettext_lazy("Overdue"), lambda c: _("yes") if c.is_overdue else ""),
    (gettext_lazy("Answered"), lambda c: _local(c.answered_at)),
)


@require_safe
def export_csv(request):
    """The filtered list as CSV (UTF-8 with BOM for spreadsheet programs);
    only what the reader may see, and no contact details."""
    if not services.has_scope(request.user):
        raise PermissionDenied
    _form, complaints = filtered(request.user, request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="phan-anh-kien-nghi.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(label) for label, _get in EXPORT_COLUMNS])
    for complaint in complaints.iterator():
        writer.writerow([safe_cell(get(complaint)) for _label, get in EXPORT_COLUMNS])
    return response


def admin_urls():
    from django.urls import include

    patterns = [
        path("", ComplaintIndexView.as_view(), name="index"),
        path("export.csv", export_csv, name="export"),
        path("<int:pk>/", ComplaintDetailView.as_view(), name="detail"),
    ]
    return [path("feedback/complaints/", include((patterns, NAMESPACE)))]


__all__ = ["admin_urls"]
