"""The tables a province sends the Ministry, with the portal's own counts.

One workbook for a chosen year, its headings in the ministry's Vietnamese
wording whatever the admin's language (the ministry reads them), every cell
written through `core.exports.safe_cell`:

1. "Số liệu chung": seed `004_*.txt` §2.1, the general figures: units per
   tier, procedures in all and per tier, online services per level, and how
   many procedures the roadmap plans as level 3–4 services by the end of
   the chosen year and of each later planned year (a procedure counts when
   it is level 3 or 4 already, or its `online_target_year` is that year or
   earlier).
2. "TTHC theo cấp, mức độ": procedures per tier and level (levels 3 and 4
   are the online services).
3. "DVC trực tuyến": seed `001_*.txt` Phụ lục 1 item 2, the level 3–4
   services grouped by field, with the dossiers received in the year online
   and in all (every channel counts: online, at the desk, by post, home
   service), read from the statistics' facts (`reports.figures.sums`).
4. "Lộ trình": every procedure with its current level and the year the
   roadmap plans it as an online service.

Agencies and procedures are the live default-language (Vietnamese) ones.
The roadmap catalogue of seed 004 §2.2 stays in `procedures.ministry_tables`
(it needs no dossiers).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from wagtail.models import Locale, Site

from core.exports import add_sheet, new_workbook, save
from eforms.models import Channel
from procedures.ministry_tables import TIER_LABELS, TIER_ORDER, online_procedures
from procedures.models import Agency, ProcedurePage, Tier

from .figures import Scope, sums
from .models import Outcome

ONLINE_SERVICE_HEADERS = (
    "TT", "Tên DVC trực tuyến (theo nhóm, lĩnh vực)", "Mức độ cung cấp (mức độ 3, 4)",
    "Tổng số hồ sơ tiếp nhận, xử lý trên môi trường mạng",
    "Tổng số hồ sơ thực tế tiếp nhận, xử lý (bao gồm cả trực tuyến, trực tiếp)",
    "Địa chỉ Internet", "Văn bản quy định TTHC cung cấp DVC trực tuyến mức 3, 4",
)
GENERAL_HEADERS = ("TT", "Nội dung", "Số lượng")
LEVEL_HEADERS = ("Cấp", "Mức độ 1", "Mức độ 2", "Mức độ 3", "Mức độ 4", "Tổng số",
                 "Trong đó DVCTT mức độ 3, 4")
ROADMAP_HEADERS = ("TT", "Tên thủ tục hành chính", "Mã TTHC", "Cấp", "Cơ quan chủ trì xử lý", "Mức độ hiện tại",
                   "Năm dự kiến cung cấp DVCTT mức độ 3, 4")
#: Agency tiers as the ministry names the units (seed 004 §2.1).
UNIT_LABELS = (
    (Tier.PROVINCE, "Tổng số cơ quan cấp tỉnh (UBND tỉnh, Trung tâm Phục vụ hành chính công)"),
    (Tier.DEPARTMENT, "Tổng số sở, ban, ngành"),
    (Tier.DISTRICT, "Tổng số quận, huyện (trước ngày 01/7/2025)"),
    (Tier.COMMUNE, "Tổng số xã, phường, đặc khu"),
)
PROCEDURE_TIER_LABELS = {
    Tier.PROVINCE: "Số thủ tục hành chính cấp tỉnh, thành phố",
    Tier.DISTRICT: "Số thủ tục hành chính cấp quận, huyện",
    Tier.COMMUNE: "Số thủ tục hành chính cấp xã, phường",
}
FIRST_YEAR, LAST_YEAR = 2000, 2100


def live_procedures():
    return ProcedurePage.objects.live().filter(locale=Locale.get_default())


# ---------------------------------------------------------------- counts


@dataclass
class ServiceCounts:
    online: Counter
    total: Counter


def service_counts(year: int) -> ServiceCounts:
    """Dossiers received in `year`, by (default-locale) procedure id: those
    received online, and all of them."""
    received = sums(dt.date(year, 1, 1), dt.date(year, 12, 31), Scope(), group=("procedure_id",))
    online, total = Counter(), Counter()
    for ((procedure_id,), outcome, channel), n in received.items():
        if outcome != Outcome.RECEIVED:
            continue
        total[procedure_id] += n
        if channel == Channel.ONLINE:
            online[procedure_id] += n
    return ServiceCounts(online, total)


def _base_url() -> str:
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else ""


def permalink(code: str, base_url: str = "") -> str:
    with translation.override(Locale.get_default().language_code):
        try:
            path = reverse("procedure_permalink", kwargs={"code": code})
        except NoReverseMatch:
            path = f"/p/{code}/"
    return f"{base_url}{path}"


def roman(n: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out, n = out + letters, n - value
    return out


def online_service_rows(year: int) -> list[tuple]:
    """Phụ lục 1 item 2 of seed 001: a heading row per field (the "nhóm,
    lĩnh vực"), numbered with Roman numerals, then its services."""
    counts = service_counts(year)
    base_url = _base_url()
    pages = sorted(online_procedures(), key=lambda p: (p.field.name, p.title))
    rows: list[tuple] = []
    current, group, number = None, 0, 0
    for page in pages:
        if page.field_id != current:
            current, group = page.field_id, group + 1
            rows.append((roman(group), page.field.name, None, None, None, None, None))
        number += 1
        rows.append((
            number, page.title, page.level, counts.online.get(page.pk, 0), counts.total.get(page.pk, 0),
            permalink(page.code, base_url), "; ".join(sorted(d.number for d in page.legal_basis.all())),
        ))
    return rows


def planned_years(year: int) -> list[int]:
    """The chosen year and every later year some procedure is planned for."""
    later = live_procedures().filter(online_target_year__gt=year).values_list("online_target_year", flat=True)
    return sorted({year, *later})


def planned_online_by(year: int) -> int:
    """Procedures that are, or are planned to be, level 3–4 services by the end of `year`."""
    return live_procedures().filter(Q(level__gte=3) | Q(online_target_year__lte=year)).count()


def general_rows(year: int) -> list[tuple]:
    """Seed 004 §2.1 "Số liệu chung"."""
    agencies = Counter(Agency.objects.filter(locale=Locale.get_default()).values_list("tier", flat=True))
    pages = list(live_procedures().values_list("tier", "level"))
    by_tier = Counter(tier for tier, _level in pages)
    by_level = Counter(level for _tier, level in pages)
    rows: list[tuple] = []

    def line(label: str, value: int, sub: bool = False) -> None:
        rows.append(("" if sub else sum(1 for r in rows if r[0] != "") + 1, label, value))

    for tier, label in UNIT_LABELS:
        line(label, agencies.get(tier, 0))
    line("Tổng số thủ tục hành chính", len(pages))
    for tier in (Tier.PROVINCE, Tier.DISTRICT, Tier.COMMUNE):
        line(f"Trong đó: {PROCEDURE_TIER_LABELS[tier]}", by_tier.get(tier, 0), sub=True)
    for level in (3, 4):
        line(f"Số dịch vụ công trực tuyến mức độ {level} đang cung cấp", by_level.get(level, 0))
    for target in planned_years(year):
        line(f"Tổng số thủ tục hành chính dự kiến cung cấp thành DVCTT ở mức độ 3, 4 đến hết năm {target}",
             planned_online_by(target))
    return rows


def level_rows() -> list[tuple]:
    """Procedures per tier (rows) and level (columns), with the total."""
    counts = Counter(live_procedures().values_list("tier", "level"))
    rows = []
    totals = Counter()
    for tier in (Tier.PROVINCE, Tier.DISTRICT, Tier.COMMUNE):
        levels = [counts.get((tier, level), 0) for level in (1, 2, 3, 4)]
        totals.update(dict(enumerate(levels)))
        rows.append((TIER_LABELS[tier], *levels, sum(levels), levels[2] + levels[3]))
    levels = [totals.get(i, 0) for i in range(4)]
    rows.append(("Tổng số", *levels, sum(levels), levels[2] + levels[3]))
    return rows


def roadmap_rows() -> list[tuple]:
    """Every procedure with its level and planned year, province first."""
    pages = sorted(live_procedures().select_related("agency"),
                   key=lambda p: (TIER_ORDER.get(p.tier, 9), p.agency.name, p.title))
    return [
        (number, page.title, page.code, TIER_LABELS.get(page.tier, page.tier), page.agency.name, page.level,
         page.online_target_year)
        for number, page in enumerate(pages, start=1)
    ]


def general_figures(year: int) -> dict:
    """What the admin screen shows before the download."""
    return {"general": general_rows(year), "levels": level_rows()}


# ---------------------------------------------------------------- the workbook


def ministry_workbook(year: int) -> bytes:
    """The four sheets for `year` (see the module's docstring)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError("year out of range")
    today = timezone.localdate()
    site = Site.objects.filter(is_default_site=True).first()
    owner = site.site_name if site and site.site_name else ""
    made = f"{owner} — lập ngày {today:%d/%m/%Y}".strip(" —")
    last_day = min(today, dt.date(year, 12, 31))
    workbook = new_workbook()
    add_sheet(workbook, "Số liệu chung", f"Số liệu chung năm {year}", made, GENERAL_HEADERS,
              general_rows(year), [6, 90, 14])
    add_sheet(workbook, "TTHC theo cấp, mức độ", "Số thủ tục hành chính theo cấp và mức độ cung cấp trực tuyến",
              made, LEVEL_HEADERS, level_rows(), [18, 12, 12, 12, 12, 12, 18])
    add_sheet(workbook, "DVC trực tuyến", "Danh mục dịch vụ công trực tuyến mức độ 3, 4 đang cung cấp",
              f"Số hồ sơ tiếp nhận từ 01/01/{year} đến {last_day:%d/%m/%Y} (mọi kênh: trực tuyến, trực tiếp, "
              "bưu chính, dịch vụ công tại nhà)",
              ONLINE_SERVICE_HEADERS, online_service_rows(year), [6, 60, 12, 18, 20, 40, 40])
    add_sheet(workbook, "Lộ trình", "Lộ trình cung cấp dịch vụ công trực tuyến mức độ 3, 4", made,
              ROADMAP_HEADERS, roadmap_rows(), [6, 60, 14, 10, 40, 12, 18])
    return save(workbook)
