"""Checking rows against the catalogue: each row becomes a `ProcedureRow` in
the values a page stores, or a list of reasons it is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.models import Locale

from core.text import fold, to_slug

from ..models import (
    Agency,
    ComponentKind,
    FeeDue,
    Field,
    LegalDocumentPage,
    ProcessingUnit,
    ResultMethod,
    SubmissionMethod,
    Tier,
    check_fees,
    split_lines,
)
from .reading import REQUIRED

CODE_RE = re.compile(r"^[0-9A-Za-z.\-_]{1,40}$")
FEE_RE = re.compile(r"^(\d+|\d{1,3}(?:([.,\s])\d{3})(?:\2\d{3})*)$")


TIER_ALIASES = {
    "province": Tier.PROVINCE, "tinh": Tier.PROVINCE, "cap tinh": Tier.PROVINCE,
    "district": Tier.DISTRICT, "huyen": Tier.DISTRICT, "cap huyen": Tier.DISTRICT,
    "commune": Tier.COMMUNE, "xa": Tier.COMMUNE, "cap xa": Tier.COMMUNE,
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

DUE_ALIASES = {
    "": FeeDue.SUBMISSION, "submission": FeeDue.SUBMISSION, "at submission": FeeDue.SUBMISSION,
    "khi nop": FeeDue.SUBMISSION, "khi nop ho so": FeeDue.SUBMISSION, "nop ho so": FeeDue.SUBMISSION,
    "notice": FeeDue.NOTICE, "fee notice": FeeDue.NOTICE, "on notice": FeeDue.NOTICE,
    "thong bao": FeeDue.NOTICE, "theo thong bao": FeeDue.NOTICE, "khi co thong bao": FeeDue.NOTICE,
    "khi thong bao": FeeDue.NOTICE,
}
# how `export` writes when a fee item is owed
DUE_LABELS_VI = {FeeDue.SUBMISSION: "khi nộp", FeeDue.NOTICE: "thông báo"}
YES_NO = {
    "yes": True, "y": True, "true": True, "1": True, "co": True, "x": True,
    "no": False, "n": False, "false": False, "0": False, "khong": False, "": False,
}
RESULT_METHOD_ALIASES = {
    "office": ResultMethod.OFFICE, "at the office": ResultMethod.OFFICE, "tai co quan": ResultMethod.OFFICE,
    "truc tiep": ResultMethod.OFFICE, "nhan truc tiep": ResultMethod.OFFICE,
    "post": ResultMethod.POST, "by post": ResultMethod.POST, "buu chinh": ResultMethod.POST,
    "qua buu chinh": ResultMethod.POST, "qua dich vu buu chinh": ResultMethod.POST,
    "online": ResultMethod.ONLINE, "truc tuyen": ResultMethod.ONLINE, "nhan truc tuyen": ResultMethod.ONLINE,
}


@dataclass(frozen=True)
class FeeRow:
    """One fee item of the `fee_items` cell: `name | amount | due | payer |
    exemptions`, each on one line."""

    name: str
    amount: int
    due: str = FeeDue.SUBMISSION.value
    payer: str = ""
    exemptions: str = ""

    def to_cell(self) -> str:
        parts = [self.name, str(self.amount), DUE_LABELS_VI[FeeDue(self.due)], self.payer, self.exemptions]
        while len(parts) > 3 and not parts[-1]:
            parts.pop()
        return " | ".join(parts)


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
    # The optional columns; None while the file does not have the column
    # (`complete` then takes the existing page's value, or the default).
    fee_items: tuple[FeeRow, ...] | None = None
    online_payment: bool | None = None
    result_methods: tuple[str, ...] | None = None
    warnings: list[str] = field(default_factory=list)

    def signature(self, field_obj: Field | None) -> tuple:
        """What the page would store, for comparing with an existing page
        (after `complete`)."""
        return (
            self.name, field_obj.pk if field_obj else self.field, self.agency_code, self.tier, self.level,
            self.processing_time, self.processing_unit, self.fee_vnd, self.fee_note, self.co_agency_codes,
            self.applicants, self.steps, self.components, self.submission_methods, self.result,
            self.requirements, self.legal_basis, self.fee_items, self.online_payment, self.result_methods,
        )

    def complete(self, stored_signature: tuple | None) -> None:
        """Fill the optional columns the file left out: an existing page's
        values (its signature, as `page_signature` makes it), else a new
        page's defaults (no fee items, no online payment, the result at the
        office)."""
        stored = dict(zip(OPTIONAL_FIELDS, stored_signature[-len(OPTIONAL_FIELDS):], strict=True)) \
            if stored_signature else {"fee_items": (), "online_payment": False, "result_methods": ()}
        for name in OPTIONAL_FIELDS:
            if getattr(self, name) is None:
                setattr(self, name, stored[name])

    def rule_errors(self) -> list[str]:
        """The fee and level-4 rules (`procedures.models.fee_rules`, the same
        as the page editor's), after `complete`; an empty `fee_vnd` with fee
        items becomes their total."""
        check = check_fees(level=self.level, fee_vnd=self.fee_vnd, item_amounts=[f.amount for f in self.fee_items],
                           online_payment=self.online_payment, result_methods=self.result_methods)
        self.fee_vnd = check.fee_vnd
        return [_("“%(column)s”: %(message)s") % {"column": name, "message": message}
                for name, message in check.errors.items()]


#: The row's optional values, last in its signature.
OPTIONAL_FIELDS = ("fee_items", "online_payment", "result_methods")


def _lines_text(text: str) -> str:
    return "\n".join(split_lines(text))


def _note_text(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")).strip()


def format_processing(amount: Decimal, unit: str) -> str:
    """The `processing_days` cell for a page's processing time."""
    number = format(amount.normalize(), "f") if amount is not None else ""
    return number if unit == ProcessingUnit.WORKING_DAYS else f"{number} {unit}"


def page_signature(values: dict, *, agency_code: str, components, co_codes, legal_numbers,
                   template_names, fees=()) -> tuple:
    """The same tuple as `ProcedureRow.signature` for a stored page, from
    its column values (no model instances: comparing 10,000 pages stays fast).
    `fees` are its fee items as (name, amount, due, payer, exemptions)."""
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
        tuple(FeeRow(_one_line(name), amount, due, _one_line(payer), _one_line(exemptions))
              for name, amount, due, payer, exemptions in fees),
        bool(values["online_payment"]), ordered_result_methods(values["result_methods"]),
    )


def ordered_result_methods(methods) -> tuple[str, ...]:
    """Result methods in the fixed order office, post, online (their order
    carries no meaning)."""
    chosen = set(methods or ())
    return tuple(m for m in ResultMethod.values if m in chosen)


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


class ImportContext:
    """The lookup tables a file is checked against, loaded once."""

    def __init__(self, locale: Locale | None = None):
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
            or self.fields_by_code.get(to_slug(value))
        )

    def new_field_code(self, name: str) -> str:
        base = (to_slug(name) or "linh-vuc")[:60]
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
        errors.append(_("The row has more cells than the %(n)d columns.") % {"n": int(cells["__extra__"])})
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
        tier = TIER_ALIASES.get(fold(cells["tier"]))
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
        unit = UNIT_ALIASES.get(fold(match.group(2))) if match else None
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
    if cells.get("fee_vnd", "").strip():
        fee = parse_amount(cells["fee_vnd"])
        if fee is None:
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
        method = METHOD_ALIASES.get(fold(value))
        if method is None:
            errors.append(_("Submission method “%(value)s” is not one of in_person, online, post.") % {"value": value})
        elif method.value not in methods:
            methods.append(method.value)

    fee_items = None
    if "fee_items" in cells:
        fee_items = []
        for value in _split_values(cells["fee_items"]):
            item, problem = _parse_fee_item(value)
            if problem:
                errors.append(problem)
            else:
                fee_items.append(item)
        fee_items = tuple(fee_items)

    online_payment = None
    if "online_payment" in cells:
        online_payment = YES_NO.get(fold(cells["online_payment"]))
        if online_payment is None:
            errors.append(_("“online_payment” must be yes or no (có, không, 1, 0), not “%(value)s”.")
                          % {"value": cells["online_payment"]})

    result_methods = None
    if "result_methods" in cells:
        chosen = []
        for value in re.split(r"[,;\n]", cells["result_methods"]):
            if not value.strip():
                continue
            method = RESULT_METHOD_ALIASES.get(fold(value))
            if method is None:
                errors.append(_("Result method “%(value)s” is not one of office, post, online (tại cơ quan, "
                                "bưu chính, trực tuyến).") % {"value": value.strip()})
            else:
                chosen.append(method.value)
        result_methods = ordered_result_methods(chosen)

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
        legal_basis=tuple(numbers), fee_items=fee_items, online_payment=online_payment,
        result_methods=result_methods, warnings=warnings,
    ), []


def parse_amount(text: str) -> int | None:
    """Whole đồng as a file writes them (`50000`, `50.000`, `50 000 đồng`), or None."""
    raw = text.replace("đồng", "").replace("đ", "").strip()
    return int(re.sub(r"\D", "", raw)) if FEE_RE.match(raw) else None


def _parse_fee_item(value: str) -> tuple[FeeRow | None, str]:
    parts = [p.strip() for p in value.split("|", 4)]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None, _("Fee item “%(value)s” is not “name | amount | when owed | who pays | exemptions” "
                       "(name and amount are required).") % {"value": value}
    amount = parse_amount(parts[1])
    if amount is None:
        return None, _("Fee item “%(value)s”: the amount “%(amount)s” is not whole đồng (e.g. 50.000).") % {
            "value": value, "amount": parts[1]}
    due = DUE_ALIASES.get(fold(parts[2])) if len(parts) > 2 else FeeDue.SUBMISSION
    if due is None:
        return None, _("Fee item “%(value)s”: when it is owed must be “khi nộp” (submission) or “thông báo” "
                       "(notice).") % {"value": value}
    name, payer = _one_line(parts[0]), _one_line(parts[3]) if len(parts) > 3 else ""
    if len(name) > 255 or len(payer) > 255:
        return None, _("Fee item “%(value)s”: the name and who pays may have at most 255 characters each.") % {
            "value": value}
    exemptions = _one_line(parts[4]) if len(parts) > 4 else ""
    return FeeRow(name, amount, due.value, payer, exemptions), ""


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
        kind = KIND_ALIASES.get(fold(parts[2]))
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
