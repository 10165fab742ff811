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


class VietnameseSearchQueryCompiler(Elasticsearch8SearchQueryCompiler):
    mapping_class = VietnameseMapping


class VietnameseAutocompleteQueryCompiler(Elasticsearch8AutocompleteQueryCompiler):
    mapping_class = VietnameseMapping


class VietnameseSearchResults(Elasticsearch8SearchResults):
    pass


class VietnameseElasticsearch8SearchBackend(Elasticsearch8SearchBackend):
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
