"""One match before its object is loaded, and the small rules every engine
applies to it the same way (kind, visibility, where the words are)."""

from __future__ import annotations

from dataclasses import dataclass

from core.text import fold
from home.models import NewsPage, StandardPage
from procedures.models import LegalDocumentPage, ProcedurePage

from .. import cache

RESULT_LIMIT = 500
KIND_FOR_MODEL = {ProcedurePage: "procedure", LegalDocumentPage: "legal", StandardPage: "page", NewsPage: "news"}
MODEL_FOR_KIND = {kind: model for model, kind in KIND_FOR_MODEL.items()}


@dataclass(slots=True)
class Hit:
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
    title_match: bool = False  # the title holds every word of the query (or of a variant)
    popularity: float = 1.0  # the bounded multiplier of search.popularity, already in score when applied
    obj: object = None  # the specific page or document, loaded for the shown page only
    procedure: object = None  # for form templates, loaded with obj
    url: str = ""  # set with obj
    procedure_url: str = ""  # set with procedure


def restricted_paths() -> list[str]:
    return cache.restricted_paths()


def is_public(path: str, restricted: list[str]) -> bool:
    return not any(path.startswith(prefix) for prefix in restricted)


def title_has_phrase(title: str, variants: list[str]) -> bool:
    folded = f" {fold(title)} "
    return any(f" {variant} " in folded for variant in variants if variant)


def title_has_terms(title: str, variants: list[str]) -> bool:
    words = set(fold(title).split())
    return any(variant and set(variant.split()) <= words for variant in variants)
