"""Ratings in the Wagtail admin, under /admin/feedback/ratings/ (namespace
"ratings_admin"): the list of ratings of the staff member's agencies'
dossiers with this period's satisfaction figures, and the same as CSV.
Every view starts from `feedback.ratings.visible_ratings(user)`."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.urls import include, path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.exports import safe_cell

from .. import ratings as services

NAMESPACE = "ratings_admin"
PAGE_SIZE = 50


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", gettext_lazy("The end comes on or after the start."))
        return cleaned


def _period(params) -> tuple[PeriodForm, dt.date, dt.date]:
    form = PeriodForm(params or None)
    today = timezone.localdate()
    start, end = today.replace(day=1), today
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
        if end < start:
            start = end
    return form, start, end


def _in_period(user, start, end):
    tz = timezone.get_current_timezone()
    return (services.visible_ratings(user).select_related("dossier", "agency")
            .filter(created_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
                    created_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)))


class RatingIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "feedback/ratings/admin/index.html"
    page_title = gettext_lazy("Ratings")
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not services.has_scope(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form, start, end = _period(self.request.GET)
        ratings = _in_period(user, start, end)
        page = Paginator(ratings.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(self.request.GET.get("p"))
        agency_ids = None if user.is_superuser else list(
            services.visible_ratings(user).values_list("agency_id", flat=True).distinct())
        figures = services.satisfaction(start, end, agency_ids)
        query = QueryDict(mutable=True)
        query.update({k: v for k, v in self.request.GET.items() if k != "p"})
        context.update(form=form, page_obj=page, start=start, end=end, figures=figures, query=query.urlencode(),
                       questions=[(services.QUESTION_LABELS[q], figures["questions"][q]) for q in services.QUESTIONS])
        return context


@require_safe
def export_csv(request):
    if not services.has_scope(request.user):
        raise PermissionDenied
    _form, start, end = _period(request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="danh-gia-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(gettext_lazy("Dossier code")), str(gettext_lazy("Agency")),
                     *(str(services.QUESTION_LABELS[q]) for q in services.QUESTIONS), str(gettext_lazy("Comment")),
                     str(gettext_lazy("Rated at"))])
    for rating in _in_period(request.user, start, end).order_by("created_at", "pk").iterator():
        writer.writerow([safe_cell(value) for value in (
            rating.dossier.code, rating.agency.name if rating.agency else "", rating.timeliness, rating.attitude,
            rating.ease, rating.comment, timezone.localtime(rating.created_at).strftime("%d/%m/%Y %H:%M"))])
    return response


def admin_urls():
    patterns = [
        path("", RatingIndexView.as_view(), name="index"),
        path("export.csv", export_csv, name="export"),
    ]
    return [path("feedback/ratings/", include((patterns, NAMESPACE)))]
