"""The inbox listing (index, results and export share one IndexView) and
the bulk assignment form. Every query starts from
`backoffice.scope.visible_dossiers(user)`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BaseColumn, Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.log_actions import log

from accounts.masking import mask_id_number
from backoffice.scope import visible_dossiers
from core.exports import safe_cell
from eforms.models import DossierStatus

from . import due
from .filters import InboxFilterSet, search

EXPORT_LOG_ACTION = "backoffice.export_dossiers"
DOSSIER_SCREEN_URL_NAME = "backoffice:dossier"
ORDERINGS = ("appointment_at", "received_at")


def dossier_url(dossier) -> str:
    """The dossier screen (URL name `backoffice:dossier`, served at
    /admin/backoffice/dossiers/<pk>/). The path is spelled out too, so the
    inbox links to it even in a build where that screen is not installed."""
    try:
        return reverse(DOSSIER_SCREEN_URL_NAME, args=[dossier.pk])
    except NoReverseMatch:
        return f"/admin/backoffice/dossiers/{dossier.pk}/"


def _handler_name(dossier) -> str:
    user = dossier.assigned_to
    return (user.get_full_name() or user.get_username()) if user else ""


class SelectColumn(BaseColumn):
    """A checkbox per row, part of the assignment form above the table (by
    the `form` attribute), so selecting works without JavaScript."""

    cell_template_name = "backoffice/inbox/select_cell.html"


class DueColumn(Column):
    cell_template_name = "backoffice/inbox/due_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        now = timezone.now()
        end_of_today = dt.datetime.combine(
            timezone.localdate(now) + dt.timedelta(days=1), dt.time(0), tzinfo=timezone.get_current_timezone()
        )
        context["badge"] = due.badge(instance, now, end_of_today)
        context["appointment"] = timezone.localtime(instance.appointment_at) if instance.appointment_at else None
        return context


def inbox_columns():
    return [
        SelectColumn("select", label=_("Select")),
        TitleColumn("code", label=_("Code"), get_url=dossier_url),
        Column("applicant_name", label=_("Applicant")),
        Column("masked_id", label=_("ID number"), accessor=lambda d: mask_id_number(d.applicant_id_number)),
        StatusTagColumn("status", label=_("Status"), accessor="get_status_display",
                        primary=lambda d: d.status == DossierStatus.SUBMITTED),
        Column("agency", label=_("Agency"), accessor=lambda d: d.agency.name if d.agency else ""),
        Column("procedure", label=_("Procedure"), accessor=lambda d: d.procedure.title),
        Column("received_at", label=_("Received"), sort_key="received_at",
               accessor=lambda d: timezone.localtime(d.received_at).strftime("%d/%m/%Y") if d.received_at else ""),
        DueColumn("appointment_at", label=_("Due"), sort_key="appointment_at"),
        Column("handler", label=_("Handler"), accessor=_handler_name),
    ]


EXPORT_FIELDS = {
    "code": _("Code"),
    "status": _("Status"),
    "agency": _("Agency"),
    "procedure_code": _("Procedure code"),
    "procedure": _("Procedure"),
    "channel": _("Channel"),
    "applicant_name": _("Applicant"),
    "applicant_id_number": _("ID number"),
    "applicant_phone": _("Phone"),
    "submitted_at": _("Submitted"),
    "received_at": _("Received"),
    "appointment_at": _("Due"),
    "handler": _("Handler"),
}


def _local(moment):
    return timezone.make_naive(timezone.localtime(moment)).replace(microsecond=0) if moment else None


class InboxIndexView(IndexView):
    default_ordering = "appointment_at"
    filterset_class = InboxFilterSet
    export_filename = "dossiers"
    list_export = list(EXPORT_FIELDS)
    export_headings = EXPORT_FIELDS
    # The admin's ORM search would be accent-sensitive: search the folded column.
    search_fields = ["search_text"]

    def get_base_queryset(self):
        return visible_dossiers(self.request.user).select_related("agency", "procedure", "assigned_to")

    def search_queryset(self, queryset):
        return search(queryset, self.search_query) if self.is_searching else queryset

    def get_valid_orderings(self):
        return [*ORDERINGS, *(f"-{o}" for o in ORDERINGS)]

    def order_queryset(self, queryset):
        """Due date or received date, empty dates last either way."""
        name = self.ordering.lstrip("-")
        column = F(name).desc(nulls_last=True) if self.ordering.startswith("-") else F(name).asc(nulls_last=True)
        return queryset.order_by(column, "-pk")

    # ---------------------------------------------------------------- counts per status

    def status_counts(self):
        """The user's dossiers per status under every filter but the status
        one (and the search), for the row of links above the table."""
        data = self.request.GET.copy()
        data.pop("status", None)
        queryset = self.get_base_queryset()
        filters = self.filterset_class(data=data, request=self.request)
        if filters.is_valid():
            queryset = filters.filter_queryset(queryset)
        queryset = self.search_queryset(queryset)
        counted = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
        current = self.request.GET.get("status", "")
        rows = []
        for value, label in [("", _("All")), *((v, lbl) for v, lbl in DossierStatus.choices if v != "draft")]:
            params = QueryDict(mutable=True)
            params.update(data)
            params.pop("p", None)
            if value:
                params["status"] = value
            count = sum(counted.values()) if not value else counted.get(value, 0)
            rows.append({"value": value, "label": label, "count": count, "current": value == current,
                         "url": f"{self.index_url}?{params.urlencode()}"})
        return rows

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.is_export:
            context["status_counts"] = self.status_counts()
            context["assign_url"] = reverse("dossiers:assign")
        return context

    # ---------------------------------------------------------------- export

    def to_row_dict(self, item):
        return {
            "code": item.code,
            "status": item.get_status_display(),
            "agency": item.agency.name if item.agency else "",
            "procedure_code": item.procedure.code,
            "procedure": item.procedure.title,
            "channel": item.get_channel_display(),
            "applicant_name": item.applicant_name,
            # Whole: staff need it to find the person; the export itself is audited.
            "applicant_id_number": item.applicant_id_number,
            "applicant_phone": item.applicant_phone,
            "submitted_at": _local(item.submitted_at),
            "received_at": _local(item.received_at),
            "appointment_at": _local(item.appointment_at),
            "handler": _handler_name(item),
        }

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))

    def render_to_response(self, context, **response_kwargs):
        if self.is_export:
            query = self.request.GET.copy()
            query.pop("export", None)
            log(instance=self.request.user, action=EXPORT_LOG_ACTION, user=self.request.user,
                data={"format": self.request.GET.get("export"), "query": query.urlencode(),
                      "rows": context["object_list"].count()})
        return super().render_to_response(context, **response_kwargs)
