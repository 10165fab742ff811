"""The online public service roadmap catalogue a province sends the
Ministry, as `.xlsx` (seed `004_*.txt`, section 2.2 "Danh mục dịch vụ công
trực tuyến mức độ 3, 4"): No., service name, level, tier, lead agency,
co-handling agencies.

The tables with dossier counts (seed `001_*.txt` Phụ lục 1 item 2, and
seed 004's general figures) are computed from the statistics' facts in
`reports.ministry`, which sits above the dossiers; this catalogue needs
only the procedures.

It lists the live Vietnamese procedures of levels 3 and 4, as the
ministry's form asks. The column headings are the ministry's own Vietnamese
wording, whatever the admin's language, because the ministry reads them.
"""

from __future__ import annotations

from django.utils import timezone
from wagtail.models import Locale, Site

from core.exports import add_sheet, new_workbook, save

from .models import ProcedurePage, Tier

ROADMAP_HEADERS = ("TT", "Tên DVCTT", "Mức DVCTT", "Cấp dịch vụ (tỉnh/huyện/xã)", "Cơ quan chủ trì xử lý",
                   "Cơ quan đồng xử lý")
TIER_LABELS = {Tier.PROVINCE: "Tỉnh", Tier.DISTRICT: "Huyện", Tier.COMMUNE: "Xã"}
TIER_ORDER = {Tier.PROVINCE: 0, Tier.DISTRICT: 1, Tier.COMMUNE: 2}


def online_procedures():
    """Live Vietnamese procedures of levels 3 and 4."""
    return (
        ProcedurePage.objects.live().filter(locale=Locale.get_default(), level__gte=3)
        .select_related("field", "agency").prefetch_related("co_agencies", "legal_basis")
    )


def roadmap_rows() -> list[tuple]:
    """Section 2.2 of seed 004: one row per service, province first."""
    pages = sorted(online_procedures(), key=lambda p: (TIER_ORDER.get(p.tier, 9), p.agency.name, p.title))
    return [
        (
            number, page.title, page.level, TIER_LABELS.get(page.tier, page.tier), page.agency.name,
            "; ".join(sorted(a.name for a in page.co_agencies.all())),
        )
        for number, page in enumerate(pages, start=1)
    ]


def _workbook(title: str, subtitle: str, headers: tuple, rows: list[tuple], widths: list[int]) -> bytes:
    workbook = new_workbook()
    add_sheet(workbook, "Danh mục", title, subtitle, headers, rows, widths)
    return save(workbook)


def roadmap_workbook() -> bytes:
    site = Site.objects.filter(is_default_site=True).first()
    return _workbook(
        "Danh mục dịch vụ công trực tuyến mức độ 3, 4",
        f"{site.site_name if site and site.site_name else ''} — lập ngày {timezone.localdate():%d/%m/%Y}".strip(" —"),
        ROADMAP_HEADERS, roadmap_rows(), [6, 60, 10, 14, 40, 50],
    )

