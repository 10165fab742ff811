"""What the search page shows: the outcome, facet options, best bets, the
loaded objects of the shown page, suggestions and the help lists."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.documents import get_document_model

from core.text import fold
from procedures.models import Field, ProcedureIndexPage, ProcedurePage, ServiceLevel

from .. import cache
from .hits import MODEL_FOR_KIND, Hit, is_public, restricted_paths
from .query import MAX_QUERY_LENGTH, Filters, ParsedQuery, tier_labels, tier_values

PER_PAGE = 10
SUGGEST_LIMIT = 8
KIND_LABELS = {
    "procedure": _("Procedure"),
    "legal": _("Legal document"),
    "page": _("Guidance"),
    "news": _("News"),
    "form": _("Form template"),
}


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchOutcome:
    query: ParsedQuery
    filters: Filters
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetOption]] = field(default_factory=dict)
    best_bets: list = field(default_factory=list)
    relaxed: bool = False  # the full query found nothing; fewer words were searched
    total: int = 0  # every match; `hits` holds the best RESULT_LIMIT of them
    # Below the relevance floor: nothing is named for the query. The weak
    # matches are dropped; the page offers a spelling and the nearest fields.
    nothing_matches: bool = False
    spelling: str = ""
    nearest_fields: list[dict] = field(default_factory=list)

    @property
    def help_needed(self) -> bool:
        return self.query.useless


def best_bets(parsed: ParsedQuery, locale) -> list:
    """Editors' promoted results (wagtail.contrib.search_promotions) for the
    query as typed or folded, in the current language."""
    keys = {parsed.folded, parsed.cleaned} - {""}
    # Few rows: editors add a handful of best bets; compare folded, so "so do"
    # finds the promotion made for "sổ đỏ". Only matching ones are loaded.
    wanted = [pk for pk, query in cache.promotion_queries() if fold(query) in keys]
    if not wanted:
        return []
    promotions = SearchPromotion.objects.filter(pk__in=wanted).select_related("page").order_by("sort_order", "pk")
    out = []
    for promotion in promotions:
        if promotion.page_id:
            page = promotion.page
            translated = page.get_translation_or_none(locale) if page.locale_id != locale.pk else page
            if translated is None or not translated.live:
                continue
            out.append({"title": translated.title, "url": translated.url, "description": promotion.description})
        elif promotion.external_link_url:
            out.append({"title": promotion.external_link_text or promotion.external_link_url,
                        "url": promotion.external_link_url, "description": promotion.description})
    return out


def facet_options(counts: dict[str, dict], filters: Filters, locale) -> dict[str, list[FacetOption]]:
    options: dict[str, list[FacetOption]] = {}
    for name, selected in (("field", filters.field), ("agency", filters.agency)):
        if not counts.get(name):
            continue
        known = cache.fresh_labels(locale.pk, name, counts[name])[name]
        merged: dict[str, int] = {}
        names = {}
        for pk, n in counts[name].items():
            if pk not in known:
                continue
            code, label = known[pk]
            merged[code] = merged.get(code, 0) + n
            names[code] = label
        options[name] = sorted(
            (FacetOption(code, names[code], n, code == selected) for code, n in merged.items()),
            key=lambda o: (-o.count, o.label),
        )
    if counts.get("tier"):
        labels = tier_labels()
        options["tier"] = [
            FacetOption(value, labels[value], counts["tier"][value], value == filters.tier)
            for value in tier_values() if counts["tier"].get(value)
        ]
    if counts.get("level"):
        labels = dict(ServiceLevel.choices)
        options["level"] = [
            FacetOption(str(value), str(labels[value]), counts["level"][value], value == filters.level)
            for value in ServiceLevel.values if counts["level"].get(value)
        ]
    return options


# What a result shows, per kind: only these columns are loaded.
RESULT_COLUMNS = {
    "procedure": ("id", "title", "url_path", "code", "agency_id", "level", "processing_time", "processing_unit"),
    "legal": ("id", "title", "url_path", "number", "issuer", "signed_date", "status", "summary"),
    "news": ("id", "title", "url_path", "date", "summary"),
    "page": ("id", "title", "url_path", "summary", "search_description"),
}


def load_objects(hits: list[Hit], locale) -> None:
    """Attach the specific objects of the shown page to their hits, with
    their URLs (``hit.url``, and ``hit.procedure_url`` for a form template's
    procedure): one query per kind for the columns a result shows, the form
    templates' procedures in the same query as the procedures, agency names
    from :mod:`search.cache`. Nothing is left to load while rendering."""
    by_kind: dict[str, set[int]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, set()).add(hit.pk)
        if hit.kind == "form" and hit.procedure_id:
            by_kind.setdefault("procedure", set()).add(hit.procedure_id)
    loaded: dict[tuple[str, int], object] = {}
    for kind, pks in by_kind.items():
        if kind == "form":
            qs = get_document_model().objects.filter(pk__in=pks).only("id", "title", "file")
        else:
            qs = MODEL_FOR_KIND[kind].objects.filter(pk__in=pks).only(*RESULT_COLUMNS[kind])
        loaded.update({(kind, obj.pk): obj for obj in qs})
    procedures = [obj for (kind, _pk), obj in loaded.items() if kind == "procedure"]
    if procedures:
        names = cache.fresh_labels(locale.pk, "agency_tk", [p.agency_id for p in procedures])["agency_tk"]
        for procedure in procedures:
            procedure.agency_name = names.get(procedure.agency_id, "")
    for hit in hits:
        hit.obj = loaded.get((hit.kind, hit.pk))
        if hit.obj is None:
            continue
        hit.url = hit.obj.url  # the site root paths come from Wagtail's cache (Site.get_site_root_paths)
        if hit.kind == "form":
            hit.procedure = loaded.get(("procedure", hit.procedure_id))
            hit.procedure_url = hit.procedure.url if hit.procedure else ""
    hits[:] = [hit for hit in hits if hit.obj is not None]


def suggest(raw: str | None, locale, engine) -> list[dict]:
    """Procedures whose name starts like the query, for the search box."""
    folded = fold(raw)[:MAX_QUERY_LENGTH]
    if len(folded.replace(" ", "")) < 2:
        return []
    pks = engine.suggest(folded, locale.pk, SUGGEST_LIMIT)
    pages = {p.pk: p for p in ProcedurePage.objects.filter(pk__in=pks).only("id", "title", "code", "path")}
    restricted = restricted_paths()
    out = []
    for pk in pks:
        page = pages.get(pk)
        if page and is_public(page.path, restricted):
            out.append({"title": page.title, "code": page.code, "url": page.permalink()})
    return out


def help_context(locale) -> dict:
    """What an empty or useless query shows: the most used procedures and the
    fields (linked to the catalogue when there is one), from the cache."""

    def build_popular():
        return [
            {"title": p.title, "code": p.code, "permalink": p.permalink()}
            for p in ProcedurePage.objects.live().public().filter(locale=locale).order_by("-usage_count", "title")
            .only("id", "title", "code")[:8]
        ]

    def build_fields():
        catalogue = ProcedureIndexPage.objects.live().filter(locale=locale).first()
        return [
            {"name": item.name, "url": catalogue.field_url(item) if catalogue else f"?field={item.code}"}
            for item in Field.objects.filter(locale=locale).order_by("name")
        ]

    suffix = f"{locale.pk}.{get_language()}"
    return {
        "popular": cache.cached(f"popular.{suffix}", build_popular, cache.POPULAR_TIMEOUT),
        "fields": cache.cached(f"fields.{suffix}", build_fields),
    }
