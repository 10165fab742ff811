"""Import of the procedure catalogue from `.csv` and `.xlsx` files.

A province loads its 1,000+ procedures at once (issue 3, point 7). The file
has these columns, in this order; the first seven are required::

    code, name, field, agency_code, tier, level, processing_days, fee_vnd,
    fee_note, co_agency_codes, applicants, steps, components,
    submission_methods, result, requirements, legal_basis

Cell syntax (multi-valued cells hold one value per line):

- ``field``: the field's code (``ho-tich``) or name (``Hộ tịch``); an
  unknown field is created.
- ``agency_code`` / ``co_agency_codes``: unit codes of existing agencies
  (``000.00.10.H30``); an unknown code refuses the row.
- ``tier``: ``province``, ``district`` or ``commune`` (also ``tỉnh``,
  ``huyện``, ``xã``).
- ``level``: 1 to 4.
- ``processing_days``: a positive number of working days (``15``, ``0,5``),
  optionally followed by a unit: ``calendar_days`` (``ngày``) or ``hours``
  (``giờ``), e.g. ``4 hours``.
- ``fee_vnd``: whole đồng, empty when there is no fee (``50000``, ``50.000``).
- ``components``: one dossier component per line,
  ``name | copies | kind | template file``; everything after the name is
  optional (1 copy, original, no template). ``kind`` is ``bản chính``
  (original), ``bản sao`` (copy), ``bản sao chứng thực`` (certified copy) or
  ``bản chính hoặc bản sao`` (original or certified copy), or the English
  values ``original``, ``copy``, ``certified_copy``, ``original_or_copy``.
  The template is the file name of a Wagtail document that already exists,
  e.g. ``Tờ khai đăng ký khai sinh | 1 | bản chính | to-khai-khai-sinh.docx``.
- ``submission_methods``: ``in_person``, ``online``, ``post`` (also
  ``trực tiếp``, ``trực tuyến``, ``bưu chính``).
- ``legal_basis``: document numbers (``43/2011/NĐ-CP``), linked to the
  Vietnamese legal document pages with that number; numbers without a page
  are reported as warnings and left out.

Import upserts by ``code`` among the Vietnamese procedure pages: a row whose
values equal the page's is left alone, so importing a file twice changes
nothing. Every row is validated before anything is written; refused rows are
reported with their line number and reasons. New pages are written in
batches, each batch in a savepoint; if a batch fails in the database, its
rows are retried one by one, each in its own savepoint, so a refused row never
leaves a half-made page. Creation bypasses the per-page publish machinery
(revisions, signals), which would take minutes for 10,000 rows, and instead
inserts the page tree rows, the search index entries and one log entry per
page in bulk.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from anyascii import anyascii
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page, PageLogEntry

from core.exports import unquote_cell

from .models import (
    Agency,
    ComponentKind,
    Field,
    LegalDocumentPage,
    ProcedureComponent,
    ProcedureIndexPage,
    ProcedurePage,
    ProcedureTier,
    ProcessingUnit,
    SubmissionMethod,
    split_lines,
)

COLUMNS: tuple[str, ...] = (
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
REQUIRED: tuple[str, ...] = COLUMNS[:7]
BATCH_SIZE = 500
MAX_ROWS = 50_000

CODE_RE = re.compile(r"^[0-9A-Za-z.\-_]{1,40}$")
FEE_RE = re.compile(r"^(\d+|\d{1,3}(?:([.,\s])\d{3})(?:\2\d{3})*)$")


def _fold(text: str) -> str:
    """Lower-case ASCII form, so `Trực tiếp`, `truc tiep` and `TRỰC TIẾP` match."""
    return " ".join(anyascii(text).lower().replace("_", " ").split())


TIER_ALIASES = {
    "province": ProcedureTier.PROVINCE, "tinh": ProcedureTier.PROVINCE, "cap tinh": ProcedureTier.PROVINCE,
    "district": ProcedureTier.DISTRICT, "huyen": ProcedureTier.DISTRICT, "cap huyen": ProcedureTier.DISTRICT,
    "commune": ProcedureTier.COMMUNE, "xa": ProcedureTier.COMMUNE, "cap xa": ProcedureTier.COMMUNE,
}
UNIT_ALIASES = {
    "": ProcessingUnit.WORKING_DAYS, "working days": ProcessingUnit.WORKING_DAYS,
    "ngay lam viec": ProcessingUnit.WORKING_DAYS,
    "calendar days": ProcessingUnit.CALENDAR_DAYS, "ngay": ProcessingUnit.CALENDAR_DAYS,
    "hours": ProcessingUnit.HOURS, "gio": ProcessingUnit.HOURS, "gio lam viec": ProcessingUnit.HOURS,
}
KIND_ALIASES = {
    "original": ComponentKind.ORIGINAL, "ban chinh": ComponentKind.ORIGINAL,
    "copy": ComponentKind.COPY, "ban sao": ComponentKind.COPY,
    "certified copy": ComponentKind.CERTIFIED_COPY, "ban sao chung thuc": ComponentKind.CERTIFIED_COPY,
    "original or copy": ComponentKind.ORIGINAL_OR_COPY,
    "ban chinh hoac ban sao": ComponentKind.ORIGINAL_OR_COPY,
    "ban chinh hoac ban sao chung thuc": ComponentKind.ORIGINAL_OR_COPY,
}
# how `export` writes a component's kind (readable for Vietnamese editors)
KIND_LABELS_VI = {
    ComponentKind.ORIGINAL: "bản chính",
    ComponentKind.COPY: "bản sao",
    ComponentKind.CERTIFIED_COPY: "bản sao chứng thực",
    ComponentKind.ORIGINAL_OR_COPY: "bản chính hoặc bản sao",
}
METHOD_ALIASES = {
    "in person": SubmissionMethod.IN_PERSON, "truc tiep": SubmissionMethod.IN_PERSON,
    "nop truc tiep": SubmissionMethod.IN_PERSON,
    "online": SubmissionMethod.ONLINE, "truc tuyen": SubmissionMethod.ONLINE,
    "nop truc tuyen": SubmissionMethod.ONLINE,
    "post": SubmissionMethod.POST, "by post": SubmissionMethod.POST, "buu chinh": SubmissionMethod.POST,
    "qua buu chinh": SubmissionMethod.POST, "qua dich vu buu chinh": SubmissionMethod.POST,
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, wrong columns)."""


# ---------------------------------------------------------------- reading


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
        header = [_fold(_cell_text(c)).replace(" ", "_") for c in next(rows)]
    except StopIteration:
        raise ImportFileError(_("The file is empty."))
    while header and not header[-1]:
        header.pop()
    if tuple(header) != COLUMNS:
        raise ImportFileError(
            _("The first row must name these columns, in this order: %(columns)s.") % {"columns": ", ".join(COLUMNS)}
        )
    table = []
    for line, values in enumerate(rows, start=2):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if any(cells[len(COLUMNS):]):
            table.append((line, {"__extra__": "1", **dict(zip(COLUMNS, cells, strict=False))}))
            continue
        cells += [""] * (len(COLUMNS) - len(cells))
        table.append((line, dict(zip(COLUMNS, cells[: len(COLUMNS)], strict=True))))
        if len(table) > MAX_ROWS:
            raise ImportFileError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
    return table


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class ComponentRow:
    name: str
    copies: int = 1
    kind: str = ComponentKind.ORIGINAL.value
    template: str = ""

    def to_cell(self) -> str:
        parts = [self.name, str(self.copies), KIND_LABELS_VI[ComponentKind(self.kind)]]
        if self.template:
            parts.append(self.template)
        return " | ".join(parts)


@dataclass
class ProcedureRow:
    """One validated row, in the values the page stores."""

    line: int
    code: str
    name: str
    field: str
    agency_code: str
    tier: str
    level: int
    processing_time: Decimal
    processing_unit: str
    fee_vnd: int | None
    fee_note: str
    co_agency_codes: tuple[str, ...]
    applicants: str
    steps: str
    components: tuple[ComponentRow, ...]
    submission_methods: tuple[str, ...]
    result: str
    requirements: str
    legal_basis: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)

    def signature(self, field_obj: Field | None) -> tuple:
        """What the page would store, for comparing with an existing page."""
        return (
            self.name, field_obj.pk if field_obj else self.field, self.agency_code, self.tier, self.level,
            self.processing_time, self.processing_unit, self.fee_vnd, self.fee_note, self.co_agency_codes,
            self.applicants, self.steps, self.components, self.submission_methods, self.result,
            self.requirements, self.legal_basis,
        )


def _lines_text(text: str) -> str:
    return "\n".join(split_lines(text))


def _note_text(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")).strip()


def format_processing(amount: Decimal, unit: str) -> str:
    """The `processing_days` cell for a page's processing time."""
    number = format(amount.normalize(), "f") if amount is not None else ""
    return number if unit == ProcessingUnit.WORKING_DAYS else f"{number} {unit}"


def page_signature(values: dict, *, agency_code: str, components, co_codes, legal_numbers,
                   template_names) -> tuple:
    """The same tuple as `ProcedureRow.signature` for a stored page, from
    its column values (no model instances: comparing 10,000 pages stays fast)."""
    amount = values["processing_time"]
    return (
        values["title"], values["field_id"], agency_code, values["tier"], values["level"],
        amount.normalize() if amount is not None else None,
        values["processing_unit"], values["fee_vnd"], _note_text(values["fee_note"]), tuple(co_codes),
        _lines_text(values["applicants"]), _lines_text(values["steps"]),
        tuple(
            ComponentRow(_one_line(name), copies, kind, template_names.get(template_id, ""))
            for name, copies, kind, template_id in components
        ),
        tuple(values["submission_methods"] or ()), _lines_text(values["result"]), _lines_text(values["requirements"]),
        tuple(legal_numbers),
    )


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


class ImportContext:
    """The lookup tables a file is checked against, loaded once."""

    def __init__(self, locale: Locale | None = None):
        from wagtail.documents import get_document_model

        self.locale = locale or Locale.get_default()
        self.agencies = {a.unit_code: a for a in Agency.objects.filter(locale=self.locale)}
        self.agencies_by_pk = {a.pk: a for a in self.agencies.values()}
        self.fields_by_code: dict[str, Field] = {}
        self.fields_by_name: dict[str, Field] = {}
        for f in Field.objects.filter(locale=self.locale):
            self.fields_by_code[f.code] = f
            self.fields_by_name.setdefault(f.name.casefold(), f)
        self.legal_docs: dict[str, int] = {}
        self.legal_numbers: dict[int, str] = {}
        for pk, number in LegalDocumentPage.objects.filter(locale=self.locale).values_list("pk", "number"):
            self.legal_docs.setdefault(number.casefold(), pk)
            self.legal_numbers[pk] = number
        self.documents: dict[str, int] = {}
        self.document_names: dict[int, str] = {}
        titles: dict[int, str] = {}
        for pk, title, file_name in get_document_model().objects.values_list("pk", "title", "file").order_by("pk"):
            titles[pk] = title
            base = Path(file_name).name
            self.documents.setdefault(base, pk)
            self.document_names[pk] = base
        for pk, base in self.document_names.items():
            # Django's storage renames a clashing upload `name_abc1234.docx`;
            # the name as uploaded still finds it.
            if match := re.match(r"^(.+)_[0-9A-Za-z]{7}(\.[0-9A-Za-z]+)$", base):
                self.documents.setdefault(match.group(1) + match.group(2), pk)
        for pk, title in titles.items():
            self.documents.setdefault(title, pk)

    def find_field(self, value: str) -> Field | None:
        return (
            self.fields_by_name.get(value.casefold())
            or self.fields_by_code.get(value)
            or self.fields_by_code.get(slugify(anyascii(value)))
        )

    def new_field_code(self, name: str) -> str:
        base = (slugify(anyascii(name)) or "linh-vuc")[:60]
        code, n = base, 2
        while code in self.fields_by_code:
            code, n = f"{base[:58]}-{n}", n + 1
        return code

    def get_or_create_field(self, value: str) -> Field:
        found = self.find_field(value)
        if found is None:
            found = Field.objects.create(name=value, code=self.new_field_code(value), locale=self.locale)
            self.fields_by_code[found.code] = found
            self.fields_by_name[found.name.casefold()] = found
        return found


def _split_values(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("\n") if v.strip()]


def validate_row(line: int, cells: dict[str, str], ctx: ImportContext) -> tuple[ProcedureRow | None, list[str]]:
    """Check one row; return the clean row, or None and the reasons."""
    errors: list[str] = []
    if cells.get("__extra__"):
        errors.append(_("The row has more cells than the %(n)d columns.") % {"n": len(COLUMNS)})
    for column in REQUIRED:
        if not cells.get(column):
            errors.append(_("“%(column)s” is required.") % {"column": column})
    code = cells.get("code", "")
    if code and not CODE_RE.match(code):
        errors.append(_("Code “%(value)s” may hold only digits, letters, dots, hyphens and underscores (at most 40).")
                      % {"value": code})
    name = _one_line(cells.get("name", ""))
    if len(name) > 255:
        errors.append(_("The name is longer than 255 characters."))
    field_value = _one_line(cells.get("field", ""))
    if len(field_value) > 255:
        errors.append(_("The field is longer than 255 characters."))
    agency_code = cells.get("agency_code", "")
    if agency_code and agency_code not in ctx.agencies:
        errors.append(_("Unknown agency code “%(value)s”.") % {"value": agency_code})

    tier = None
    if cells.get("tier"):
        tier = TIER_ALIASES.get(_fold(cells["tier"]))
        if tier is None:
            errors.append(_("Tier “%(value)s” is not one of province, district, commune.") % {"value": cells["tier"]})

    level = None
    if cells.get("level"):
        raw_level = cells["level"].removesuffix(".0")
        if raw_level.isdigit() and 1 <= int(raw_level) <= 4:
            level = int(raw_level)
        else:
            errors.append(_("Level “%(value)s” is not a whole number from 1 to 4.") % {"value": cells["level"]})

    amount, unit = None, None
    if cells.get("processing_days"):
        match = re.match(r"^(\d+(?:[.,]\d+)?)\s*(.*)$", cells["processing_days"])
        unit = UNIT_ALIASES.get(_fold(match.group(2))) if match else None
        if match and unit is not None:
            try:
                amount = Decimal(match.group(1).replace(",", "."))
            except InvalidOperation:
                amount = None
        if amount is None or unit is None:
            errors.append(_("Processing time “%(value)s” is not a number of working days (e.g. 15, 0,5 or “4 hours”).")
                          % {"value": cells["processing_days"]})
        elif amount <= 0 or amount > Decimal("99999.9") or amount != amount.quantize(Decimal("0.1")):
            errors.append(_("Processing time “%(value)s” must be above 0, below 100000, with at most one decimal.")
                          % {"value": cells["processing_days"]})
            amount = None
        else:
            amount = amount.normalize()

    fee = None
    raw_fee = cells.get("fee_vnd", "").replace("đ", "").replace("đồng", "").strip()
    if raw_fee:
        if FEE_RE.match(raw_fee):
            fee = int(re.sub(r"\D", "", raw_fee))
        else:
            errors.append(_("Fee “%(value)s” is not a whole amount in đồng.") % {"value": cells["fee_vnd"]})

    co_codes = []
    for value in _split_values(cells.get("co_agency_codes", "")):
        if value not in ctx.agencies:
            errors.append(_("Unknown co-handling agency code “%(value)s”.") % {"value": value})
        elif value not in co_codes:
            co_codes.append(value)

    components = []
    for value in _split_values(cells.get("components", "")):
        component, problem = _parse_component(value, ctx)
        if problem:
            errors.append(problem)
        else:
            components.append(component)

    methods = []
    for value in _split_values(cells.get("submission_methods", "")):
        method = METHOD_ALIASES.get(_fold(value))
        if method is None:
            errors.append(_("Submission method “%(value)s” is not one of in_person, online, post.") % {"value": value})
        elif method.value not in methods:
            methods.append(method.value)

    warnings, numbers = [], []
    for value in _split_values(cells.get("legal_basis", "")):
        pk = ctx.legal_docs.get(value.casefold())
        if pk is None:
            warnings.append(_("Legal document “%(value)s” has no page; it is not linked.") % {"value": value})
        elif ctx.legal_numbers[pk] not in numbers:
            numbers.append(ctx.legal_numbers[pk])

    if errors:
        return None, errors
    return ProcedureRow(
        line=line, code=code, name=name, field=field_value, agency_code=agency_code, tier=tier.value,
        level=level, processing_time=amount, processing_unit=unit.value, fee_vnd=fee,
        fee_note=_note_text(cells.get("fee_note", "")), co_agency_codes=tuple(co_codes),
        applicants=_lines_text(cells.get("applicants", "")), steps=_lines_text(cells.get("steps", "")),
        components=tuple(components), submission_methods=tuple(methods),
        result=_lines_text(cells.get("result", "")), requirements=_lines_text(cells.get("requirements", "")),
        legal_basis=tuple(numbers), warnings=warnings,
    ), []


def _parse_component(value: str, ctx: ImportContext) -> tuple[ComponentRow | None, str]:
    parts = [p.strip() for p in value.split("|")]
    if len(parts) > 4 or not parts[0]:
        return None, _("Component “%(value)s” is not “name | copies | kind | template file”.") % {"value": value}
    copies = 1
    if len(parts) > 1 and parts[1]:
        if not parts[1].isdigit() or not 1 <= int(parts[1]) <= 100:
            return None, _("Component “%(value)s”: copies must be a whole number from 1 to 100.") % {"value": value}
        copies = int(parts[1])
    kind = ComponentKind.ORIGINAL
    if len(parts) > 2 and parts[2]:
        kind = KIND_ALIASES.get(_fold(parts[2]))
        if kind is None:
            return None, _("Component “%(value)s”: kind must be bản chính, bản sao, bản sao chứng thực or "
                           "bản chính hoặc bản sao.") % {"value": value}
    template = parts[3] if len(parts) > 3 else ""
    if template:
        pk = ctx.documents.get(template)
        if pk is None:
            return None, _("Component “%(value)s”: no document “%(file)s”; upload the form template first.") % {
                "value": value, "file": template}
        template = ctx.document_names[pk]
    return ComponentRow(_one_line(parts[0]), copies, kind.value, template), ""


# ---------------------------------------------------------------- planning


@dataclass
class RefusedRow:
    line: int
    code: str
    reasons: list[str]


@dataclass
class ImportPlan:
    """What an import would do, before anything is written (the preview)."""

    created: list[ProcedureRow] = field(default_factory=list)
    updated: list[ProcedureRow] = field(default_factory=list)
    unchanged: list[ProcedureRow] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)
    new_fields: list[str] = field(default_factory=list)
    existing: dict[str, tuple[int, tuple]] = field(default_factory=dict)

    @property
    def warnings(self) -> list[tuple[int, str, str]]:
        return [(r.line, r.code, w) for r in (*self.created, *self.updated) for w in r.warnings]

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "refused": len(self.refused)}


SIGNATURE_COLUMNS = ("pk", "code", "title", "field_id", "agency__unit_code", "tier", "level", "processing_time",
                     "processing_unit", "fee_vnd", "fee_note", "applicants", "steps", "submission_methods", "result",
                     "requirements")


def _existing_pages(ctx: ImportContext, codes: Iterable[str]) -> dict[str, tuple[int, tuple]]:
    """code → (page id, stored signature) of the existing pages with these codes."""
    from collections import defaultdict

    codes = list(codes)
    found: dict[str, tuple[int, tuple]] = {}
    co_through = ProcedurePage.co_agencies.through
    legal_through = ProcedurePage.legal_basis.through
    for start in range(0, len(codes), 900):
        chunk = codes[start:start + 900]
        rows = list(ProcedurePage.objects.filter(locale=ctx.locale, code__in=chunk).order_by("path")
                    .values(*SIGNATURE_COLUMNS))
        ids = [r["pk"] for r in rows]
        components, co, legal = defaultdict(list), defaultdict(list), defaultdict(list)
        for page_id, name, copies, kind, template_id in (
            ProcedureComponent.objects.filter(page_id__in=ids).order_by("page_id", "sort_order", "pk")
            .values_list("page_id", "name", "copies", "kind", "form_template_id")
        ):
            components[page_id].append((name, copies, kind, template_id))
        for page_id, unit_code in co_through.objects.filter(procedurepage_id__in=ids).values_list(
                "procedurepage_id", "agency__unit_code"):
            co[page_id].append(unit_code)
        for page_id, number in legal_through.objects.filter(procedurepage_id__in=ids).values_list(
                "procedurepage_id", "legaldocumentpage__number"):
            legal[page_id].append(number)
        for r in rows:
            if r["code"] in found:
                continue
            found[r["code"]] = (r["pk"], page_signature(
                r, agency_code=r["agency__unit_code"], components=components[r["pk"]],
                co_codes=sorted(co[r["pk"]]), legal_numbers=sorted(legal[r["pk"]]),
                template_names=ctx.document_names,
            ))
    return found


def _row_signature(row: ProcedureRow, ctx: ImportContext) -> tuple:
    sig = list(row.signature(ctx.find_field(row.field)))
    sig[9] = tuple(sorted(row.co_agency_codes))
    sig[16] = tuple(sorted(row.legal_basis))
    return tuple(sig)


def plan_import(table: list[tuple[int, dict[str, str]]], ctx: ImportContext) -> ImportPlan:
    """Validate every row and sort it into created / updated / unchanged /
    refused, without writing anything."""
    plan = ImportPlan()
    valid: list[ProcedureRow] = []
    seen: dict[str, int] = {}
    for line, cells in table:
        row, errors = validate_row(line, cells, ctx)
        code = cells.get("code", "")
        if code and code in seen:
            errors = [*errors, _("Code “%(code)s” already appears on line %(line)d.") % {"code": code,
                                                                                      "line": seen[code]}]
            row = None
        elif code:
            seen[code] = line
        if row is None:
            plan.refused.append(RefusedRow(line, code, errors))
        else:
            valid.append(row)
    plan.existing = _existing_pages(ctx, [r.code for r in valid])
    new_fields: dict[str, None] = {}
    for row in valid:
        if ctx.find_field(row.field) is None:
            new_fields.setdefault(row.field, None)
        stored = plan.existing.get(row.code)
        if stored is None:
            plan.created.append(row)
        elif stored[1] == _row_signature(row, ctx):
            plan.unchanged.append(row)
        else:
            plan.updated.append(row)
    plan.new_fields = list(new_fields)
    return plan


def plan_file(stream: IO[bytes], filename: str, ctx: ImportContext | None = None) -> ImportPlan:
    ctx = ctx or ImportContext()
    return plan_import(read_table(stream, filename), ctx)


# ---------------------------------------------------------------- applying


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    new_fields: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(refused)d refused.") % {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "refused": len(self.refused)}


def default_parent(locale: Locale | None = None) -> ProcedureIndexPage:
    locale = locale or Locale.get_default()
    parent = ProcedureIndexPage.objects.filter(locale=locale).order_by("path").first()
    if parent is None:
        raise ImportFileError(_("There is no procedure catalogue page to put new procedures under; create one first."))
    return parent


class _Writer:
    """Writes rows to the database; kept together so batches share lookups."""

    def __init__(self, ctx: ImportContext, parent: Page, user=None):
        self.ctx = ctx
        self.parent = Page.objects.get(pk=parent.pk)
        self.user = user
        self.content_type = ContentType.objects.get_for_model(ProcedurePage)
        self.slugs = set(Page.objects.filter(path__startswith=self.parent.path, depth=self.parent.depth + 1)
                         .values_list("slug", flat=True))

    # -- shared
    def _slug_for(self, row: ProcedureRow) -> str:
        base = slugify(anyascii(row.name))[:200] or "thu-tuc"
        slug = base
        if slug in self.slugs:
            slug = f"{base}-{slugify(row.code.replace('.', '-'))}"
        n = 2
        while slug in self.slugs:
            slug, n = f"{base}-{slugify(row.code.replace('.', '-'))}-{n}", n + 1
        return slug

    def _field_values(self, row: ProcedureRow) -> dict:
        return {
            "code": row.code, "field": self.ctx.get_or_create_field(row.field),
            "agency": self.ctx.agencies[row.agency_code], "tier": row.tier, "level": row.level,
            "processing_time": row.processing_time, "processing_unit": row.processing_unit, "fee_vnd": row.fee_vnd,
            "fee_note": row.fee_note, "applicants": row.applicants, "steps": row.steps,
            "submission_methods": list(row.submission_methods), "result": row.result,
            "requirements": row.requirements,
        }

    def _relations(self, row: ProcedureRow) -> tuple[list[int], list[int]]:
        co = [self.ctx.agencies[c].pk for c in row.co_agency_codes]
        legal = [self.ctx.legal_docs[n.casefold()] for n in row.legal_basis]
        return co, legal

    def _component(self, c: ComponentRow, page_id: int | None, order: int) -> ProcedureComponent:
        return ProcedureComponent(
            page_id=page_id, name=c.name, copies=c.copies, kind=c.kind, sort_order=order,
            form_template_id=self.ctx.documents[c.template] if c.template else None,
            locale=self.ctx.locale, translation_key=uuid.uuid4(),
        )

    # -- creating, in bulk
    def create_batch(self, rows: list[ProcedureRow]) -> list[int]:
        """Insert the rows' pages, children and links; return the page ids.
        Runs inside the caller's savepoint."""
        now = timezone.now()
        last = (Page.objects.filter(path__startswith=self.parent.path, depth=self.parent.depth + 1)
                .order_by("-path").values_list("path", flat=True).first())
        position = Page._str2int(last[-Page.steplen:]) if last else 0
        depth = self.parent.depth + 1
        pages, slugs = [], []
        for row in rows:
            position += 1
            slug = self._slug_for(row)
            self.slugs.add(slug)
            slugs.append(slug)
            # One ProcedurePage object carries both tables' columns; building
            # a separate Page instance would double the (costly) Page.__init__.
            pages.append(ProcedurePage(
                title=row.name, draft_title=row.name, slug=slug, content_type=self.content_type,
                locale=self.ctx.locale, translation_key=uuid.uuid4(),
                path=Page._get_path(self.parent.path, depth, position), depth=depth, numchild=0,
                url_path=f"{self.parent.url_path}{slug}/", live=True, has_unpublished_changes=False,
                first_published_at=now, last_published_at=now, latest_revision_created_at=None,
                owner=self.user, **self._field_values(row),
            ))
        try:
            # bulk_create refuses multi-table models: insert Page's table, then
            # ProcedurePage's own table with the new ids.
            page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
            page_queryset = Page.objects.all()
            page_queryset._for_write = True
            returned = page_queryset._batched_insert(pages, page_fields, batch_size=None)
            if len(returned) == len(pages):
                for page, (pk,) in zip(pages, returned, strict=True):
                    page.pk = page.id = page.page_ptr_id = pk
            else:  # a backend that does not return ids
                by_path = dict(Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "pk"))
                for page in pages:
                    page.pk = page.id = page.page_ptr_id = by_path[page.path]
            queryset = ProcedurePage.objects.all()
            queryset._for_write = True
            queryset._batched_insert(pages, list(ProcedurePage._meta.local_concrete_fields), batch_size=None)
            components, co_links, legal_links, logs = [], [], [], []
            for row, page in zip(rows, pages, strict=True):
                components += [
                    (page.pk, c.name, c.copies, c.kind, i,
                     self.ctx.documents[c.template] if c.template else None, self.ctx.locale.pk, uuid.uuid4())
                    for i, c in enumerate(row.components)
                ]
                co, legal = self._relations(row)
                co_links += [(page.pk, a) for a in co]
                legal_links += [(page.pk, d) for d in legal]
                logs.append((self.content_type.pk, page.pk, row.name, "wagtail.create", self.user.pk if self.user else
                             None, now, True, False, {"source": "import_procedures"}, uuid.uuid4()))
            _fast_insert(ProcedureComponent, ("page", "name", "copies", "kind", "sort_order", "form_template",
                                              "locale", "translation_key"), components)
            _fast_insert(ProcedurePage.co_agencies.through, ("procedurepage", "agency"), co_links)
            _fast_insert(ProcedurePage.legal_basis.through, ("procedurepage", "legaldocumentpage"), legal_links)
            _fast_insert(PageLogEntry, ("content_type", "page", "label", "action", "user", "timestamp",
                                        "content_changed", "deleted", "data", "uuid"), logs)
            Page.objects.filter(pk=self.parent.pk).update(numchild=F("numchild") + len(pages))
        except Exception:
            for slug in slugs:
                self.slugs.discard(slug)
            raise
        return [p.pk for p in pages]

    # -- updating, one page at a time through Wagtail's revisions
    def update(self, row: ProcedureRow, page_id: int) -> None:
        page = ProcedurePage.objects.get(pk=page_id)
        values = self._field_values(row)
        for name, value in values.items():
            setattr(page, name, value)
        page.title = page.draft_title = row.name
        co, legal = self._relations(row)
        page.co_agencies = list(Agency.objects.filter(pk__in=co))
        page.legal_basis = list(LegalDocumentPage.objects.filter(pk__in=legal))
        existing = list(page.components.all())
        components = []
        for i, c in enumerate(row.components):
            obj = existing[i] if i < len(existing) else self._component(c, page.pk, i)
            obj.name, obj.copies, obj.kind, obj.sort_order = c.name, c.copies, c.kind, i
            obj.form_template_id = self.ctx.documents[c.template] if c.template else None
            components.append(obj)
        page.components = components
        revision = page.save_revision(user=self.user, log_action=True)
        revision.publish(user=self.user, skip_permission_checks=True)
        self._sync_translations(page, values, co, legal)

    def _sync_translations(self, page: ProcedurePage, values: dict, co: list[int], legal: list[int]) -> None:
        """Carry the language-independent values (the model's synchronised
        fields) to the page's live translations; their texts stay as
        translated. Their drafts are left alone: wagtail-localize refreshes
        synchronised fields from the source when a translation is synced."""
        ids = list(ProcedurePage.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk)
                   .values_list("pk", flat=True))
        if not ids:
            return
        synced = {k: values[k] for k in ("code", "field", "agency", "tier", "level", "processing_time",
                                         "processing_unit", "fee_vnd", "submission_methods")}
        ProcedurePage.objects.filter(pk__in=ids).update(**synced)
        co_through = ProcedurePage.co_agencies.through
        legal_through = ProcedurePage.legal_basis.through
        co_through.objects.filter(procedurepage_id__in=ids).delete()
        legal_through.objects.filter(procedurepage_id__in=ids).delete()
        co_through.objects.bulk_create([co_through(procedurepage_id=i, agency_id=a) for i in ids for a in co])
        legal_through.objects.bulk_create(
            [legal_through(procedurepage_id=i, legaldocumentpage_id=d) for i in ids for d in legal])


def _record_template_references(page_ids: list[int]) -> None:
    """Tell Wagtail's reference index which new pages use a form template,
    so a document's usage list shows them (the bulk insert skipped the
    signal that does it). Only pages with templates: few, and cheap."""
    from wagtail.models import ReferenceIndex

    for start in range(0, len(page_ids), 900):
        chunk = page_ids[start:start + 900]
        with_templates = set(ProcedureComponent.objects.filter(page_id__in=chunk, form_template__isnull=False)
                             .values_list("page_id", flat=True))
        for page in ProcedurePage.objects.filter(pk__in=with_templates):
            ReferenceIndex.create_or_update_for_object(page)


def _fast_insert(model, field_names: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT many rows of plain values with `executemany`, each value made
    ready by its model field as `save()` would: no model instances, which
    cost more than the insert itself for 10,000 pages' children."""
    if not rows:
        return
    from django.db import connection

    fields = [model._meta.get_field(name) for name in field_names]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    prepared = [
        tuple(f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True)) for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), BATCH_SIZE * 4):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                               prepared[start:start + BATCH_SIZE * 4])


def _index(page_ids: list[int]) -> None:
    """Add newly inserted pages to the search index in bulk."""
    from wagtail.search.backends import get_search_backends

    if not page_ids:
        return
    pages = list(ProcedurePage.objects.filter(pk__in=page_ids).select_related("field", "agency")
                 .prefetch_related("components"))
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(ProcedurePage, pages)


def apply_plan(plan: ImportPlan, ctx: ImportContext, *, parent: Page | None = None, user=None,
               batch_size: int = BATCH_SIZE, index: bool = True) -> ImportResult:
    """Write a plan: create new pages in batches and update changed ones,
    each batch or row in its own savepoint."""
    result = ImportResult(unchanged=len(plan.unchanged), refused=list(plan.refused), warnings=plan.warnings,
                          new_fields=list(plan.new_fields))
    if not plan.created and not plan.updated:
        return result
    writer = _Writer(ctx, parent or default_parent(ctx.locale), user)
    # Fields first, outside the row savepoints, so a rolled-back batch never
    # leaves a cached field that is not in the database.
    with transaction.atomic():
        for row in (*plan.created, *plan.updated):
            ctx.get_or_create_field(row.field)
    created_ids: list[int] = []
    for start in range(0, len(plan.created), batch_size):
        batch = plan.created[start:start + batch_size]
        try:
            with transaction.atomic():
                created_ids += writer.create_batch(batch)
                result.created += len(batch)
        except (DatabaseError, ValueError):
            for row in batch:  # find the culprit: one savepoint per row
                try:
                    with transaction.atomic():
                        created_ids += writer.create_batch([row])
                        result.created += 1
                except (DatabaseError, ValueError) as error:
                    result.refused.append(RefusedRow(row.line, row.code, [_db_reason(error)]))
    for row in plan.updated:
        try:
            with transaction.atomic():
                writer.update(row, plan.existing[row.code][0])
                result.updated += 1
        except (DatabaseError, ValueError) as error:
            result.refused.append(RefusedRow(row.line, row.code, [_db_reason(error)]))
    if index:
        for start in range(0, len(created_ids), batch_size):
            _index(created_ids[start:start + batch_size])
    _record_template_references(created_ids)
    result.refused.sort(key=lambda r: r.line)
    return result


def _db_reason(error: Exception) -> str:
    if isinstance(error, IntegrityError):
        return _("The database refused the row: %(error)s") % {"error": str(error).splitlines()[0]}
    return _("The row could not be saved: %(error)s") % {"error": str(error).splitlines()[0]}


def import_file(stream: IO[bytes], filename: str, *, parent: Page | None = None, user=None,
                dry_run: bool = False, index: bool = True) -> tuple[ImportPlan, ImportResult | None]:
    """Read, check and (unless `dry_run`) write one file."""
    ctx = ImportContext()
    plan = plan_import(read_table(stream, filename), ctx)
    if dry_run:
        return plan, None
    return plan, apply_plan(plan, ctx, parent=parent, user=user, index=index)
