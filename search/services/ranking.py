"""How hits are ordered, and when none of them is worth showing.

Text relevance first: an exact procedure code is pinned; then the engine's
score × kind weight (procedures above legal documents above pages above
news), × :data:`TITLE_PHRASE_BONUS` when the name holds the whole query.
Procedures named for the query share a narrow band below the best of them
(:data:`NAMED_BAND`). Popularity (:mod:`search.popularity`) multiplies the score of a procedure
whose name holds every word of the query by at most
``1 + popularity.MAX_BOOST``: it settles near-ties between procedures that
are all named for the query, as a clerk would by handing out the form people
ask for most, and never lifts a page that only mentions the words in its body.
"""

from __future__ import annotations

from .hits import Hit
from .query import ParsedQuery

KIND_WEIGHTS = {"procedure": 3.0, "legal": 1.5, "page": 1.0, "form": 1.0, "news": 0.6}
# Procedures named for the query are near-ties: their text scores differ
# mostly by the length of the name (engines normalise by it, PostgreSQL's
# ts_rank far more than SQLite's bm25). Within that group the text score is
# kept in a narrow band below the best one, so it still orders them when
# nobody uses any, and popularity (at most ×1.5) decides when people do.
NAMED_BAND = 0.1
TITLE_PHRASE_BONUS = 3.0  # the whole query (or a synonym of it) in the name: a strong signal


def text_score(kind: str, score: float, title_phrase: bool) -> float:
    weight = KIND_WEIGHTS.get(kind, 1.0)
    if title_phrase:
        weight *= TITLE_PHRASE_BONUS
    return max(score, 0.0) * weight


def boosted(score: float, multiplier: float, title_match: bool) -> float:
    """The bounded popularity multiplier, for name matches only."""
    return score * multiplier if title_match else score


def rank(hits: list[Hit], boosts: dict[int, float], apply_popularity: bool = True) -> list[Hit]:
    """Order the hits. ``apply_popularity`` is False when the engine already
    multiplied its scores (Elasticsearch's function_score)."""
    named = [hit for hit in hits if hit.kind == "procedure" and hit.title_match]
    for hit in hits:
        hit.score = text_score(hit.kind, hit.score, hit.title_phrase)
    best_named = max((hit.score for hit in named), default=0.0)
    for hit in hits:
        eligible = hit.kind == "procedure" and hit.title_match
        hit.popularity = boosts.get(hit.pk, 1.0) if eligible else 1.0
        if eligible and best_named > 0:
            hit.score = best_named * (1 - NAMED_BAND + NAMED_BAND * hit.score / best_named)
        if apply_popularity:
            hit.score *= hit.popularity
    return sorted(hits, key=lambda h: (not h.pinned, -h.score, h.kind, h.pk))


def below_floor(hits: list[Hit], parsed: ParsedQuery) -> bool:
    """Nothing worth showing: no hit at all, or none named for the query (its title holds
    every word of the query or of a synonym), no code was matched, and the
    query has no number (document numbers live outside titles). A citizen
    who typed "tam tru" is better served by "nothing matches, did you mean…"
    than by procedures that mention the words in passing."""
    if parsed.has_digits:
        return False
    return not any(hit.pinned or hit.title_match for hit in hits)
