"""Export of the procedure catalogue in the import's columns, so that
export → import is the identity (issue 3, point 7). See `importing` for the
cell syntax."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from django.db.models import QuerySet
from wagtail.models import Locale

from .importing import COLUMNS, ComponentRow, format_processing
from .models import ProcedurePage


def export_queryset(locale: Locale | None = None) -> QuerySet[ProcedurePage]:
    """The procedures an export writes: every procedure page in `locale`
    (Vietnamese by default), live or not, in tree order."""
    locale = locale or Locale.get_default()
    return (
        ProcedurePage.objects.filter(locale=locale)
        .select_related("field", "agency")
        .prefetch_related("components__form_template", "co_agencies", "legal_basis")
        .order_by("path")
    )


def page_to_row(page: ProcedurePage) -> dict[str, str]:
    """One page as import cells."""
    from pathlib import PurePosixPath

    components = sorted(page.components.all(), key=lambda c: (c.sort_order or 0, c.pk or 0))
    return {
        "code": page.code,
        "name": page.title,
        "field": page.field.name,
        "agency_code": page.agency.unit_code,
        "tier": page.tier,
        "level": str(page.level),
        "processing_days": format_processing(page.processing_time, page.processing_unit),
        "fee_vnd": "" if page.fee_vnd is None else str(page.fee_vnd),
        "fee_note": (page.fee_note or "").strip(),
        "co_agency_codes": "\n".join(sorted(a.unit_code for a in page.co_agencies.all())),
        "applicants": "\n".join(page.applicant_list()),
        "steps": "\n".join(page.step_list()),
        "components": "\n".join(
            ComponentRow(
                " ".join(c.name.split()), c.copies, c.kind,
                PurePosixPath(c.form_template.file.name).name if c.form_template_id else "",
            ).to_cell()
            for c in components
        ),
        "submission_methods": "\n".join(page.submission_methods or []),
        "result": "\n".join(page.result_list()),
        "requirements": "\n".join(page.requirement_list()),
        "legal_basis": "\n".join(sorted(d.number for d in page.legal_basis.all())),
    }


def iter_rows(queryset=None, chunk_size: int = 1000) -> Iterator[dict[str, str]]:
    queryset = export_queryset() if queryset is None else queryset
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        chunk = {p.pk: p for p in queryset.filter(pk__in=ids[start:start + chunk_size])}
        for pk in ids[start:start + chunk_size]:
            yield page_to_row(chunk[pk])


def write_csv(stream: io.TextIOBase, queryset=None) -> int:
    """Write UTF-8 CSV (with the byte-order mark Excel needs) to a text stream."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in iter_rows(queryset):
        writer.writerow([row[c] for c in COLUMNS])
        count += 1
    return count


def write_xlsx(stream, queryset=None) -> int:
    """Write an .xlsx workbook (one sheet, the import's columns, every cell
    text so codes such as 1.001193 stay as typed)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("procedures")
    widths = {"code": 12, "name": 50, "field": 24, "agency_code": 16, "steps": 60, "components": 60}
    for index, column in enumerate(COLUMNS, start=1):
        from openpyxl.utils import get_column_letter

        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column, 18)
    sheet.freeze_panes = "A2"
    from openpyxl.cell import WriteOnlyCell

    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 0
    for row in iter_rows(queryset):
        cells = []
        for column in COLUMNS:
            cell = WriteOnlyCell(sheet, value=row[column])
            cell.data_type = "s"
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
