"""Daily reconciliation per provider: our payments of a day against the
provider's word, mismatches flagged, kept (`Reconciliation`) and exported.

Our records of a day are the provider's payments started or paid that day
(local time), within what the person reconciling may see
(`payments.payment_scope.visible_payments`). The provider's word is either:

* **its answers to queries** (`reconcile_by_query`): each of our pending or
  paid payments is asked about. A pending payment the provider says is paid
  is settled there and then through `services.apply_result(source="query")`
  (which locks the payment, so it is credited once however often this runs,
  and refuses a wrong amount) and shown as settled now. Nothing else is
  changed by a query: a "not paid" answer may only mean the applicant is
  still on the bank's page, and ending the payment then would turn away the
  bank's later confirmation;
* **a statement** the provider sent, uploaded as `.csv` (UTF-8, comma or
  semicolon) or `.xlsx` (`read_statement`). Its first row names the columns
  `reference, provider_reference, amount_vnd, status, paid_at` (any order;
  other columns are ignored): our reference (vnp_TxnRef), their transaction
  number, the amount in đồng, one of `paid, failed, cancelled, pending,
  refunded` (or `00`, or the Vietnamese words), and the paid time
  (`2025-07-14 09:30`, `14/07/2025 09:30` or VNPay's `20250714093000`).
  Each line is kept as a `PaymentNotification(source="statement")`, not
  verified (a spreadsheet carries no signature), and a statement never
  settles anything: it only flags. Lines with a problem are reported by line
  number and left out; lines about payments the uploader may not see (other
  agencies') are counted and left out.

A line is flagged when it is missing on the provider's side (we say paid,
they have nothing), missing in our records (they list a reference we do
not know), when the amounts differ, when the states differ (money taken on
one side and not on the other), when it could not be checked (the provider
could not be reached, or its answer was not verified), or when a statement
lists a reference twice.

The providers are found through `_provider_for` and `_enabled_providers`,
this app's only use of the registry in `payments.providers`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.exports import safe_cell, text_cell, unquote_cell
from core.text import fold
from eforms import ooxml

from . import providers as registry
from .models import Payment, PaymentNotification, PaymentState, Reconciliation, ReconciliationMode
from .providers.base import Outcome, PaymentProvider, ProviderError, ProviderResult
from .services import apply_result

# ---------------------------------------------------------------- providers


def _provider_for(code: str) -> PaymentProvider | None:
    """The provider stored as `code`, or None when the portal has none."""
    try:
        return registry.get_provider(code)
    except LookupError:
        return None


def _enabled_providers() -> list[PaymentProvider]:
    return list(registry.enabled_providers())


def enabled_provider_codes() -> list[str]:
    return [provider.code for provider in _enabled_providers()]


def provider_label(code: str) -> str:
    provider = _provider_for(code)
    return str(provider.label) if provider is not None and provider.label else code


def provider_choices() -> list[tuple[str, str]]:
    """The enabled providers, and any other provider our payments name
    (a provider switched off since still has payments to reconcile)."""
    choices = {p.code: str(p.label or p.code) for p in _enabled_providers()}
    for code in Payment.objects.order_by().values_list("provider", flat=True).distinct():
        choices.setdefault(code, provider_label(code))
    return sorted(choices.items(), key=lambda item: item[1])


# ---------------------------------------------------------------- states and flags

THEIR_STATES = {
    "paid": pgettext_lazy("payment", "Paid"),
    "not_paid": pgettext_lazy("payment", "Not paid"),
    "pending": pgettext_lazy("payment", "Waiting for the payment"),
    "failed": pgettext_lazy("payment", "Failed"),
    "cancelled": pgettext_lazy("payment", "Cancelled"),
    "refunded": pgettext_lazy("payment", "Refunded"),
    "missing": pgettext_lazy("payment", "No record"),
    "not_asked": pgettext_lazy("payment", "Not asked"),
    "unknown": pgettext_lazy("payment", "Unknown"),
}
#: their states that are an answer about money
ANSWERED = frozenset({"paid", "not_paid", "pending", "failed", "cancelled", "refunded"})

MISSING_THEIRS = "missing_theirs"
MISSING_OURS = "missing_ours"
AMOUNT = "amount"
STATE = "state"
ERROR = "error"
DUPLICATE = "duplicate"
SETTLED = "settled"
FLAGS = {
    MISSING_THEIRS: gettext_lazy("Missing on the provider's side"),
    MISSING_OURS: gettext_lazy("Missing in our records"),
    AMOUNT: gettext_lazy("Amount differs"),
    STATE: gettext_lazy("State differs"),
    ERROR: gettext_lazy("Could not be checked"),
    DUPLICATE: gettext_lazy("Listed more than once"),
    SETTLED: gettext_lazy("Settled now"),
}
MISMATCHES = frozenset({MISSING_THEIRS, MISSING_OURS, AMOUNT, STATE, ERROR, DUPLICATE})


class ReconciliationError(Exception):
    """The reconciliation cannot run (the message says why, translated)."""


def is_flagged(line: dict) -> bool:
    return bool(MISMATCHES.intersection(line["flags"]))


def state_label(code: str) -> str:
    """A state of ours (`PaymentState`) or the provider's, in words. Own
    labels with a context: the bare words ("Failed", "Cancelled") already
    mean a failed message or a cancelled dossier in the catalogues."""
    return str(THEIR_STATES.get(code, code))


def result_label(line: dict) -> str:
    if line["flags"]:
        return "; ".join(str(FLAGS.get(flag, flag)) for flag in line["flags"])
    return _("Matches") if line["their_state"] in ANSWERED else ""


def _money_class(state: str) -> str:
    return state if state in ("paid", "refunded") else "unpaid"


def _compare(line: dict) -> None:
    """Flag a line whose both sides answered: money taken on one side only,
    or different amounts."""
    if line["payment"] is None or line["their_state"] not in ANSWERED:
        return
    if _money_class(line["our_state"]) != _money_class(line["their_state"]):
        line["flags"].append(STATE)
    if line["their_amount"] is not None and line["their_amount"] != line["our_amount"]:
        line["flags"].append(AMOUNT)


def _line(payment: Payment | None) -> dict:
    return {
        "line": None,
        "payment": payment.pk if payment is not None else None,
        "reference": payment.reference if payment is not None else "",
        "provider_reference": payment.provider_reference if payment is not None else "",
        "dossier": (payment.dossier.code or "") if payment is not None else "",
        "our_state": payment.state if payment is not None else "",
        "our_amount": payment.amount_vnd if payment is not None else None,
        "their_state": "",
        "their_amount": None,
        "their_paid_at": "",
        "flags": [],
        "note": "",
    }


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i:s") if moment else ""


# ---------------------------------------------------------------- our records of a day


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def day_payments(payments: QuerySet[Payment], provider: str, day: dt.date) -> QuerySet[Payment]:
    """`payments` of `provider` started or paid on `day` (local time)."""
    start, end = day_bounds(day)
    return (payments.filter(provider=provider)
            .filter(Q(created_at__gte=start, created_at__lt=end) | Q(paid_at__gte=start, paid_at__lt=end))
            .select_related("dossier").order_by("created_at", "pk"))


def _totals(lines: list[dict]) -> dict:
    ours = [line for line in lines if line["payment"] is not None]
    ours_paid = [line for line in ours if line["our_state"] == PaymentState.PAID]
    theirs = [line for line in lines if line["their_state"] in ANSWERED]
    theirs_paid = [line for line in theirs if line["their_state"] == "paid"]
    flagged = sum(1 for line in lines if is_flagged(line))
    return {
        "ours": len(ours),
        "ours_paid": len(ours_paid),
        "ours_paid_vnd": sum(line["our_amount"] or 0 for line in ours_paid),
        "theirs": len(theirs),
        "theirs_paid": len(theirs_paid),
        "theirs_paid_vnd": sum(line["their_amount"] or 0 for line in theirs_paid),
        "matched": sum(1 for line in theirs if not is_flagged(line)),
        "mismatches": flagged,
        "settled": sum(1 for line in lines if SETTLED in line["flags"]),
    }


def _save(provider: str, day: dt.date, mode: str, lines: list[dict], *, user, actor_label: str, now,
          extra: dict | None = None, statement_name: str = "", statement_sha256: str = "") -> Reconciliation:
    totals = _totals(lines) | (extra or {})
    return Reconciliation.objects.create(
        provider=provider, day=day, mode=mode, created_at=now,
        created_by=user if user is not None and getattr(user, "pk", None) else None,
        created_by_label=actor_label[:255], statement_name=statement_name[:255], statement_sha256=statement_sha256,
        totals=totals, lines=lines, mismatches=totals["mismatches"],
    )


# ---------------------------------------------------------------- asking the provider


def _record_query(payment: Payment, provider: str, result: ProviderResult | None, line: dict, now) -> None:
    PaymentNotification.objects.create(
        payment=payment, provider=provider, source=PaymentNotification.Source.QUERY, received_at=now,
        raw=dict(result.raw) if result is not None else {"error": line["note"]},
        verified=bool(result is not None and result.verified),
        answer="flagged" if is_flagged(line) else "matched",
    )


def _ask(provider: PaymentProvider, payment: Payment, line: dict, now) -> None:
    """Query one payment, settle it if it is pending and the provider says
    paid, and fill in the provider's side of its line."""
    try:
        result = provider.query(payment)
    except ProviderError as error:
        line.update(their_state="unknown", note=str(error)[:500] or _("The provider could not be reached."))
        line["flags"].append(ERROR)
        _record_query(payment, provider.code or payment.provider, None, line, now)
        return
    if not result.verified:
        line.update(their_state="unknown", note=_("The provider's answer could not be verified."))
        line["flags"].append(ERROR)
    elif result.reference and result.reference != payment.reference:
        line.update(their_state="unknown",
                    note=_("The provider answered about another reference (%(reference)s).")
                    % {"reference": result.reference})
        line["flags"].append(ERROR)
    elif not result.success and result.amount_vnd is None and not result.cancelled:
        # no amount and no outcome: the provider has no such transaction
        line.update(their_state="missing", note=result.message or result.status_code)
    else:
        their_state = "paid" if result.success else "cancelled" if result.cancelled else "not_paid"
        line.update(their_state=their_state, their_amount=result.amount_vnd,
                    their_paid_at=_when(result.paid_at), note=result.message or result.status_code)
        if result.provider_reference:
            line["provider_reference"] = result.provider_reference
        if result.success and payment.state == PaymentState.PENDING:
            outcome = apply_result(dataclasses.replace(result, reference=payment.reference),
                                   provider=payment.provider, source=PaymentNotification.Source.QUERY, now=now)
            payment.refresh_from_db()
            line["our_state"] = payment.state
            if outcome == Outcome.CONFIRMED:
                line["flags"].append(SETTLED)
            _compare(line)
            return  # apply_result kept the answer
    if line["their_state"] == "missing" and payment.state in (PaymentState.PAID, PaymentState.REFUNDED):
        line["flags"].append(MISSING_THEIRS)
    _compare(line)
    _record_query(payment, payment.provider, result, line, now)


def reconcile_by_query(provider_code: str, day: dt.date, payments: QuerySet[Payment], *, user=None,
                       actor_label: str, min_age: dt.timedelta | None = None, now=None) -> Reconciliation:
    """Ask the provider about each of `payments` of the day that is pending
    or paid; pending ones younger than `min_age` are left alone (the
    applicant may still be paying)."""
    provider = _provider_for(provider_code)
    if provider is None:
        raise ReconciliationError(
            _("The portal cannot ask %(provider)s about its transactions: upload its statement instead.")
            % {"provider": provider_code})
    now = now or timezone.now()
    lines = []
    for payment in day_payments(payments, provider_code, day):
        line = _line(payment)
        if payment.state not in (PaymentState.PENDING, PaymentState.PAID):
            line["their_state"] = "not_asked"
        elif payment.state == PaymentState.PENDING and min_age and payment.created_at > now - min_age:
            line.update(their_state="not_asked", note=_("Started less than %(minutes)d minutes ago.")
                        % {"minutes": int(min_age.total_seconds() // 60)})
        else:
            _ask(provider, payment, line, now)
        lines.append(line)
    return _save(provider_code, day, ReconciliationMode.QUERY, lines, user=user, actor_label=actor_label, now=now)


# ---------------------------------------------------------------- statements

STATEMENT_COLUMNS = ("reference", "provider_reference", "amount_vnd", "status", "paid_at")
MAX_STATEMENT_BYTES = 5 * 1024 * 1024
MAX_STATEMENT_ROWS = 20_000
STATUS_WORDS = {
    "paid": "paid", "success": "paid", "successful": "paid", "00": "paid", "thanh cong": "paid",
    "da thanh toan": "paid",
    "failed": "failed", "that bai": "failed", "khong thanh cong": "failed",
    "cancelled": "cancelled", "canceled": "cancelled", "huy": "cancelled", "da huy": "cancelled",
    "pending": "pending", "cho thanh toan": "pending", "dang xu ly": "pending", "chua thanh toan": "pending",
    "refunded": "refunded", "hoan tien": "refunded", "da hoan tien": "refunded",
}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                "%Y%m%d%H%M%S")
GROUPED_AMOUNT = re.compile(r"\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*")


class StatementError(Exception):
    """The statement as a whole cannot be read (the message says why, translated)."""


@dataclass
class StatementRow:
    line: int
    reference: str
    provider_reference: str
    amount_vnd: int
    status: str
    paid_at: dt.datetime | None
    raw: dict = field(default_factory=dict)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return unquote_cell(str(value)).strip()


def _amount(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = _text(value).replace("\u00a0", " ")
    for unit in ("VND", "vnd", "đồng", "đ", "₫"):
        text = text.removesuffix(unit).strip()
    if text.isdigit():
        return int(text)
    if GROUPED_AMOUNT.fullmatch(text):
        return int(re.sub(r"\D", "", text))
    return None


def _paid_at(value) -> tuple[dt.datetime | None, bool]:
    """(time, readable): an empty cell is (None, True)."""
    if isinstance(value, dt.datetime):
        return (timezone.make_aware(value) if timezone.is_naive(value) else value), True
    text = _text(value)
    if not text:
        return None, True
    for pattern in TIME_FORMATS:
        try:
            moment = dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return timezone.make_aware(moment), True
    return None, False


def _csv_rows(upload) -> Iterable[list]:
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementError(_("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(upload) -> Iterable[list]:
    # openpyxl is heavy to import and only .xlsx uploads need it
    from openpyxl import load_workbook

    if ooxml.inspect(upload) != ooxml.XLSX:
        raise StatementError(_("The file is not a sound .xlsx workbook, or it holds macros or active content."))
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise StatementError(_("The file is not a valid .xlsx workbook.")) from None
    try:
        rows = [list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    return rows


def read_statement(upload) -> tuple[list[StatementRow], list[dict]]:
    """The statement's readable lines, and its problems as
    [{"line": n, "message": text in the active language}]; raises
    `StatementError` when the file as a whole cannot be read."""
    name = getattr(upload, "name", "") or ""
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise StatementError(_("Upload the statement as a .csv or .xlsx file."))
    if (getattr(upload, "size", 0) or 0) > MAX_STATEMENT_BYTES:
        raise StatementError(_("The statement is larger than %(size)d MB; split it by day.")
                             % {"size": MAX_STATEMENT_BYTES // (1024 * 1024)})
    rows = iter(_csv_rows(upload) if suffix == ".csv" else _xlsx_rows(upload))
    try:
        header = [fold(_text(cell)).replace(" ", "_") for cell in next(rows)]
    except StopIteration:
        raise StatementError(_("The statement is empty.")) from None
    missing = [column for column in STATEMENT_COLUMNS if column not in header]
    if missing:
        raise StatementError(
            _("The first row must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(STATEMENT_COLUMNS), "missing": ", ".join(missing)})
    where = {column: header.index(column) for column in STATEMENT_COLUMNS}
    found, problems = [], []
    for number, values in enumerate(rows, start=2):
        values = list(values)
        if not any(_text(v) for v in values):
            continue
        if len(found) + len(problems) >= MAX_STATEMENT_ROWS:
            raise StatementError(_("The statement has more than %(max)d lines; split it.")
                                 % {"max": MAX_STATEMENT_ROWS})
        values += [None] * (len(header) - len(values))
        cells = {column: values[index] for column, index in where.items()}
        row, row_problems = _statement_row(number, cells)
        if row_problems:
            problems.append({"line": number, "message": _("Line %(line)d: %(problems)s")
                             % {"line": number, "problems": " ".join(row_problems)}})
        else:
            found.append(row)
    return found, problems


def _statement_row(number: int, cells: dict) -> tuple[StatementRow | None, list[str]]:
    problems = []
    reference = _text(cells["reference"])
    if not reference:
        problems.append(_("The reference is missing."))
    elif len(reference) > 40:
        problems.append(_("The reference is longer than 40 characters."))
    provider_reference = _text(cells["provider_reference"])
    if len(provider_reference) > 64:
        problems.append(_("The provider's reference is longer than 64 characters."))
    amount = _amount(cells["amount_vnd"])
    if amount is None:
        problems.append(_("The amount “%(value)s” is not a whole number of đồng.")
                        % {"value": _text(cells["amount_vnd"])[:40]})
    status = STATUS_WORDS.get(fold(_text(cells["status"])))
    if status is None:
        problems.append(_("The status “%(value)s” is not one of: paid, failed, cancelled, pending, refunded.")
                        % {"value": _text(cells["status"])[:40]})
    paid_at, readable = _paid_at(cells["paid_at"])
    if not readable:
        problems.append(_("The paid time “%(value)s” is not a date and time such as 2025-07-14 09:30.")
                        % {"value": _text(cells["paid_at"])[:40]})
    if problems:
        return None, problems
    raw = {column: _text(value) for column, value in cells.items()}
    return StatementRow(number, reference, provider_reference, amount, status, paid_at, raw), []


def reconcile_statement(provider_code: str, day: dt.date, rows: list[StatementRow], payments: QuerySet[Payment],
                        *, user=None, actor_label: str, statement_name: str = "", statement_sha256: str = "",
                        problems: list[dict] | None = None, now=None) -> Reconciliation:
    """Compare a statement's lines with our payments of the day (and with
    any other of `payments` a line names); only flags, never settles."""
    now = now or timezone.now()
    references = {row.reference for row in rows}
    known = {p.reference: p for p in
             Payment.objects.filter(provider=provider_code, reference__in=references).select_related("dossier")}
    visible = set(payments.filter(pk__in=[p.pk for p in known.values()]).values_list("pk", flat=True))
    lines, seen, notifications, others = [], set(), [], 0
    for row in rows:
        payment = known.get(row.reference)
        if payment is not None and payment.pk not in visible:
            others += 1
            continue
        line = _line(payment)
        line.update(line=row.line, reference=row.reference, their_state=row.status, their_amount=row.amount_vnd,
                    their_paid_at=_when(row.paid_at))
        line["provider_reference"] = row.provider_reference or line["provider_reference"]
        if payment is None:
            line["flags"].append(MISSING_OURS)
        _compare(line)
        if row.reference in seen:
            line["flags"].append(DUPLICATE)
        seen.add(row.reference)
        lines.append(line)
        notifications.append(PaymentNotification(
            payment=payment, provider=provider_code, source=PaymentNotification.Source.STATEMENT, received_at=now,
            raw={**row.raw, "line": row.line, "file": statement_name, "uploaded_by": actor_label},
            verified=False, answer="flagged" if is_flagged(line) else "matched",
        ))
    for payment in day_payments(payments, provider_code, day):
        if payment.reference in seen:
            continue
        line = _line(payment)
        line["their_state"] = "missing"
        if payment.state in (PaymentState.PAID, PaymentState.REFUNDED):
            line["flags"].append(MISSING_THEIRS)
        lines.append(line)
    PaymentNotification.objects.bulk_create(notifications)
    extra = {"statement_lines": len(rows), "other_agencies": others, "problems": problems or []}
    return _save(provider_code, day, ReconciliationMode.STATEMENT, lines, user=user, actor_label=actor_label,
                 now=now, extra=extra, statement_name=statement_name, statement_sha256=statement_sha256)


# ---------------------------------------------------------------- exports

EXPORT_COLUMNS = (
    ("line", gettext_lazy("Statement line")),
    ("reference", gettext_lazy("Our reference")),
    ("provider_reference", gettext_lazy("Provider's reference")),
    ("dossier", gettext_lazy("Dossier code")),
    ("our_state", gettext_lazy("Our state")),
    ("our_amount", gettext_lazy("Our amount (VND)")),
    ("their_state", gettext_lazy("Provider's state")),
    ("their_amount", gettext_lazy("Provider's amount (VND)")),
    ("their_paid_at", gettext_lazy("Paid at (provider)")),
    ("result", pgettext_lazy("reconciliation", "Result")),
    ("note", pgettext_lazy("reconciliation", "Note")),
)
TOTAL_LABELS = (
    ("ours", gettext_lazy("Our payments")),
    ("ours_paid", gettext_lazy("Our paid payments")),
    ("ours_paid_vnd", gettext_lazy("Our paid total (VND)")),
    ("theirs", gettext_lazy("Answers from the provider")),
    ("theirs_paid", gettext_lazy("Paid by the provider's word")),
    ("theirs_paid_vnd", gettext_lazy("Provider's paid total (VND)")),
    ("matched", gettext_lazy("Lines that match")),
    ("mismatches", gettext_lazy("Lines flagged")),
    ("settled", gettext_lazy("Settled now")),
)


def display_line(line: dict) -> dict:
    """A line with its states and result in the active language."""
    return {**line, "our_state_label": state_label(line["our_state"]),
            "their_state_label": state_label(line["their_state"]), "result": result_label(line),
            "flagged": is_flagged(line)}


def export_table(reconciliation: Reconciliation) -> tuple[list[str], list[list]]:
    header = [str(label) for _key, label in EXPORT_COLUMNS]
    rows = []
    for line in reconciliation.lines:
        shown = display_line(line)
        rows.append([shown[key] if shown[key] is not None else "" for key, _label in EXPORT_COLUMNS])
    return header, rows


def total_rows(reconciliation: Reconciliation) -> list[list]:
    return [[str(label), reconciliation.totals.get(key, 0)] for key, label in TOTAL_LABELS]


def export_filename(reconciliation: Reconciliation, extension: str) -> str:
    provider = re.sub(r"[^A-Za-z0-9_-]", "-", reconciliation.provider)
    return f"doi-soat-{provider}-{reconciliation.day:%Y-%m-%d}-{reconciliation.pk}.{extension}"


def export_csv(reconciliation: Reconciliation) -> HttpResponse:
    """The lines, then the totals; every text cell through `safe_cell`."""
    header, rows = export_table(reconciliation)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [header, *rows, [], *total_rows(reconciliation)]:
        writer.writerow([safe_cell(value) for value in row])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(reconciliation, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def export_xlsx(reconciliation: Reconciliation) -> HttpResponse:
    """The lines on one sheet, the totals on another; every cell through `text_cell`."""
    # openpyxl is heavy to import and only the .xlsx downloads need it
    from openpyxl import Workbook

    header, rows = export_table(reconciliation)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Reconciliation")[:31])
    for row in [header, *rows]:
        sheet.append([text_cell(sheet, value) for value in row])
    totals = workbook.create_sheet(_("Totals")[:31])
    for row in total_rows(reconciliation):
        totals.append([text_cell(totals, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(reconciliation, "xlsx")}"'
    response["Cache-Control"] = "private, no-store"
    return response
