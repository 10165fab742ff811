"""The inbox's filters (a WagtailFilterSet: the admin's filter drawer, and
plain GET parameters without JavaScript) and its folded search."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.models import Locale

from core.text import tokens
from eforms.models import Channel, Dossier, DossierStatus
from procedures.models import Field, ProcedurePage

from .due import OVERDUE, SOON, TODAY, due_condition

STATUS_CHOICES = [(value, label) for value, label in DossierStatus.choices if value != DossierStatus.DRAFT]
MINE, UNASSIGNED = "me", "unassigned"


def search(queryset: QuerySet[Dossier], query: str) -> QuerySet[Dossier]:
    """Every folded word of the query must appear in the folded column
    (code, name, ID number): "nguyen van an" finds "Nguyễn Văn An"."""
    for word in tokens(query)[:8]:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def _default_locale_procedures():
    return ProcedurePage.objects.filter(locale=Locale.get_default()).order_by("code")


def _default_locale_fields():
    return Field.objects.filter(locale=Locale.get_default()).order_by("name")


class InboxFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES)
    procedure = django_filters.ModelChoiceFilter(
        label=_("Procedure"), queryset=lambda request: _default_locale_procedures(), method="filter_procedure"
    )
    field = django_filters.ModelChoiceFilter(
        label=_("Field"), queryset=lambda request: _default_locale_fields(), method="filter_field"
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    received = django_filters.DateFromToRangeFilter(
        label=_("Received between"), field_name="received_at", widget=DateRangePickerWidget
    )
    due = django_filters.ChoiceFilter(
        label=_("Due"), method="filter_due",
        choices=[(OVERDUE, _("Overdue")), (TODAY, _("Due today")), (SOON, _("Due within 2 working days"))],
    )
    assigned = django_filters.ChoiceFilter(
        label=_("Handler"), method="filter_assigned",
        choices=[(MINE, _("Assigned to me")), (UNASSIGNED, _("Unassigned"))],
    )
    # One handler's dossiers, from the dashboard's per-handler counts (a
    # number in the address; the scope still applies).
    handler = django_filters.NumberFilter(field_name="assigned_to_id", label=_("Handler (number)"),
                                          widget=django_filters.widgets.forms.HiddenInput)

    class Meta:
        model = Dossier
        fields = []

    def filter_procedure(self, queryset, name, value):
        # Dossiers point at the default locale's page; match every copy anyway.
        return queryset.filter(procedure__translation_key=value.translation_key)

    def filter_field(self, queryset, name, value):
        return queryset.filter(procedure__field__translation_key=value.translation_key)

    def filter_due(self, queryset, name, value):
        return queryset.filter(due_condition(value))

    def filter_assigned(self, queryset, name, value):
        if value == MINE:
            return queryset.filter(assigned_to=self.request.user)
        return queryset.filter(assigned_to__isnull=True)
