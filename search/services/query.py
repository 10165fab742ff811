"""What the citizen typed, made searchable: folding, filler words, procedure
codes, synonym variants; and the procedure facets chosen in the address."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import fold
from procedures.models import Agency, Field, ProcedurePage, ServiceLevel

from .. import synonyms

MAX_QUERY_LENGTH = 200
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

FACETS = ("field", "agency", "tier", "level")


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

    @property
    def has_digits(self) -> bool:
        """Codes, document numbers and years name a thing exactly: no
        relevance floor for them (the number may be in a field, not a title)."""
        return any(character.isdigit() for character in self.cleaned)


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


def tier_values() -> list[str]:
    """The procedure tiers, read from the model field (whatever enum backs it)."""
    return [value for value, _label in ProcedurePage._meta.get_field("tier").choices]


def tier_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ProcedurePage._meta.get_field("tier").choices}


LEVEL_VALUES = frozenset(str(value) for value in ServiceLevel.values)


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
        if tier in tier_values():
            filters.tier = tier
        level = (params.get("level") or "").strip()
        if level in LEVEL_VALUES:
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

    def accepts(self, hit, skip: str = "") -> bool:
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
