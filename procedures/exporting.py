"""Export of the procedure catalogue in the import's columns, so that
export → import is the identity. See `importing` for the
cell syntax."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.db.models import QuerySet
from wagtail.documents import get_document_model
from wagtail.models import Locale

from core.exports import safe_cell, text_cell

from .importing import COLUMNS, ComponentRow, FeeRow, format_processing, ordered_result_methods
from .models import ProcedureComponent, ProcedureFee, ProcedurePage, split_lines


def export_queryset(locale: Locale | None = None) -> QuerySet[ProcedurePage]:
    """The procedures an export writes: every procedure page in `locale`
    (Vietnamese by default), live or not, in tree order."""
    locale = locale or Locale.get_default()
    return ProcedurePage.objects.filter(locale=locale).order_by("path")


def _lines(text: str) -> str:
    return "\n".join(split_lines(text))


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _row(values: dict, components: list[tuple], co_codes: list[str], numbers: list[str],
         template_names: dict[int, str], fees: list[tuple] = ()) -> dict[str, str]:
    return {
        "code": values["code"],
        "name": values["title"],
        "field": values["field__name"],
        "agency_code": values["agency__unit_code"],
        "tier": values["tier"],
        "level": str(values["level"]),
        "processing_days": format_processing(values["processing_time"], values["processing_unit"]),
        "fee_vnd": "" if values["fee_vnd"] is None else str(values["fee_vnd"]),
        "fee_note": (values["fee_note"] or "").strip(),
        "co_agency_codes": "\n".join(sorted(co_codes)),
        "applicants": _lines(values["applicants"]),
        "steps": _lines(values["steps"]),
        "components": "\n".join(
            ComponentRow(" ".join(name.split()), copies, kind, template_names.get(template_id, "")).to_cell()
            for name, copies, kind, template_id in components
        ),
        "submission_methods": "\n".join(values["submission_methods"] or []),
        "result": _lines(values["result"]),
        "requirements": _lines(values["requirements"]),
        "legal_basis": "\n".join(sorted(numbers)),
        "fee_items": "\n".join(
            FeeRow(_one_line(name), amount, due, _one_line(payer), _one_line(exemptions)).to_cell()
            for name, amount, due, payer, exemptions in fees
        ),
        "online_payment": "yes" if values["online_payment"] else "no",
        "result_methods": ", ".join(ordered_result_methods(values["result_methods"])),
    }


EXPORT_COLUMNS = ("pk", "code", "title", "field__name", "agency__unit_code", "tier", "level", "processing_time",
                  "processing_unit", "fee_vnd", "fee_note", "applicants", "steps", "submission_methods", "result",
                  "requirements", "online_payment", "result_methods")


def page_to_row(page: ProcedurePage) -> dict[str, str]:
    """One page as import cells."""
    return next(iter_rows(ProcedurePage.objects.filter(pk=page.pk)))


def iter_rows(queryset=None, chunk_size: int = 1000) -> Iterator[dict[str, str]]:
    """The pages of `queryset` as import cells, read as plain column values
    (no model instances), a chunk at a time."""
    queryset = export_queryset() if queryset is None else queryset
    ids = list(queryset.values_list("pk", flat=True))
    template_names: dict[int, str] = {}
    co_through = ProcedurePage.co_agencies.through
    legal_through = ProcedurePage.legal_basis.through
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start:start + chunk_size]
        values = {v["pk"]: v for v in ProcedurePage.objects.filter(pk__in=chunk).values(*EXPORT_COLUMNS)}
        components, co, legal, fees = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
        for page_id, name, copies, kind, template_id in (
            ProcedureComponent.objects.filter(page_id__in=chunk).order_by("page_id", "sort_order", "pk")
            .values_list("page_id", "name", "copies", "kind", "form_template_id")
        ):
            components[page_id].append((name, copies, kind, template_id))
        for page_id, *fee in (
            ProcedureFee.objects.filter(page_id__in=chunk).order_by("page_id", "sort_order", "pk")
            .values_list("page_id", "name", "amount_vnd", "due", "payer", "exemptions")
        ):
            fees[page_id].append(fee)
        missing = {c[3] for rows in components.values() for c in rows if c[3] and c[3] not in template_names}
        for pk, file_name in get_document_model().objects.filter(pk__in=missing).values_list("pk", "file"):
            template_names[pk] = PurePosixPath(file_name).name
        for page_id, unit_code in co_through.objects.filter(procedurepage_id__in=chunk).values_list(
                "procedurepage_id", "agency__unit_code"):
            co[page_id].append(unit_code)
        for page_id, number in legal_through.objects.filter(procedurepage_id__in=chunk).values_list(
                "procedurepage_id", "legaldocumentpage__number"):
            legal[page_id].append(number)
        for pk in chunk:
            yield _row(values[pk], components[pk], co[pk], legal[pk], template_names, fees[pk])


def write_csv(stream: io.TextIOBase, queryset=None) -> int:
    """Write UTF-8 CSV (with the byte-order mark Excel needs) to a text stream;
    a cell that a spreadsheet would read as a formula gets an apostrophe in
    front (`core.exports`), which the import takes off again."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in iter_rows(queryset):
        writer.writerow([safe_cell(row[c]) for c in COLUMNS])
        count += 1
    return count


def write_xlsx(stream, queryset=None) -> int:
    """Write an .xlsx workbook (one sheet, the import's columns, every cell
    text so codes such as 1.001193 stay as typed)."""
    # openpyxl is heavy to import and only .xlsx downloads need it
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("procedures")
    widths = {"code": 12, "name": 50, "field": 24, "agency_code": 16, "steps": 60, "components": 60,
              "fee_items": 60}
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column, 18)
    sheet.freeze_panes = "A2"
    header = []
    for column in COLUMNS:
        cell = text_cell(sheet, column)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 0
    for row in iter_rows(queryset):
        cells = []
        for column in COLUMNS:
            cell = text_cell(sheet, row[column])
            if "\n" in row[column]:
                cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(stream)
    return count


def export_file(path: str | Path, queryset=None) -> int:
    """Write the catalogue to `path`; `.xlsx` or `.csv` by its suffix."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        with path.open("wb") as stream:
            return write_xlsx(stream, queryset)
    with path.open("w", encoding="utf-8", newline="") as stream:
        return write_csv(stream, queryset)
