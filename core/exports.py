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
