"""Spreadsheet cells that cannot run as formulas (CSV/formula injection).

A text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some spreadsheet programs skip before reading one of those) is
taken as a formula when the file is opened in Excel or LibreOffice, so a
procedure titled ``=HYPERLINK(...)`` would become a live link or command in
the ministry's tables. Every export therefore writes text through
:func:`safe_cell`, which puts an apostrophe in front, as OWASP recommends.

The apostrophe is also added in front of a value that already starts with an
apostrophe followed by such a character, so :func:`unquote_cell` can always
take it off again and export → import stays the identity.
"""

from __future__ import annotations

import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return True
    return text.startswith("'") and _needs_quote(text[1:])


def safe_cell(value):
    """`value` as it may be written to a spreadsheet cell; anything but text
    (numbers, dates, None) is returned unchanged."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def unquote_cell(text: str) -> str:
    """The value :func:`safe_cell` was given, from the text it wrote."""
    if text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text


def text_cell(sheet, value):
    """An openpyxl write-only cell holding `value` neutralised, typed as
    text when it is text, so that openpyxl never stores it as a formula."""
    # openpyxl is heavy to import and only the .xlsx downloads need it
    from openpyxl.cell import WriteOnlyCell

    value = safe_cell(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


# ---------------------------------------------------------------- printable table sheets


def add_sheet(workbook, name: str, title: str, subtitle: str, headers: tuple, rows: list[tuple],
              widths: list[int]):
    """A printable table sheet (A4 landscape, headings repeated): a title, a
    subtitle, the headings, the rows; every cell through `safe_cell` and
    text typed as text (never a formula). A row whose first cell is text
    (a group heading) is bold."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(name[:31])
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for line, size in ((title, 13), (subtitle, None)):
        sheet.append([safe_cell(line)])
        if size:
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=size)
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(headers))
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
        if row and isinstance(row[0], str) and row[0]:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    return sheet


def new_workbook():
    """An empty workbook (openpyxl is imported only by the downloads that need it)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
