"""The statistics page's tables as CSV and XLSX downloads.

A table is exported from the same rows the page shows (`reports.views.tables.Table`),
so the download and the table cannot disagree. Every cell goes through
`core.exports.safe_cell` (text cells cannot start a formula); numbers stay
numbers, a rate with no dossiers behind it is an empty cell.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse

from core.exports import safe_cell, text_cell

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plain(value):
    """A cell as written to a file: None is empty, rates are decimals."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return value
    return value if isinstance(value, int) else str(value)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(plain(cell)) for cell in row])
    # a byte-order mark so spreadsheet programs read the Vietnamese as UTF-8
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append([text_cell(sheet, str(cell)) for cell in header])
    for row in rows:
        cells = []
        for cell in row:
            value = plain(cell)
            if isinstance(value, Decimal):
                value = float(value)
            cells.append(text_cell(sheet, value) if isinstance(value, str) else value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in str(title)).strip()
    return (cleaned or "Sheet")[:31]


def csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    return _attachment(HttpResponse(csv_bytes(header, rows), content_type=CSV_TYPE), filename)


def xlsx_response(filename: str, title: str, header: list[str], rows: list[list]) -> HttpResponse:
    return _attachment(HttpResponse(xlsx_bytes(title, header, rows), content_type=XLSX_TYPE), filename)
