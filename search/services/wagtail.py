"""The engine on Wagtail's search API: PostgreSQL's database backend (and
any other backend Wagtail supports); :mod:`.elasticsearch` extends it."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.search.query import Or, PlainText

from procedures.models import ProcedureComponent, ProcedurePage

from .hits import KIND_FOR_MODEL, RESULT_LIMIT, Hit, is_public, title_has_phrase, title_has_terms
from .query import FACETS, Filters


class WagtailEngine:
    popularity_in_backend = False  # run_search multiplies the scores

    def __init__(self, backend):
        self.backend = backend

    @staticmethod
    def wagtail_query(variants: list[str], operator: str = "and"):
        queries = [PlainText(variant, operator=operator) for variant in variants if variant]
        return queries[0] if len(queries) == 1 else Or(queries)

    def page_query(self, variants: list[str], operator: str, boosts: dict[int, float]):
        """The query for the result search (:mod:`.elasticsearch` adds popularity)."""
        return self.wagtail_query(variants, operator)

    def _procedure_qs(self, locale_id, filters: Filters | None = None, skip: str = ""):
        qs = ProcedurePage.objects.live().public().filter(locale_id=locale_id)
        if filters:
            if filters.field and skip != "field":
                qs = qs.filter(field_id__in=filters.field_ids)
            if filters.agency and skip != "agency":
                qs = qs.filter(agency_id__in=filters.agency_ids)
            if filters.tier and skip != "tier":
                qs = qs.filter(tier=filters.tier)
            if filters.level and skip != "level":
                qs = qs.filter(level=filters.level)
        return qs

    def hits(self, variants, locale_id, operator="AND", filters: Filters | None = None, boosts=None) -> list[Hit]:
        query = self.page_query(variants, operator.lower(), boosts or {})
        hits: list[Hit] = []
        if filters and filters.active:
            results = self._procedure_qs(locale_id, filters).search(query)
        else:
            pages = Page.objects.live().public().filter(locale_id=locale_id).type(*KIND_FOR_MODEL)
            results = pages.search(query)
        results = results.annotate_score("_score")[:RESULT_LIMIT]
        page_list = list(results)
        ct_kind = {ContentType.objects.get_for_model(model).pk: kind for model, kind in KIND_FOR_MODEL.items()}
        meta = {
            row[0]: row[1:]
            for row in ProcedurePage.objects.filter(pk__in=[p.pk for p in page_list]).values_list(
                "pk", "field_id", "agency_id", "tier", "level", "usage_count"
            )
        }
        for page in page_list:
            kind = "procedure" if page.pk in meta else ct_kind.get(page.content_type_id, "page")
            hit = Hit(kind=kind, pk=page.pk, score=float(page._score or 0), title=page.title, path=page.path,
                      title_phrase=title_has_phrase(page.title, variants),
                      title_match=title_has_terms(page.title, variants))
            if page.pk in meta:
                hit.field_id, hit.agency_id, hit.tier, hit.level, hit.usage_count = meta[page.pk]
            hits.append(hit)
        if not (filters and filters.active):
            hits.extend(self.form_hits(variants, locale_id, operator))
        return hits

    def form_hits(self, variants, locale_id, operator) -> list[Hit]:
        components = ProcedureComponent.objects.filter(
            form_template__isnull=False, page__live=True, page__locale_id=locale_id
        )
        doc_to_page = dict(components.values_list("form_template_id", "page_id"))
        if not doc_to_page:
            return []
        documents = get_document_model().objects.filter(pk__in=list(doc_to_page))
        query = self.wagtail_query(variants, operator.lower())
        return [
            Hit(kind="form", pk=doc.pk, score=float(doc._score or 0), title=doc.title,
                procedure_id=doc_to_page.get(doc.pk), title_phrase=title_has_phrase(doc.title, variants),
                title_match=title_has_terms(doc.title, variants))
            for doc in documents.search(query).annotate_score("_score")[:50]
        ]

    def search(self, variants, locale_id, operator, filters: Filters, restricted: list[str], boosts=None):
        """(hits, their number, facet counts), like SQLiteEngine.search."""
        hits = [hit for hit in self.hits(variants, locale_id, operator, filters, boosts)
                if is_public(hit.path, restricted)]
        hits = [hit for hit in hits if filters.accepts(hit)]
        counts = self.facet_counts(variants, locale_id, filters, operator) if hits else {}
        return hits, len(hits), counts

    def facet_counts(self, variants, locale_id, filters: Filters, operator="AND") -> dict[str, dict]:
        """Exact counts from the backend (aggregations on Elasticsearch),
        each facet with the other facets' filters applied."""
        query = self.wagtail_query(variants, operator.lower())
        counts = {}
        for name in FACETS:
            results = self._procedure_qs(locale_id, filters, skip=name).search(query)
            attname = {"field": "field_id", "agency": "agency_id"}.get(name, name)
            counts[name] = {key: value for key, value in results.facet(attname).items() if key is not None}
        return counts

    def suggest(self, folded: str, locale_id: int, limit: int) -> list[int]:
        qs = self._procedure_qs(locale_id)
        return [page.pk for page in qs.autocomplete(folded)[:limit]]
