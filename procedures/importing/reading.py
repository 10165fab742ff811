"""Reading an import file: `.csv` (UTF-8, comma or semicolon) or `.xlsx`,
into clean text cells by column, after checking the header.

The header names `BASE_COLUMNS` in their order, then any of
`OPTIONAL_COLUMNS` in any order (a file made before they existed has none).
A row's cells hold only the columns its file has: a missing optional column
is absent from them, which the import reads as "not given" (an existing
page keeps its value)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from core.exports import unquote_cell
from core.text import fold

BASE_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "field",
    "agency_code",
    "tier",
    "level",
    "processing_days",
    "fee_vnd",
    "fee_note",
    "co_agency_codes",
    "applicants",
    "steps",
    "components",
    "submission_methods",
    "result",
    "requirements",
    "legal_basis",
)
#: Added with fee items and level 4; a file may leave any of them out.
OPTIONAL_COLUMNS: tuple[str, ...] = ("fee_items", "online_payment", "result_methods")
#: Every column, in the order an export writes them.
COLUMNS: tuple[str, ...] = BASE_COLUMNS + OPTIONAL_COLUMNS
REQUIRED: tuple[str, ...] = BASE_COLUMNS[:7]
MAX_ROWS = 50_000


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, wrong columns)."""


def _cell_text(value) -> str:
    """A cell as clean text: NFC-normalised, `\\n` line ends, stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # Excel turned a national code such as 1.001193 into a number; those
        # codes always have six decimals.
        value = str(int(value)) if value.is_integer() else f"{value:.6f}"
    # An export puts an apostrophe before text a spreadsheet would run as a
    # formula (core.exports); take it off so export → import is the identity.
    text = unquote_cell(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def _rows_from_csv(stream: IO[bytes]) -> Iterator[list]:
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
    sample = text[:4096]
    delimiter = ";" if sample.split("\n", 1)[0].count(";") > sample.split("\n", 1)[0].count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _rows_from_xlsx(stream: IO[bytes]) -> Iterator[list]:
    # openpyxl is heavy to import and only .xlsx uploads need it
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ImportFileError(_("The file is not a valid .xlsx workbook."))
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def read_table(stream: IO[bytes], filename: str) -> list[tuple[int, dict[str, str]]]:
    """The data rows of a `.csv` or `.xlsx` file as (line number, cells by
    column), after checking the header. Blank rows are skipped; line numbers
    count the header as line 1, as a spreadsheet shows them."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        rows = _rows_from_csv(stream)
    elif suffix == ".xlsx":
        rows = _rows_from_xlsx(stream)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    try:
        header = [fold(_cell_text(c)).replace(" ", "_") for c in next(rows)]
    except StopIteration:
        raise ImportFileError(_("The file is empty."))
    while header and not header[-1]:
        header.pop()
    columns = tuple(header)
    optional = columns[len(BASE_COLUMNS):]
    if (columns[: len(BASE_COLUMNS)] != BASE_COLUMNS or len(set(optional)) != len(optional)
            or not set(optional) <= set(OPTIONAL_COLUMNS)):
        raise ImportFileError(
            _("The first row must name these columns, in this order: %(columns)s; then, if you use them, "
              "%(optional)s in any order.") % {"columns": ", ".join(BASE_COLUMNS),
                                               "optional": ", ".join(OPTIONAL_COLUMNS)}
        )
    table = []
    for line, values in enumerate(rows, start=2):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if any(cells[len(columns):]):
            table.append((line, {"__extra__": str(len(columns)), **dict(zip(columns, cells, strict=False))}))
            continue
        cells += [""] * (len(columns) - len(cells))
        table.append((line, dict(zip(columns, cells[: len(columns)], strict=True))))
        if len(table) > MAX_ROWS:
            raise ImportFileError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
    return table
