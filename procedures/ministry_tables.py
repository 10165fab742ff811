"""The two tables a province sends the Ministry, as `.xlsx`.

- The online public service roadmap catalogue (seed `004_*.txt`, section 2.2
  "Danh mục dịch vụ công trực tuyến mức độ 3, 4"): No., service name, level,
  tier, lead agency, co-handling agencies.
- The list of online services of the yearly IT report (seed `001_*.txt`,
  Phụ lục 1, item 2): No., service name grouped by field, level, dossiers
  received online, all dossiers received, address on the Internet, legal
  basis. The dossier counts come from the portal's own dossiers (`eforms`)
  when that app has them, for the year asked.

Both list the live Vietnamese procedures of levels 3 and 4, as the
ministry's forms ask. The column headings are the ministry's own Vietnamese
wording, whatever the admin's language, because the ministry reads them.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from wagtail.models import Locale, Site

from core.exports import safe_cell

from .models import ProcedurePage, Tier

ROADMAP_HEADERS = ("TT", "Tên DVCTT", "Mức DVCTT", "Cấp dịch vụ (tỉnh/huyện/xã)", "Cơ quan chủ trì xử lý",
                   "Cơ quan đồng xử lý")
ONLINE_SERVICE_HEADERS = (
    "TT", "Tên DVC trực tuyến (theo nhóm, lĩnh vực)", "Mức độ cung cấp (mức độ 3, 4)",
    "Tổng số hồ sơ tiếp nhận, xử lý trên môi trường mạng",
    "Tổng số hồ sơ thực tế tiếp nhận, xử lý (bao gồm cả trực tuyến, trực tiếp)",
    "Địa chỉ Internet", "Văn bản quy định TTHC cung cấp DVC trực tuyến mức 3, 4",
)
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


@dataclass
class DossierCounts:
    online: Counter
    total: Counter
    available: bool


def dossier_counts(year: int) -> DossierCounts:
    """Dossiers submitted in `year`, by procedure translation key: those
    submitted online, and all of them. Empty when the dossier model is not
    there."""
    try:
        dossier_model = apps.get_model("eforms", "Dossier")
    except LookupError:
        return DossierCounts(Counter(), Counter(), False)
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    dossiers = dossier_model.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    online, total = Counter(), Counter()
    field_names = {f.name for f in dossier_model._meta.get_fields()}
    for key, channel in dossiers.values_list(
        "procedure__translation_key", "channel" if "channel" in field_names else "procedure__translation_key",
    ):
        total[key] += 1
        if channel == "online":
            online[key] += 1
    return DossierCounts(online, total, True)


def _base_url() -> str:
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else ""


def _permalink(code: str) -> str:
    with translation.override(Locale.get_default().language_code):
        try:
            path = reverse("procedure_permalink", kwargs={"code": code})
        except NoReverseMatch:
            path = f"/p/{code}/"
    return f"{_base_url()}{path}"


def online_service_rows(year: int | None = None) -> list[tuple]:
    """Phụ lục 1 item 2 of seed 001: a heading row per field (the "nhóm,
    lĩnh vực"), numbered with Roman numerals, then its services."""
    year = year or timezone.localdate().year
    counts = dossier_counts(year)
    pages = sorted(online_procedures(), key=lambda p: (p.field.name, p.title))
    rows: list[tuple] = []
    current, group, number = None, 0, 0
    for page in pages:
        if page.field_id != current:
            current, group = page.field_id, group + 1
            rows.append((_roman(group), page.field.name, None, None, None, None, None))
        number += 1
        rows.append((
            number, page.title, page.level,
            counts.online.get(page.translation_key, 0), counts.total.get(page.translation_key, 0),
            _permalink(page.code), "; ".join(sorted(d.number for d in page.legal_basis.all())),
        ))
    return rows


def _roman(n: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _workbook(title: str, subtitle: str, headers: tuple, rows: list[tuple], widths: list[int]) -> bytes:
    # openpyxl is heavy to import and only these downloads need it
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh mục"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([safe_cell(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append([safe_cell(subtitle)])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    sheet.append([safe_cell(value) for value in headers])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = border
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            cell.alignment = wrap
            cell.border = border
        if isinstance(row[0], str):  # a field heading row
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roadmap_workbook() -> bytes:
    site = Site.objects.filter(is_default_site=True).first()
    return _workbook(
        "Danh mục dịch vụ công trực tuyến mức độ 3, 4",
        f"{site.site_name if site and site.site_name else ''} — lập ngày {timezone.localdate():%d/%m/%Y}".strip(" —"),
        ROADMAP_HEADERS, roadmap_rows(), [6, 60, 10, 14, 40, 50],
    )


def online_services_workbook(year: int | None = None) -> bytes:
    year = year or timezone.localdate().year
    return _workbook(
        "Danh mục dịch vụ công trực tuyến mức độ 3, 4 đang cung cấp",
        f"Số hồ sơ từ 01/01/{year} đến {min(timezone.localdate(), date(year, 12, 31)):%d/%m/%Y} "
        "(hồ sơ nộp qua Cổng dịch vụ công)",
        ONLINE_SERVICE_HEADERS, online_service_rows(year), [6, 60, 12, 18, 20, 40, 40],
    )
