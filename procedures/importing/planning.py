"""Sorting validated rows into created, updated, unchanged and refused,
before anything is written (the admin's preview shows this plan)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from ..models import ProcedureComponent, ProcedureFee, ProcedurePage
from .reading import read_table
from .validation import ImportContext, ProcedureRow, page_signature, validate_row


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
                     "requirements", "online_payment", "result_methods")


def _existing_pages(ctx: ImportContext, codes: Iterable[str]) -> dict[str, tuple[int, tuple]]:
    """code → (page id, stored signature) of the existing pages with these codes."""
    codes = list(codes)
    found: dict[str, tuple[int, tuple]] = {}
    co_through = ProcedurePage.co_agencies.through
    legal_through = ProcedurePage.legal_basis.through
    for start in range(0, len(codes), 900):
        chunk = codes[start:start + 900]
        rows = list(ProcedurePage.objects.filter(locale=ctx.locale, code__in=chunk).order_by("path")
                    .values(*SIGNATURE_COLUMNS))
        ids = [r["pk"] for r in rows]
        components, co, legal, fees = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
        for page_id, name, copies, kind, template_id in (
            ProcedureComponent.objects.filter(page_id__in=ids).order_by("page_id", "sort_order", "pk")
            .values_list("page_id", "name", "copies", "kind", "form_template_id")
        ):
            components[page_id].append((name, copies, kind, template_id))
        for page_id, *fee in (
            ProcedureFee.objects.filter(page_id__in=ids).order_by("page_id", "sort_order", "pk")
            .values_list("page_id", "name", "amount_vnd", "due", "payer", "exemptions")
        ):
            fees[page_id].append(fee)
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
                template_names=ctx.document_names, fees=fees[r["pk"]],
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
        stored = plan.existing.get(row.code)
        # the optional columns a file left out keep the page's values; then
        # the fee and level-4 rules, as the page editor applies them
        row.complete(stored[1] if stored else None)
        errors = row.rule_errors()
        if errors:
            plan.refused.append(RefusedRow(row.line, row.code, errors))
            continue
        if ctx.find_field(row.field) is None:
            new_fields.setdefault(row.field, None)
        if stored is None:
            plan.created.append(row)
        elif stored[1] == _row_signature(row, ctx):
            plan.unchanged.append(row)
        else:
            plan.updated.append(row)
    plan.new_fields = list(new_fields)
    plan.refused.sort(key=lambda r: r.line)
    return plan


def plan_file(stream: IO[bytes], filename: str, ctx: ImportContext | None = None) -> ImportPlan:
    ctx = ctx or ImportContext()
    return plan_import(read_table(stream, filename), ctx)
