"""Vietnamese text rules every app shares: folding (search, import, look-up),
slugs and dictionary order.

Citizens often type without diacritics ("dang ky khai sinh"). SQLite FTS5's
``remove_diacritics`` skips letters with two marks (ộ, ấ, ự) and never folds
``đ``; Python's NFKD does not fold ``đ`` either. ``anyascii`` (a Wagtail
dependency) folds every Vietnamese letter, so both the index and the query go
through :func:`fold`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii
from django.utils.text import slugify

# Words: letters/digits, with inner dots kept so that procedure codes such as
# 1.001193 or agency codes 000.00.10.H30 stay one token for our own matching.
_TOKEN_RE = re.compile(r"[0-9a-z]+(?:\.[0-9a-z]+)*")


# anyascii is exact but slow (~100 µs a title); the Latin letters Vietnamese
# uses go through one str.translate table built from it, and anyascii only
# sees what is left.
_LATIN = {
    cp: anyascii(chr(cp))
    for block in (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))
    for cp in block
}
_LATIN.update(dict.fromkeys(range(768, 880), ""))  # combining marks (decomposed input)
_LATIN.update({0x2013: "-", 0x2014: "-", 0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x00A0: " "})


def to_ascii(text: str) -> str:
    text = text.translate(_LATIN)
    return text if text.isascii() else anyascii(text)


def fold(text: str | None) -> str:
    """Lowercase ASCII form of ``text``: every Vietnamese letter folded
    (``Đăng ký`` → ``dang ky``), punctuation turned into spaces, digits and
    the dots inside codes kept (``1.001193``), whitespace collapsed."""
    if not text:
        return ""
    return " ".join(_TOKEN_RE.findall(to_ascii(str(text)).lower()))


def tokens(text: str | None) -> list[str]:
    """The folded words of ``text``."""
    return fold(text).split()


def flatten(value) -> str:
    """Text of a value a search field returns: strings, StreamField's list of
    strings, dicts, numbers."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(flatten(item) for item in value.values())
    if isinstance(value, Iterable):
        return " ".join(flatten(item) for item in value)
    return str(value)


def with_folded(value) -> str:
    """The original text followed by its folded form when that differs.

    Keeping the original lets accented queries that bypass our own folding
    (the Wagtail admin's search) still match; the folded copy serves every
    query typed without diacritics."""
    text = flatten(value).strip()
    folded = fold(text)
    if not text or folded == text.lower():
        return text
    return f"{text} {folded}"


def to_slug(text: str | None) -> str:
    """The address slug of a Vietnamese name: folded to ASCII first, since
    Django's ``slugify`` drops ``đ`` and every letter with two marks
    (``Đăng ký`` → ``dang-ky``, not ``ang-ky``)."""
    return slugify(to_ascii(text or ""))


# ---------------------------------------------------------------- Vietnamese order

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_ORDER = {letter: i for i, letter in enumerate(_ALPHABET)}
# không dấu, huyền, hỏi, ngã, sắc, nặng: the dictionary order of tones
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def sort_key(text: str | None) -> tuple:
    """A key that sorts Vietnamese words as a dictionary does: letters in the
    Vietnamese alphabet (d before đ before e, a ă â), then tones. Databases
    sort by code point, which puts "Đăng ký" after "Z"."""
    letters, tones = [], []
    for char in (text or "").lower():
        tone = 0
        kept = ""
        for part in unicodedata.normalize("NFD", char):
            if part in _TONES:
                tone = _TONES[part]
            else:
                kept += part
        base = unicodedata.normalize("NFC", kept)
        letters.append((0, _ORDER[base]) if base in _ORDER else (1, ord(base[0]) if base else 0))
        tones.append(tone)
    return (letters, tones)
