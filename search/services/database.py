"""The embedded engine: direct FTS5 queries on the SQLite tables that
modelsearch (Wagtail's database backend) fills with ``update_index``.

Wagtail's own SQLite query ranks with a correlated subquery that re-runs the
match for every hit, far too slow for 10,000 procedures; here one statement
per kind reads every match with column weights (title over body).

This module is the only place that writes SQL against modelsearch's tables.
Their names come from modelsearch's models (``IndexEntry``,
``SQLiteFTSIndexEntry``) and the FTS columns' order from the table itself;
:func:`fts_layout` refuses, with a message naming what changed, when an
upgrade moves what this relies on (``tests/search/test_index_layout.py``
trips on it).
"""

from __future__ import annotations

import functools
import heapq
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection
from modelsearch.conf import get_app_config
from wagtail.documents import get_document_model
from wagtail.models import Page

from procedures.models import ProcedureComponent, ProcedurePage

from .hits import KIND_FOR_MODEL, RESULT_LIMIT, Hit, is_public, title_has_phrase, title_has_terms
from .query import FACETS, Filters
from .ranking import boosted, text_score

# bm25 weight of each FTS column, by name (the order is read from the table).
COLUMN_WEIGHTS = {"autocomplete": 0.0, "body": 1.0, "title": 8.0}
TITLE_ONLY = {"autocomplete": 0.0, "body": 0.0, "title": 1.0}
# Configured backends that are modelsearch's database backend.
DATABASE_BACKENDS = frozenset({"wagtail.search.backends.database", "modelsearch.backends.database"})
PAGES = Page._meta.db_table
PROCEDURES = ProcedurePage._meta.db_table
VOCABULARY_TABLE = "search_fts_vocab"  # migration 0003
FACET_INDEX = "search_procedure_facets"  # migration 0004


class SearchIndexLayoutError(RuntimeError):
    """modelsearch's SQLite index no longer looks as this engine expects."""


@dataclass(frozen=True)
class FtsLayout:
    fts: str  # the FTS5 table
    entries: str  # IndexEntry's table
    content_type: str  # IndexEntry's content type column
    object_id: str  # IndexEntry's object id column
    columns: tuple[str, ...]  # the FTS5 columns, in the table's order

    def weights(self, by_name: dict[str, float]) -> str:
        return ", ".join(str(by_name[column]) for column in self.columns)


def check_columns(table: str, columns: tuple[str, ...]) -> None:
    if set(columns) != set(COLUMN_WEIGHTS):
        raise SearchIndexLayoutError(
            f"The full-text table {table} has the columns {list(columns)}, but search.services.database "
            f"weighs {sorted(COLUMN_WEIGHTS)}. modelsearch changed its SQLite index: update COLUMN_WEIGHTS "
            "and the queries in search/services/database.py, or switch the portal to Wagtail's search API."
        )


@functools.cache
def fts_layout() -> FtsLayout:
    """Table and column names from modelsearch's models, the FTS column order
    from the table; raises :class:`SearchIndexLayoutError` when they moved."""
    app_config = get_app_config()
    try:
        entry_model = app_config.get_model("IndexEntry")
        fts_model = app_config.get_model("SQLiteFTSIndexEntry")
        content_type = entry_model._meta.get_field("content_type").column
        object_id = entry_model._meta.get_field("object_id").column
        rowid = fts_model._meta.get_field("index_entry").column
    except LookupError as error:
        raise SearchIndexLayoutError(
            f"modelsearch's index models changed ({error}); search/services/database.py reads "
            "IndexEntry.content_type, IndexEntry.object_id and SQLiteFTSIndexEntry.index_entry (the rowid)."
        ) from error
    if rowid != "rowid":
        raise SearchIndexLayoutError(
            f"SQLiteFTSIndexEntry no longer joins IndexEntry on the FTS rowid (column {rowid!r}); "
            "update the joins in search/services/database.py."
        )
    fts = fts_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {fts} LIMIT 0")
        columns = tuple(column[0] for column in cursor.description)
    check_columns(fts, columns)
    return FtsLayout(fts, entry_model._meta.db_table, content_type, object_id, columns)


def available() -> bool:
    """The configured backend is modelsearch's database backend on SQLite
    with its FTS5 table (otherwise it falls back to plain lookups)."""
    backend = settings.WAGTAILSEARCH_BACKENDS.get("default", {}).get("BACKEND", "")
    if backend not in DATABASE_BACKENDS or connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        table = get_app_config().get_model("IndexEntry")._meta.db_table + "_fts"
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [table])
        return cursor.fetchone() is not None


def fts_query(variants: list[str], operator: str = "AND", prefix_last: bool = False,
              columns: str = "title body") -> str:
    """``{title body} : ("dang" AND "ky") OR ...``. Every term is quoted,
    so FTS5 syntax in user input (quotes stripped by folding) is inert."""
    parts = []
    for variant in variants:
        terms = [f'"{term}"' for term in variant.split()]
        if not terms:
            continue
        if prefix_last:
            terms[-1] += "*"
        parts.append("(" + f" {operator} ".join(terms) + ")")
    if not parts:
        return ""
    return "{" + columns + "} : (" + " OR ".join(parts) + ")"


class SQLiteEngine:
    """Direct FTS5 queries on modelsearch's SQLite index tables."""

    popularity_in_backend = False  # run_search multiplies the scores

    def __init__(self):
        self.layout = fts_layout()
        self.fts = self.layout.fts
        self.entries = self.layout.entries

    def _join(self, alias: str = "e") -> str:
        return f"JOIN {self.entries} {alias} ON {alias}.id = {self.fts}.rowid"

    def page_rows(self, variants, locale_id, operator="AND") -> list[tuple]:
        """(entry id, kind, page id, bm25, path, field, agency, tier, level,
        usage) of every live page of the locale that matches."""
        kinds = {ContentType.objects.get_for_model(model).pk: kind for model, kind in KIND_FOR_MODEL.items()}
        match = fts_query(variants, operator)
        if not match:
            return []
        layout = self.layout
        placeholders = ", ".join(["%s"] * len(kinds))
        facets_index = f"INDEXED BY {FACET_INDEX}" if self.has_facet_index() else ""
        sql = f"""
            SELECT e.id, e.{layout.content_type}, p.id, bm25({self.fts}, {layout.weights(COLUMN_WEIGHTS)}), p.path,
                   pp.field_id, pp.agency_id, pp.tier, pp.level, pp.usage_count
            FROM {self.fts}
            {self._join()}
            JOIN {PAGES} p ON p.id = CAST(e.{layout.object_id} AS INTEGER)
            LEFT JOIN {PROCEDURES} pp {facets_index} ON pp.page_ptr_id = p.id
            WHERE {self.fts} MATCH %s
              AND e.{layout.content_type} IN ({placeholders})
              AND p.live AND p.locale_id = %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, *kinds.keys(), locale_id])
            return [(row[0], kinds[row[1]], *row[2:]) for row in cursor.fetchall()]

    @staticmethod
    def has_facet_index() -> bool:
        """Whether the covering index of migration 0004 is there (a table
        rebuilt by a later migration loses it)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = %s", [FACET_INDEX])
            return cursor.fetchone() is not None

    def search(self, variants, locale_id, operator, filters: Filters, restricted: list[str], boosts=None):
        """(the best RESULT_LIMIT hits, the number of matches, facet counts).

        Every match is counted and faceted, but Hit objects are made only for
        the best ones: broad queries match thousands of procedures."""
        boosts = boosts or {}
        rows = self.page_rows(variants, locale_id, operator)
        if restricted:
            rows = [row for row in rows if is_public(row[4], restricted)]
        procedures = [row for row in rows if row[1] == "procedure"]
        counts = {name: Counter() for name in FACETS}
        positions = {"field": 5, "agency": 6, "tier": 7, "level": 8}
        if filters.active:
            accepted = []
            for row in procedures:
                failed = filters.failures(row[5], row[6], row[7], row[8])
                if not failed:
                    accepted.append(row)
                    for name, position in positions.items():
                        counts[name][row[position]] += 1
                elif len(failed) == 1:  # each facet counts without its own filter
                    counts[failed[0]][row[positions[failed[0]]]] += 1
            forms = []
        else:
            accepted = rows
            for name, position in positions.items():
                counts[name] = Counter(row[position] for row in procedures)
            forms = self.form_hits(variants, locale_id, operator)
            if restricted:
                forms = [hit for hit in forms if is_public(hit.path, restricted)]
        in_title = self.title_entry_ids(variants, phrase=True) if accepted else set()
        all_in_title = self.title_entry_ids(variants, phrase=False) if accepted else set()

        def prelim(row):
            score = text_score(row[1], -row[3], row[0] in in_title)
            return boosted(score, boosts.get(row[2], 1.0), row[0] in all_in_title)

        best = heapq.nlargest(RESULT_LIMIT, accepted, key=prelim)
        hits = [
            Hit(kind, pk, -rank, "", path, field_id, agency_id, tier or "", level, usage or 0,
                title_phrase=entry in in_title, title_match=entry in all_in_title)
            for entry, kind, pk, rank, path, field_id, agency_id, tier, level, usage in best
        ]
        return hits + forms, len(accepted) + len(forms), counts

    def title_entry_ids(self, variants, phrase: bool) -> set[int]:
        """Index entries whose title holds one of the variants, as a phrase
        or as every one of its words."""
        if phrase:
            parts = [f'"{variant}"' for variant in variants if variant]
        else:
            parts = ["(" + " AND ".join(f'"{term}"' for term in variant.split()) + ")"
                     for variant in variants if variant.split()]
        if not parts:
            return set()
        match = "{title} : (" + " OR ".join(parts) + ")"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {self.fts} WHERE {self.fts} MATCH %s", [match])
            return {row[0] for row in cursor.fetchall()}

    def title_phrase_ids(self, variants) -> set[int]:
        return self.title_entry_ids(variants, phrase=True)

    def document_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many index entries hold each term (the fts5vocab table of
        migration 0003); empty when it is missing."""
        if not terms:
            return {}
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT term, doc FROM {VOCABULARY_TABLE} WHERE term IN ({', '.join(['%s'] * len(terms))})",
                    terms,
                )
                return dict(cursor.fetchall())
        except DatabaseError:  # an optional helper table; relax by order instead
            return {}

    def form_hits(self, variants, locale_id, operator="AND") -> list[Hit]:
        match = fts_query(variants, operator, columns="title")
        if not match:
            return []
        document_model = get_document_model()
        ct = ContentType.objects.get_for_model(document_model).pk
        table = document_model._meta.db_table
        components = ProcedureComponent._meta.db_table
        layout = self.layout
        sql = f"""
            SELECT d.id, bm25({self.fts}, {layout.weights(COLUMN_WEIGHTS)}), d.title, c.page_id, p.path
            FROM {self.fts}
            {self._join()}
            JOIN {table} d ON d.id = CAST(e.{layout.object_id} AS INTEGER)
            JOIN {components} c ON c.form_template_id = d.id
            JOIN {PAGES} p ON p.id = c.page_id
            WHERE {self.fts} MATCH %s AND e.{layout.content_type} = %s
              AND p.live AND p.locale_id = %s
            ORDER BY d.id, c.page_id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, ct, locale_id])
            rows = cursor.fetchall()
        hits: dict[int, Hit] = {}
        for pk, rank, title, proc, path in rows:  # a template used by several procedures: keep the first
            hits.setdefault(pk, Hit(kind="form", pk=pk, score=-rank, title=title, procedure_id=proc, path=path,
                                    title_phrase=title_has_phrase(title, variants),
                                    title_match=title_has_terms(title, variants)))
        return list(hits.values())

    def suggest(self, folded: str, locale_id: int, limit: int) -> list[int]:
        match = fts_query([folded], prefix_last=True, columns="title")
        if not match:
            return []
        ct = ContentType.objects.get_for_model(ProcedurePage).pk
        layout = self.layout
        sql = f"""
            SELECT p.id FROM {self.fts}
            {self._join()}
            JOIN {PAGES} p ON p.id = CAST(e.{layout.object_id} AS INTEGER)
            JOIN {PROCEDURES} pp ON pp.page_ptr_id = p.id
            WHERE {self.fts} MATCH %s AND e.{layout.content_type} = %s
              AND p.live AND p.locale_id = %s
            ORDER BY bm25({self.fts}, {layout.weights(TITLE_ONLY)}) - 0.1 * pp.usage_count / (pp.usage_count + 10.0)
            LIMIT %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, ct, locale_id, limit])
            return [row[0] for row in cursor.fetchall()]
