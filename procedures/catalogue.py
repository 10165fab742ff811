"""Faceted filtering of the procedure catalogue and the legal document index.

Filters are plain GET parameters (they work without JavaScript and can be
bookmarked). Each option shows how many results choosing it would give,
counted with every *other* selected filter applied, so a visitor never picks
an option that leads to an empty list. Unknown values are ignored rather than
turning the page into an error: a stale bookmark still lands on a catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Locale

from core.text import sort_key

from .models.agencies import Agency, Field
from .models.choices import PROCEDURE_TIER_CHOICES, LegalDocumentStatus, LegalDocumentType, ServiceKind, Tier

# ---------------------------------------------------------------- facets

@dataclass
class Facet:
    name: str                     # the GET parameter
    label: str
    key: str                      # the `values()` key counted for each option
    lookup: str                   # the filter lookup a selected value applies
    options: Callable[[], list[tuple[str, str]]]  # (value, label) in display order
    cast: Callable[[str], object] = str


class FacetedFilter:
    facets: list[Facet] = []
    sorts: dict[str, str] = {}
    default_sort = ""

    def __init__(self, queryset, params: QueryDict, fixed: dict[str, str] | None = None):
        self.base = queryset
        self.params = params
        self.fixed = fixed or {}
        self._options = {facet.name: facet.options() for facet in self.facets}
        self.selected: dict[str, str] = {}
        for facet in self.facets:
            value = self.fixed.get(facet.name, params.get(facet.name, ""))
            value = (value or "").strip()
            if value and value in {v for v, _label in self._options[facet.name]}:
                self.selected[facet.name] = value
        sort = params.get("sort", "")
        self.sort = sort if sort in self.sorts else self.default_sort

    def annotate(self, queryset):
        return queryset

    def filtered(self, exclude: str | None = None):
        queryset = self.annotate(self.base)
        for facet in self.facets:
            if facet.name != exclude and facet.name in self.selected:
                queryset = queryset.filter(**{facet.lookup: facet.cast(self.selected[facet.name])})
        return queryset

    def counts(self, facet: Facet) -> dict[str, int]:
        rows = self.filtered(exclude=facet.name).order_by().values(facet.key).annotate(n=Count("pk", distinct=True))
        return {str(row[facet.key]): row["n"] for row in rows if row[facet.key] is not None}

    def facet_context(self) -> list[dict]:
        result = []
        for facet in self.facets:
            if facet.name in self.fixed:
                continue
            counts = self.counts(facet)
            selected = self.selected.get(facet.name, "")
            options = [
                {"value": value, "label": label, "count": counts.get(value, 0), "selected": value == selected}
                for value, label in self._options[facet.name]
                if counts.get(value, 0) or value == selected
            ]
            result.append({"name": facet.name, "label": facet.label, "options": options, "selected": selected})
        return result

    def active_filters(self) -> list[dict]:
        """The chosen filters, each with the address that removes it."""
        active = []
        for facet in self.facets:
            if facet.name in self.selected and facet.name not in self.fixed:
                labels = dict(self._options[facet.name])
                params = self.query_params()
                params.pop(facet.name, None)
                active.append({
                    "label": facet.label,
                    "value": labels.get(self.selected[facet.name], self.selected[facet.name]),
                    "remove_query": params.urlencode(),
                })
        return active

    def query_params(self) -> QueryDict:
        """The selection as GET parameters (without the page number)."""
        params = QueryDict(mutable=True)
        for name, value in self.selected.items():
            if name not in self.fixed:
                params[name] = value
        if self.sort != self.default_sort:
            params["sort"] = self.sort
        return params

    def ordered_ids(self, queryset) -> list[int]:
        """The ids of the results in display order (subclasses sort)."""
        return list(queryset.values_list("pk", flat=True))

    def context(self, per_page: int = 20) -> dict:
        queryset = self.filtered()
        ids = self.ordered_ids(queryset)
        page_obj = Paginator(ids, per_page).get_page(self.params.get("page"))
        objects = {obj.pk: obj for obj in self.fetch(page_obj.object_list)}
        page_obj.object_list = [objects[pk] for pk in page_obj.object_list if pk in objects]
        return {
            "page_obj": page_obj,
            "results": page_obj.object_list,
            "result_count": len(ids),
            "facets": self.facet_context(),
            "active_filters": self.active_filters(),
            "selected": self.selected,
            "sort": self.sort,
            "sort_options": [{"value": k, "label": v, "selected": k == self.sort} for k, v in self.sorts.items()],
            "query_string": self.query_params().urlencode(),
            "filtered": bool(set(self.selected) - set(self.fixed)),
        }

    def fetch(self, ids: list[int]):
        return self.base.model.objects.filter(pk__in=ids)


# ---------------------------------------------------------------- procedures

def field_options() -> list[tuple[str, str]]:
    """(code, name) of every field, in dictionary order of the names."""
    return _localized_options(Field, "code", order=lambda f: sort_key(f.name))


def _agency_options() -> list[tuple[str, str]]:
    tier_order = {tier: i for i, tier in enumerate(Tier.values)}
    return _localized_options(Agency, "unit_code", order=lambda a: (tier_order.get(a.tier, 9), sort_key(a.name)))


def _localized_options(model, key: str, order) -> list[tuple[str, str]]:
    """(key, name) of every object, named in the active language where a
    translation exists, else in the language it was written in."""
    active = Locale.get_active()
    chosen = {}
    for obj in model.objects.select_related("locale").order_by("pk"):
        value = getattr(obj, key)
        if value not in chosen or obj.locale_id == active.pk:
            chosen[value] = obj
    return [(value, obj.name) for value, obj in sorted(chosen.items(), key=lambda item: order(item[1]))]


def _tier_options() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in PROCEDURE_TIER_CHOICES]


def _level_options() -> list[tuple[str, str]]:
    kinds = {3: ServiceKind.PARTIAL.label, 4: ServiceKind.FULL.label}
    options = []
    for level in range(1, 5):
        label = str(_("Level %(level)s") % {"level": level})
        if level in kinds:
            label = f"{label} – {kinds[level]}"
        options.append((str(level), label))
    return options


class ProcedureFilter(FacetedFilter):
    facets = [
        Facet("field", _("Field"), "field__code", "field__code", field_options),
        Facet("agency", _("Agency"), "agency__unit_code", "agency__unit_code", _agency_options),
        Facet("tier", _("Tier"), "tier", "tier", _tier_options),
        Facet("level", _("Online service level"), "level", "level", _level_options, cast=int),
    ]
    sorts = {"name": _("Name (A–Z)"), "popular": _("Most used")}
    default_sort = "name"

    def ordered_ids(self, queryset) -> list[int]:
        rows = list(queryset.order_by().values_list("pk", "title", "usage_count"))
        if self.sort == "popular":
            rows.sort(key=lambda r: (-r[2], sort_key(r[1])))
        else:
            rows.sort(key=lambda r: sort_key(r[1]))
        return [r[0] for r in rows]

    def fetch(self, ids: list[int]):
        field_names = dict(self._options["field"])
        agency_names = dict(self._options["agency"])
        objects = list(self.base.model.objects.filter(pk__in=ids).select_related("field", "agency"))
        for obj in objects:
            obj.field_label = field_names.get(obj.field.code, obj.field.name)
            obj.agency_label = agency_names.get(obj.agency.unit_code, obj.agency.name)
        return objects


# ---------------------------------------------------------------- legal documents

class LegalDocumentFilter(FacetedFilter):
    sorts = {"newest": _("Newest first"), "oldest": _("Oldest first")}
    default_sort = "newest"

    def __init__(self, queryset, params, fixed=None):
        base = queryset

        def issuers():
            values = {i for i in base.order_by().values_list("issuer", flat=True).distinct() if i}
            return [(v, v) for v in sorted(values, key=sort_key)]

        def years():
            values = base.order_by().annotate(year=ExtractYear("signed_date")).values_list("year", flat=True).distinct()
            return [(str(y), str(y)) for y in sorted({v for v in values if v}, reverse=True)]

        self.facets = [
            Facet("type", _("Type"), "doc_type", "doc_type", lambda: [(v, str(lbl)) for v, lbl in LegalDocumentType.choices]),
            Facet("issuer", _("Issuing body"), "issuer", "issuer", issuers),
            Facet("year", _("Year signed"), "year", "year", years, cast=int),
            Facet("status", pgettext_lazy("legal document", "Status"), "status", "status",
                  lambda: [(v, str(lbl)) for v, lbl in LegalDocumentStatus.choices]),
        ]
        super().__init__(queryset, params, fixed)

    def annotate(self, queryset):
        return queryset.annotate(year=ExtractYear("signed_date"))

    def ordered_ids(self, queryset) -> list[int]:
        order = ["signed_date", "pk"] if self.sort == "oldest" else ["-signed_date", "-pk"]
        return list(queryset.order_by(*order).values_list("pk", flat=True))
