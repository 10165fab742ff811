"""What to offer when nothing matches: a spelling from the folded words of
the procedure names, fields and synonym groups, and the nearest fields."""

from __future__ import annotations

import difflib

from core.text import fold
from procedures.models import Field, ProcedureIndexPage, ProcedurePage

from .. import cache, synonyms

MIN_WORD = 3  # shorter words are left as typed: too many neighbours
CUTOFF = 0.75
MAX_FIELDS = 4


def vocabulary(locale_id: int) -> tuple[frozenset, tuple]:
    """(the folded words of the locale's procedure names, field names and
    synonym terms; (code, name, folded name) of its fields)."""

    def build():
        words = set()
        names = ProcedurePage.objects.live().filter(locale_id=locale_id).values_list("title", flat=True)
        for name in names.iterator():
            words.update(fold(name).split())
        fields = [(code, name, fold(name)) for code, name in
                  Field.objects.filter(locale_id=locale_id).order_by("name").values_list("code", "name")]
        for _code, _name, folded in fields:
            words.update(folded.split())
        return frozenset(words), tuple(fields)

    words, fields = cache.cached(f"vocabulary.{locale_id}", build)
    for group in synonyms.groups():
        for term in group:
            words = words | set(term)
    return words, fields


def did_you_mean(terms: list[str], locale_id: int) -> str:
    """The query with each unknown word replaced by the closest known one;
    empty when nothing changed."""
    words, _fields = vocabulary(locale_id)
    corrected = []
    for term in terms:
        if term in words or len(term) < MIN_WORD or term.isdigit():
            corrected.append(term)
            continue
        close = difflib.get_close_matches(term, words, n=1, cutoff=CUTOFF)
        corrected.append(close[0] if close else term)
    return " ".join(corrected) if corrected != terms else ""


def nearest_fields(terms: list[str], locale) -> list[dict]:
    """Fields sharing a word (or nearly) with the query, closest first,
    linked to the catalogue's field page."""
    _words, fields = vocabulary(locale.pk)
    if not terms:
        return []
    scored = []
    for code, name, folded in fields:
        field_words = folded.split()
        shared = sum(1 for term in terms if len(term) >= 2 and (
            term in field_words or difflib.get_close_matches(term, field_words, n=1, cutoff=CUTOFF)))
        if shared:
            ratio = difflib.SequenceMatcher(None, " ".join(terms), folded).ratio()
            scored.append((-shared, -ratio, name, code))
    scored.sort()
    catalogue = ProcedureIndexPage.objects.live().filter(locale=locale).first()
    out = []
    for _shared, _ratio, name, code in scored[:MAX_FIELDS]:
        url = catalogue.field_url(code) if catalogue else f"?field={code}"
        out.append({"name": name, "url": url})
    return out
