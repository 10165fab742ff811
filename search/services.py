"""The portal search: query parsing, matching, ranking, facets, best bets.

One entry point, :func:`run_search`, used by the search page, the
suggestions endpoint and ``bench/search.py``. Matching goes through one of two
engines over the same Wagtail search index:

* :class:`SQLiteEngine`, the embedded default, reads the FTS5 table Wagtail's
  database backend fills (``update_index``) in one SQL statement per kind,
  with column weights (title over body). Wagtail's own SQLite query ranks with
  a correlated subquery that re-runs the match for every hit, far too slow for
  10,000 procedures.
* :class:`WagtailEngine` uses Wagtail's search API (PostgreSQL, Elasticsearch).

Both get the same folded, synonym-expanded query; ranking rules on top are
the same: an exact procedure code first, then score × kind weight (procedures
above legal documents above pages above news), with a bonus when the name
contains the whole query.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.translation import gettext_lazy as _

from core.text import fold

from . import cache, stats, synonyms

MAX_QUERY_LENGTH = 200
RESULT_LIMIT = 500
PER_PAGE = 10
SUGGEST_LIMIT = 8
CODE_RE = re.compile(r"^\d{1,2}\.\d{6}$")

# Words that carry no meaning in a citizen's query ("làm sổ đỏ như thế nào").
# Accented forms are unambiguous; without diacritics only whole phrases are
# dropped, because single words are often real ones ("lam" is also the
# "lâm" of "lâm nghiệp", "thu" the "thu" of "thu hồi").
FILLERS_ACCENTED = frozenset(
    "làm thủ tục cách thế nào như ở đâu cần gì xin muốn tôi mình hỏi về cho để của và các những "
    "sao được không".split()
)
FILLER_PHRASES = ("nhu the nao", "lam the nao", "lam sao", "the nao", "thu tuc", "o dau", "can gi", "xin hoi")
FILLERS_EN = frozenset("how to do i can get a an the of for apply procedure procedures what where".split())

KIND_WEIGHTS = {"procedure": 3.0, "legal": 1.5, "page": 1.0, "form": 1.0, "news": 0.6}
TITLE_PHRASE_BONUS = 3.0  # the whole query (or a synonym of it) in the name: a strong signal
KIND_LABELS = {
    "procedure": _("Procedure"),
    "legal": _("Legal document"),
    "page": _("Guidance"),
    "news": _("News"),
    "form": _("Form template"),
}


# ---------------------------------------------------------------- query


@dataclass
class ParsedQuery:
    raw: str
    folded: str  # the whole query, folded (statistics, best bets)
    cleaned: str  # without filler words: what is searched
    code: str | None
    variants: list[str]  # cleaned, then its synonym variants

    @property
    def terms(self) -> list[str]:
        return self.cleaned.split()

    @property
    def useless(self) -> bool:
        """Nothing to search for: empty, one letter, or only filler words."""
        return len(self.cleaned.replace(" ", "")) < 2


def strip_fillers(raw: str, language: str = "vi") -> str:
    """The folded query without the filler words of :data:`FILLERS_ACCENTED`
    and :data:`FILLER_PHRASES` (and English ones on the English site)."""
    kept = []
    for word in raw.lower().split():
        bare = word.strip(",.;:!?()\"'")
        if bare in FILLERS_ACCENTED and not bare.isascii():
            continue
        if language == "en" and bare in FILLERS_EN:
            continue
        kept.append(word)
    folded = f" {fold(' '.join(kept))} "
    for phrase in FILLER_PHRASES:
        folded = folded.replace(f" {phrase} ", " ")
    return " ".join(folded.split())


def parse_query(raw: str | None, language: str = "vi") -> ParsedQuery:
    raw = " ".join((raw or "").split())[:MAX_QUERY_LENGTH]
    folded = fold(raw)
    cleaned = strip_fillers(raw, language) or ""
    code = next((term for term in folded.split() if CODE_RE.match(term)), None)
    variants = synonyms.expand(cleaned) if cleaned else []
    return ParsedQuery(raw=raw, folded=folded, cleaned=cleaned, code=code, variants=variants)


# ---------------------------------------------------------------- filters


FACETS = ("field", "agency", "tier", "level")


@dataclass
class Filters:
    """Procedure facets chosen in the GET parameters, validated: unknown
    values are dropped rather than failing the page."""

    field: str = ""
    agency: str = ""
    tier: str = ""
    level: int | None = None
    field_ids: frozenset = frozenset()
    agency_ids: frozenset = frozenset()

    @classmethod
    def from_params(cls, params) -> Filters:
        from procedures.models import Agency, Field, Tier

        filters = cls()
        code = (params.get("field") or "").strip()[:64]
        if code:
            ids = frozenset(Field.objects.filter(code=code).values_list("id", flat=True))
            if ids:
                filters.field, filters.field_ids = code, ids
        unit = (params.get("agency") or "").strip()[:40]
        if unit:
            ids = frozenset(Agency.objects.filter(unit_code=unit).values_list("id", flat=True))
            if ids:
                filters.agency, filters.agency_ids = unit, ids
        tier = (params.get("tier") or "").strip()
        if tier in Tier.values:
            filters.tier = tier
        level = (params.get("level") or "").strip()
        if level in {"1", "2", "3", "4"}:
            filters.level = int(level)
        return filters

    @property
    def active(self) -> bool:
        return bool(self.field or self.agency or self.tier or self.level)

    def failures(self, field_id, agency_id, tier, level) -> list[str]:
        """The facets whose chosen value this procedure does not have."""
        failed = []
        if self.field and field_id not in self.field_ids:
            failed.append("field")
        if self.agency and agency_id not in self.agency_ids:
            failed.append("agency")
        if self.tier and tier != self.tier:
            failed.append("tier")
        if self.level and level != self.level:
            failed.append("level")
        return failed

    def accepts(self, hit: Hit, skip: str = "") -> bool:
        if hit.kind != "procedure":
            return not self.active
        if self.field and skip != "field" and hit.field_id not in self.field_ids:
            return False
        if self.agency and skip != "agency" and hit.agency_id not in self.agency_ids:
            return False
        if self.tier and skip != "tier" and hit.tier != self.tier:
            return False
        return not (self.level and skip != "level" and hit.level != self.level)

    def as_params(self) -> dict[str, str]:
        params = {"field": self.field, "agency": self.agency, "tier": self.tier, "level": self.level or ""}
        return {key: str(value) for key, value in params.items() if value}


# ---------------------------------------------------------------- hits


@dataclass(slots=True)
class Hit:
    """One match before its object is loaded."""

    kind: str
    pk: int
    score: float
    title: str = ""
    path: str = ""
    field_id: int | None = None
    agency_id: int | None = None
    tier: str = ""
    level: int | None = None
    usage_count: int = 0
    procedure_id: int | None = None  # for form templates: the procedure they belong to
    pinned: bool = False
    title_phrase: bool = False  # the title holds the whole query (or a synonym variant)
    obj: object = None  # the specific page or document, loaded for the shown page only
    procedure: object = None  # for form templates, loaded with obj
    url: str = ""  # set with obj
    procedure_url: str = ""  # set with procedure


def _kind_for_models():
    from home.models import NewsPage, StandardPage
    from procedures.models import LegalDocumentPage, ProcedurePage

    return {ProcedurePage: "procedure", LegalDocumentPage: "legal", StandardPage: "page", NewsPage: "news"}


def _restricted_paths() -> list[str]:
    return cache.restricted_paths()


def _is_public(path: str, restricted: list[str]) -> bool:
    return not any(path.startswith(prefix) for prefix in restricted)


class SQLiteEngine:
    """Direct FTS5 queries on Wagtail's SQLite index tables."""

    # bm25 column weights in the table's column order: autocomplete, body, title
    WEIGHTS = "0.0, 1.0, 8.0"

    def __init__(self):
        from modelsearch.conf import get_app_config

        app_config = get_app_config()
        self.fts = app_config.get_model("SQLiteFTSIndexEntry")._meta.db_table
        self.entries = app_config.get_model("IndexEntry")._meta.db_table

    @staticmethod
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

    def page_rows(self, variants, locale_id, operator="AND") -> list[tuple]:
        """(entry id, kind, page id, bm25, path, field, agency, tier, level,
        usage) of every live page of the locale that matches."""
        kinds = {ContentType.objects.get_for_model(model).pk: kind for model, kind in _kind_for_models().items()}
        match = self.fts_query(variants, operator)
        if not match:
            return []
        placeholders = ", ".join(["%s"] * len(kinds))
        facets_index = "INDEXED BY search_procedure_facets" if self.has_facet_index() else ""
        sql = f"""
            SELECT e.id, e.content_type_id, p.id, bm25({self.fts}, {self.WEIGHTS}), p.path,
                   pp.field_id, pp.agency_id, pp.tier, pp.level, pp.usage_count
            FROM {self.fts}
            JOIN {self.entries} e ON e.id = {self.fts}.rowid
            JOIN wagtailcore_page p ON p.id = CAST(e.object_id AS INTEGER)
            LEFT JOIN procedures_procedurepage pp {facets_index} ON pp.page_ptr_id = p.id
            WHERE {self.fts} MATCH %s
              AND e.content_type_id IN ({placeholders})
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
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'search_procedure_facets'")
            return cursor.fetchone() is not None

    def search(self, variants, locale_id, operator, filters: Filters, restricted: list[str]):
        """(the best RESULT_LIMIT hits, the number of matches, facet counts).

        Every match is counted and faceted, but Hit objects are made only for
        the best ones: broad queries match thousands of procedures."""
        rows = self.page_rows(variants, locale_id, operator)
        if restricted:
            rows = [row for row in rows if _is_public(row[4], restricted)]
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
                forms = [hit for hit in forms if _is_public(hit.path, restricted)]
        in_title = self.title_phrase_ids(variants) if accepted else set()

        def prelim(row):
            weight = KIND_WEIGHTS[row[1]] * (TITLE_PHRASE_BONUS if row[0] in in_title else 1.0)
            return -row[3] * weight * (1.0 + 0.05 * math.log1p(row[9] or 0))

        best = heapq.nlargest(RESULT_LIMIT, accepted, key=prelim)
        hits = [
            Hit(kind, pk, -rank, "", path, field_id, agency_id, tier or "", level, usage or 0,
                title_phrase=entry in in_title)
            for entry, kind, pk, rank, path, field_id, agency_id, tier, level, usage in best
        ]
        return hits + forms, len(accepted) + len(forms), counts

    def title_phrase_ids(self, variants) -> set[int]:
        """Index entries whose title holds one of the variants as a phrase."""
        phrases = [f'"{variant}"' for variant in variants if variant]
        if not phrases:
            return set()
        match = "{title} : (" + " OR ".join(phrases) + ")"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {self.fts} WHERE {self.fts} MATCH %s", [match])
            return {row[0] for row in cursor.fetchall()}

    def document_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many index entries hold each term (the fts5vocab table of
        migration 0003); empty when it is missing."""
        if not terms:
            return {}
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT term, doc FROM search_fts_vocab WHERE term IN ({', '.join(['%s'] * len(terms))})", terms
                )
                return dict(cursor.fetchall())
        except Exception:  # noqa: BLE001 - an optional helper table; relax by order instead
            return {}

    def form_hits(self, variants, locale_id, operator="AND") -> list[Hit]:
        from wagtail.documents import get_document_model

        match = self.fts_query(variants, operator, columns="title")
        if not match:
            return []
        ct = ContentType.objects.get_for_model(get_document_model()).pk
        table = get_document_model()._meta.db_table
        sql = f"""
            SELECT d.id, bm25({self.fts}, {self.WEIGHTS}), d.title, c.page_id, p.path
            FROM {self.fts}
            JOIN {self.entries} e ON e.id = {self.fts}.rowid
            JOIN {table} d ON d.id = CAST(e.object_id AS INTEGER)
            JOIN procedures_procedurecomponent c ON c.form_template_id = d.id
            JOIN wagtailcore_page p ON p.id = c.page_id
            WHERE {self.fts} MATCH %s AND e.content_type_id = %s
              AND p.live AND p.locale_id = %s
            ORDER BY d.id, c.page_id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, ct, locale_id])
            rows = cursor.fetchall()
        hits: dict[int, Hit] = {}
        for pk, rank, title, proc, path in rows:  # a template used by several procedures: keep the first
            hits.setdefault(pk, Hit(kind="form", pk=pk, score=-rank, title=title, procedure_id=proc, path=path,
                                    title_phrase=_title_has(title, variants)))
        return list(hits.values())

    def suggest(self, folded: str, locale_id: int, limit: int) -> list[int]:
        from procedures.models import ProcedurePage

        match = self.fts_query([folded], prefix_last=True, columns="title")
        if not match:
            return []
        ct = ContentType.objects.get_for_model(ProcedurePage).pk
        sql = f"""
            SELECT p.id FROM {self.fts}
            JOIN {self.entries} e ON e.id = {self.fts}.rowid
            JOIN wagtailcore_page p ON p.id = CAST(e.object_id AS INTEGER)
            JOIN procedures_procedurepage pp ON pp.page_ptr_id = p.id
            WHERE {self.fts} MATCH %s AND e.content_type_id = %s
              AND p.live AND p.locale_id = %s
            ORDER BY bm25({self.fts}, 0.0, 0.0, 1.0) - 0.1 * pp.usage_count / (pp.usage_count + 10.0)
            LIMIT %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, ct, locale_id, limit])
            return [row[0] for row in cursor.fetchall()]


class WagtailEngine:
    """Wagtail's search API: PostgreSQL's database backend, Elasticsearch."""

    def __init__(self, backend):
        self.backend = backend

    @staticmethod
    def wagtail_query(variants: list[str], operator: str = "and"):
        from wagtail.search.query import Or, PlainText

        queries = [PlainText(variant, operator=operator) for variant in variants if variant]
        return queries[0] if len(queries) == 1 else Or(queries)

    def _procedure_qs(self, locale_id, filters: Filters | None = None, skip: str = ""):
        from procedures.models import ProcedurePage

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

    def hits(self, variants, locale_id, operator="AND", filters: Filters | None = None) -> list[Hit]:
        from wagtail.documents import get_document_model
        from wagtail.models import Page

        from procedures.models import ProcedureComponent, ProcedurePage

        query = self.wagtail_query(variants, operator.lower())
        kinds = _kind_for_models()
        hits: list[Hit] = []
        if filters and filters.active:
            results = self._procedure_qs(locale_id, filters).search(query)
        else:
            pages = Page.objects.live().public().filter(locale_id=locale_id).type(*kinds)
            results = pages.search(query)
        results = results.annotate_score("_score")[:RESULT_LIMIT]
        page_list = list(results)
        ct_kind = {ContentType.objects.get_for_model(model).pk: kind for model, kind in kinds.items()}
        meta = {
            row[0]: row[1:]
            for row in ProcedurePage.objects.filter(pk__in=[p.pk for p in page_list]).values_list(
                "pk", "field_id", "agency_id", "tier", "level", "usage_count"
            )
        }
        for page in page_list:
            kind = "procedure" if page.pk in meta else ct_kind.get(page.content_type_id, "page")
            hit = Hit(kind=kind, pk=page.pk, score=float(page._score or 0), title=page.title, path=page.path,
                      title_phrase=_title_has(page.title, variants))
            if page.pk in meta:
                hit.field_id, hit.agency_id, hit.tier, hit.level, hit.usage_count = meta[page.pk]
            hits.append(hit)
        if not (filters and filters.active):
            components = ProcedureComponent.objects.filter(
                form_template__isnull=False, page__live=True, page__locale_id=locale_id
            )
            doc_to_page = dict(components.values_list("form_template_id", "page_id"))
            if doc_to_page:
                documents = get_document_model().objects.filter(pk__in=list(doc_to_page))
                for doc in documents.search(query).annotate_score("_score")[:50]:
                    hits.append(Hit(kind="form", pk=doc.pk, score=float(doc._score or 0), title=doc.title,
                                    procedure_id=doc_to_page.get(doc.pk), title_phrase=_title_has(doc.title, variants)))
        return hits

    def search(self, variants, locale_id, operator, filters: Filters, restricted: list[str]):
        """(hits, their number, facet counts), like SQLiteEngine.search."""
        hits = [hit for hit in self.hits(variants, locale_id, operator, filters) if _is_public(hit.path, restricted)]
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


def _title_has(title: str, variants: list[str]) -> bool:
    folded = f" {fold(title)} "
    return any(f" {variant} " in folded for variant in variants if variant)


def get_engine():
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    if type(backend).__name__ == "SQLiteSearchBackend":
        return SQLiteEngine()
    return WagtailEngine(backend)


# ---------------------------------------------------------------- outcome


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

    @property
    def help_needed(self) -> bool:
        return self.query.useless

    total: int = 0  # every match; `hits` holds the best RESULT_LIMIT of them


def _rank(hits: list[Hit], parsed: ParsedQuery) -> list[Hit]:
    for hit in hits:
        weight = KIND_WEIGHTS.get(hit.kind, 1.0)
        if hit.title_phrase:
            weight *= TITLE_PHRASE_BONUS
        if hit.usage_count:
            weight *= 1.0 + 0.05 * math.log1p(hit.usage_count)
        hit.score = max(hit.score, 0.0) * weight
    return sorted(hits, key=lambda h: (not h.pinned, -h.score, h.kind, h.pk))


def _code_hit(parsed: ParsedQuery, locale_id: int) -> Hit | None:
    from procedures.models import ProcedurePage

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
               agency_id=agency_id, tier=tier, level=level, usage_count=usage, pinned=True, title_phrase=True)


def best_bets(parsed: ParsedQuery, locale) -> list:
    """Editors' promoted results (wagtail.contrib.search_promotions) for the
    query as typed or folded, in the current language."""
    from wagtail.contrib.search_promotions.models import SearchPromotion

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


def run_search(raw: str | None, locale, params=None, record: bool = True) -> SearchOutcome:
    """Search the live, public content of ``locale`` for ``raw``."""
    parsed = parse_query(raw, locale.language_code)
    filters = Filters.from_params(params or {})
    outcome = SearchOutcome(query=parsed, filters=filters)
    if parsed.useless:
        return outcome
    engine = get_engine()
    restricted = _restricted_paths()
    variants = parsed.variants
    operator = "AND"
    hits, total, counts = engine.search(variants, locale.pk, operator, filters, restricted)
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
                hits, total, counts = engine.search(variants, locale.pk, operator, filters, restricted)
                if hits:
                    break
        else:
            operator = "OR"  # the backend ranks pages that have some of the words
            hits, total, counts = engine.search(variants, locale.pk, operator, filters, restricted)

    code_hit = _code_hit(parsed, locale.pk)
    if code_hit and filters.accepts(code_hit) and _is_public(code_hit.path, restricted):
        before = len(hits)
        hits = [code_hit, *[hit for hit in hits if not (hit.kind == "procedure" and hit.pk == code_hit.pk)]]
        total += len(hits) - before

    outcome.hits = _rank(hits, parsed)
    outcome.total = total
    outcome.facets = _facet_options(counts, filters, locale)
    outcome.best_bets = best_bets(parsed, locale)
    if record:
        stats.record(parsed.raw, parsed.folded, locale.language_code, outcome.total)
    return outcome


def _facet_options(counts: dict[str, dict], filters: Filters, locale) -> dict[str, list[FacetOption]]:
    from procedures.models import ServiceLevel, Tier

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
        labels = dict(Tier.choices)
        options["tier"] = [
            FacetOption(value, str(labels[value]), counts["tier"][value], value == filters.tier)
            for value in Tier.values if counts["tier"].get(value)
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
    from wagtail.documents import get_document_model
    from wagtail.models import Site

    models = {kind: model for model, kind in _kind_for_models().items()}
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
            qs = models[kind].objects.filter(pk__in=pks).only(*RESULT_COLUMNS[kind])
        loaded.update({(kind, obj.pk): obj for obj in qs})
    root_paths = Site.get_site_root_paths()  # from the cache; one lookup for every URL below
    procedures = [obj for (kind, _pk), obj in loaded.items() if kind == "procedure"]
    if procedures:
        names = cache.fresh_labels(locale.pk, "agency_tk", [p.agency_id for p in procedures])["agency_tk"]
        for procedure in procedures:
            procedure.agency_name = names.get(procedure.agency_id, "")
    for obj in loaded.values():
        if hasattr(obj, "url_path"):
            obj._wagtail_cached_site_root_paths = root_paths
    for hit in hits:
        hit.obj = loaded.get((hit.kind, hit.pk))
        if hit.obj is None:
            continue
        hit.url = hit.obj.url
        if hit.kind == "form":
            hit.procedure = loaded.get(("procedure", hit.procedure_id))
            hit.procedure_url = hit.procedure.url if hit.procedure else ""
    hits[:] = [hit for hit in hits if hit.obj is not None]


def suggest(raw: str | None, locale) -> list[dict]:
    """Procedures whose name starts like the query, for the search box."""
    from procedures.models import ProcedurePage

    folded = fold(raw)[:MAX_QUERY_LENGTH]
    if len(folded.replace(" ", "")) < 2:
        return []
    pks = get_engine().suggest(folded, locale.pk, SUGGEST_LIMIT)
    pages = {p.pk: p for p in ProcedurePage.objects.filter(pk__in=pks).only("id", "title", "code", "path")}
    restricted = _restricted_paths()
    out = []
    for pk in pks:
        page = pages.get(pk)
        if page and _is_public(page.path, restricted):
            out.append({"title": page.title, "code": page.code, "url": page.permalink()})
    return out


def help_context(locale) -> dict:
    """What an empty or useless query shows: the most used procedures and the
    fields (linked to the catalogue when there is one), from the cache."""
    from django.utils.translation import get_language

    def build_popular():
        from procedures.models import ProcedurePage

        return [
            {"title": p.title, "code": p.code, "permalink": p.permalink()}
            for p in ProcedurePage.objects.live().public().filter(locale=locale).order_by("-usage_count", "title")
            .only("id", "title", "code")[:8]
        ]

    def build_fields():
        from procedures.models import Field, ProcedureIndexPage

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
