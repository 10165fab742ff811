"""Administrative units for addresses: province → commune (no district since
1 July 2025, DESIGN.md). Profiles keep codes; names come from a JSON list
shipped in `accounts/data/administrative_units.json`: the complete two-tier
map, 34 provinces and 3,321 communes, wards and special zones.
`PORTAL_ADMINISTRATIVE_UNITS_FILE` may point at a newer official list of the
same shape, without a code change."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from anyascii import anyascii
from django.conf import settings

DEFAULT_FILE = Path(__file__).parent / "data" / "administrative_units.json"


@cache
def _load() -> dict:
    path = Path(settings.PORTAL_ADMINISTRATIVE_UNITS_FILE or DEFAULT_FILE)
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return {
        "provinces": {row["code"]: row["name"] for row in data["provinces"]},
        "communes": {row["code"]: row for row in data["communes"]},
    }


def _sort_key(item: tuple[str, str]) -> str:
    """Alphabetical as Vietnamese readers expect: by the proper name, not the
    "Tỉnh"/"Thành phố"/"Xã"/"Phường" prefix, with Đ beside D."""
    name = re.sub(r"^(Thành phố|Tỉnh|Xã|Phường|Đặc khu)\s+", "", item[1])
    return anyascii(name).lower()


def province_choices() -> list[tuple[str, str]]:
    return sorted(_load()["provinces"].items(), key=_sort_key)


def commune_choices(province_code: str | None = None) -> list[tuple[str, str]]:
    rows = _load()["communes"].values()
    return sorted(
        ((row["code"], row["name"]) for row in rows if not province_code or row["province"] == province_code),
        key=_sort_key,
    )


def province_name(code: str) -> str:
    return _load()["provinces"].get(code, "") if code else ""


def commune_name(code: str) -> str:
    row = _load()["communes"].get(code) if code else None
    return row["name"] if row else ""


def commune_province(code: str) -> str | None:
    """The province code a commune belongs to (None if unknown)."""
    row = _load()["communes"].get(code)
    return row["province"] if row else None
