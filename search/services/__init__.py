"""The portal search: one entry point, :func:`run_search`, used by the search
page, the suggestions endpoint and ``bench/search.py``.

* :mod:`.query` parses what was typed (folding, filler words, codes,
  synonyms) and the chosen facets;
* an engine matches it over the Wagtail search index: :mod:`.database`
  (SQLite's FTS5 tables directly), :mod:`.wagtail` (Wagtail's search API,
  PostgreSQL) or :mod:`.elasticsearch`;
* :mod:`.ranking` orders the hits (text relevance, then a bounded popularity
  signal from :mod:`search.popularity`) and says when none is worth showing,
  :mod:`.spelling` what to offer then;
* :mod:`.results` builds what the page shows.
"""

from __future__ import annotations

import math

from wagtail.search.backends import get_search_backend

from procedures.models import ProcedurePage

from .. import popularity, stats
from . import database
from .database import SQLiteEngine
from .elasticsearch import ElasticsearchEngine
from .hits import RESULT_LIMIT, Hit, is_public, restricted_paths
from .query import FACETS, MAX_QUERY_LENGTH, Filters, ParsedQuery, parse_query, strip_fillers
from .ranking import KIND_WEIGHTS, TITLE_PHRASE_BONUS, below_floor, rank
from .results import (
    KIND_LABELS,
    PER_PAGE,
    SUGGEST_LIMIT,
    FacetOption,
    SearchOutcome,
    best_bets,
    facet_options,
    help_context,
    load_objects,
)
from .results import suggest as _suggest
from .spelling import did_you_mean, nearest_fields
from .wagtail import WagtailEngine

__all__ = [
    "FACETS", "KIND_LABELS", "KIND_WEIGHTS", "MAX_QUERY_LENGTH", "PER_PAGE", "RESULT_LIMIT", "SUGGEST_LIMIT",
    "TITLE_PHRASE_BONUS", "ElasticsearchEngine", "FacetOption", "Filters", "Hit", "ParsedQuery", "SQLiteEngine",
    "SearchOutcome", "WagtailEngine", "best_bets", "get_engine", "help_context", "load_objects", "parse_query",
    "run_search", "strip_fillers", "suggest",
]

ENGINES = {"elasticsearch": ElasticsearchEngine}


def get_engine():
    """The engine for the configured backend: the one a backend names in its
    ``portal_engine`` attribute (the portal's Elasticsearch backend), the
    FTS5 engine for modelsearch's database backend on SQLite, else Wagtail's
    search API."""
    backend = get_search_backend()
    engine = ENGINES.get(getattr(backend, "portal_engine", ""))
    if engine is not None:
        return engine(backend)
    if database.available():
        return SQLiteEngine()
    return WagtailEngine(backend)


def code_hit(parsed: ParsedQuery, locale_id: int) -> Hit | None:
    if not parsed.code:
        return None
    row = (
        ProcedurePage.objects.live().public().filter(locale_id=locale_id, code=parsed.code)
        .values_list("pk", "title", "path", "field_id", "agency_id", "tier", "level", "usage_count").first()
    )
    if not row:
        return None
    pk, title, path, field_id, agency_id, tier, level, usage = row
    return Hit(kind="procedure", pk=pk, score=math.inf, title=title, path=path, field_id=field_id,
               agency_id=agency_id, tier=tier, level=level, usage_count=usage, pinned=True, title_phrase=True,
               title_match=True)


def run_search(raw: str | None, locale, params=None, record: bool = True) -> SearchOutcome:
    """Search the live, public content of ``locale`` for ``raw``."""
    parsed = parse_query(raw, locale.language_code)
    filters = Filters.from_params(params or {})
    outcome = SearchOutcome(query=parsed, filters=filters)
    if parsed.useless:
        return outcome
    engine = get_engine()
    restricted = restricted_paths()
    boosts = popularity.multipliers(locale.pk)
    variants = parsed.variants
    operator = "AND"
    hits, total, counts = engine.search(variants, locale.pk, operator, filters, restricted, boosts)
    if not hits and len(parsed.terms) > 1:
        outcome.relaxed = True
        if isinstance(engine, SQLiteEngine):
            # No page has every word: drop the commonest words one by one
            # ("ket hon voi nguoi nuoc ngoai" → "hon nuoc ngoai").
            terms = list(parsed.terms)
            frequency = engine.document_frequencies(terms)
            # words the index does not know go first, then the commonest
            order = sorted(range(len(terms)), key=lambda i: (frequency.get(terms[i], 0) > 0,
                                                             -frequency.get(terms[i], 0), -i))
            for drop in order[:-1]:
                terms[drop] = ""
                variants = [" ".join(t for t in terms if t), *parsed.variants[1:]]
                hits, total, counts = engine.search(variants, locale.pk, operator, filters, restricted, boosts)
                if hits:
                    break
        else:
            operator = "OR"  # the backend ranks pages that have some of the words
            hits, total, counts = engine.search(variants, locale.pk, operator, filters, restricted, boosts)

    found = code_hit(parsed, locale.pk)
    if found and filters.accepts(found) and is_public(found.path, restricted):
        before = len(hits)
        hits = [found, *[hit for hit in hits if not (hit.kind == "procedure" and hit.pk == found.pk)]]
        total += len(hits) - before

    outcome.best_bets = best_bets(parsed, locale)
    if below_floor(hits, parsed):
        outcome.nothing_matches = True
        outcome.spelling = did_you_mean(parsed.terms, locale.pk)
        words = list(dict.fromkeys(word for variant in parsed.variants for word in variant.split()))
        outcome.nearest_fields = nearest_fields(words, locale)  # a synonym may name the field
        hits, total, counts = [], 0, {}
    outcome.hits = rank(hits, boosts, apply_popularity=not engine.popularity_in_backend)
    outcome.total = total
    outcome.facets = facet_options(counts, filters, locale)
    if record:
        stats.record(parsed.raw, parsed.folded, locale.language_code, outcome.total)
    return outcome


def suggest(raw: str | None, locale) -> list[dict]:
    """Procedures whose name starts like the query, for the search box."""
    return _suggest(raw, locale, get_engine())
