"""Wagtail's Elasticsearch 8 backend with Vietnamese folding on both sides.

Out of the box full-text fields use the ``standard`` analyzer (no folding) and
autocomplete folds the index but searches with ``standard``, so "hộ" and "ho"
miss each other (wagtail/wagtail#13005). Here:

* the index's ``default`` analyzer (full text, ``_all_text``) lowercases and
  folds with ``asciifolding`` keeping the original token, so accented and
  unaccented queries both match and an exact accented match scores higher;
* ``default_search`` folds queries the same way;
* autocomplete's ``search_analyzer`` is ``vi_search`` (folding), matching the
  folded edge n-grams in the index.

Lucene's ASCIIFoldingFilter maps đ/Đ to d/D and every Vietnamese vowel with
one or two marks to its base letter.

Use with ``"BACKEND": "search.backends.elasticsearch8"``; ``update_index``
after any change to these settings.

The portal's search also passes a :class:`PopularityBoost` query: the text
query wrapped in a ``function_score`` that multiplies, by a bounded weight,
the score of the popular pages whose title holds every word of the query
(``search.popularity``, ``search.services.ranking``).
"""

from __future__ import annotations

from copy import deepcopy

from modelsearch.backends.elasticsearch8 import (
    Elasticsearch8AutocompleteQueryCompiler,
    Elasticsearch8Mapping,
    Elasticsearch8SearchBackend,
    Elasticsearch8SearchQueryCompiler,
    Elasticsearch8SearchResults,
)
from modelsearch.query import SearchQuery
from modelsearch.utils import deep_update

VI_ANALYSIS = {
    "filter": {
        "vi_fold_keep": {"type": "asciifolding", "preserve_original": True},
    },
    "analyzer": {
        "default": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "vi_fold_keep"]},
        "default_search": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
        "vi_search": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
        # Wagtail's own analyzers fold before lowercasing; "Đ" is folded
        # either way, but keep lowercase first like the others.
        "edgengram_analyzer": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding", "edgengram"],
        },
        "ngram_analyzer": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding", "ngram"],
        },
    },
}


class VietnameseMapping(Elasticsearch8Mapping):
    edgengram_analyzer_config = {"analyzer": "edgengram_analyzer", "search_analyzer": "vi_search"}


class PopularityBoost(SearchQuery):
    """``subquery``, with the score of page ``pk`` multiplied by
    ``weights[pk]`` when its title holds every word of one of ``phrases``."""

    def __init__(self, subquery: SearchQuery, weights: dict[int, float], phrases: list[str]):
        self.subquery = subquery
        self.weights = weights
        self.phrases = phrases

    def __repr__(self):
        return f"<PopularityBoost {self.subquery!r} ({len(self.weights)} weights)>"


WEIGHT_STEP = 0.05  # weights are rounded to steps: a handful of functions, whatever the catalogue's size


class VietnameseSearchQueryCompiler(Elasticsearch8SearchQueryCompiler):
    mapping_class = VietnameseMapping

    def get_query(self):
        if not isinstance(self.query, PopularityBoost):
            return super().get_query()
        boost = self.query
        self.query = boost.subquery
        try:
            query = super().get_query()
        finally:
            self.query = boost
        functions = self.popularity_functions(boost)
        if not functions:
            return query
        return {
            "function_score": {
                "query": query,
                "functions": functions,
                "score_mode": "max",
                "boost_mode": "multiply",
            }
        }

    def title_column(self) -> str:
        for field in self.queryset.model.get_searchable_search_fields():
            if field.field_name == "title":
                return self.mapping.get_field_column_name(field)
        return "title"

    def popularity_functions(self, boost: PopularityBoost) -> list[dict]:
        steps: dict[float, list[str]] = {}
        for pk, weight in boost.weights.items():
            rounded = round(round(weight / WEIGHT_STEP) * WEIGHT_STEP, 2)
            if rounded > 1.0:
                steps.setdefault(rounded, []).append(str(pk))
        title = self.title_column()
        named = {
            "bool": {
                "should": [{"match": {title: {"query": phrase, "operator": "and"}}} for phrase in boost.phrases],
                "minimum_should_match": 1,
            }
        }
        return [
            {"filter": {"bool": {"filter": [{"terms": {"pk": sorted(pks)}}, named]}}, "weight": weight}
            for weight, pks in sorted(steps.items())
        ]


class VietnameseAutocompleteQueryCompiler(Elasticsearch8AutocompleteQueryCompiler):
    mapping_class = VietnameseMapping


class VietnameseSearchResults(Elasticsearch8SearchResults):
    pass


class VietnameseElasticsearch8SearchBackend(Elasticsearch8SearchBackend):
    # The portal's search engine for this backend (search.services.get_engine).
    portal_engine = "elasticsearch"
    mapping_class = VietnameseMapping
    query_compiler_class = VietnameseSearchQueryCompiler
    autocomplete_query_compiler_class = VietnameseAutocompleteQueryCompiler
    results_class = VietnameseSearchResults

    def __init__(self, params):
        params = dict(params)
        # Our analysis first, then whatever the deployment adds in INDEX_SETTINGS.
        extra = params.pop("INDEX_SETTINGS", {})
        params["INDEX_SETTINGS"] = deep_update({"settings": {"analysis": deepcopy(VI_ANALYSIS)}}, deepcopy(extra))
        super().__init__(params)


SearchBackend = VietnameseElasticsearch8SearchBackend
