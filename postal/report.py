"""The monthly report per postal unit (seed 003, "Báo cáo tình hình tiếp
nhận hồ sơ sử dụng dịch vụ công tại nhà"): an admin page and its CSV/XLSX
export (every text cell through `core.exports`, so a unit named
"=HYPERLINK(…)" stays text).

What is counted, for the month in the portal's time zone (a step counts in
the month it was taken):
* pickups: papers collected; on time when collected no later than the end
  of the time window the applicant chose (a pickup with no window is
  counted apart and left out of the rate);
* handovers: papers handed in at an agency's desk, and how many of those
  the agency's receiver confirmed;
* deliveries: results delivered at home; on time when delivered no later
  than the unit's delivery commitment (`PostalUnit.delivery_working_days`,
  2 by default) in working days after the dossier was completed, on the
  agencies' working-day calendar;
* postal fees: the totals of the postal fee notices issued with the
  pickups accepted in the month, and how much of that is paid.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import safe_cell, text_cell
from procedures.calendar import WORKING_DAYS, add_processing_time

from .models import HomeServiceJob, PostalUnit
from .scope import officer_units

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None, today: dt.date | None = None) -> tuple[int, int]:
    """`YYYY-MM` as (year, month); anything else (or a month in the
    future, or before 2000) is the current month."""
    today = today or timezone.localdate()
    match = MONTH.match((value or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year and 1 <= month <= 12 and (year, month) <= (today.year, today.month):
            return year, month
    return today.year, today.month


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def report_units(user) -> QuerySet[PostalUnit]:
    """Superusers see every unit; an officer their own active units."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return PostalUnit.objects.order_by("name", "pk")
    return officer_units(user).order_by("name", "pk")


def pickup_on_time(job: HomeServiceJob) -> bool | None:
    """None when the applicant chose no window."""
    until = job.dossier.pickup_until
    if until is None or job.collected_at is None:
        return None
    return job.collected_at <= until


def delivery_deadline(job: HomeServiceJob, unit: PostalUnit) -> dt.date | None:
    completed = job.dossier.completed_at
    if completed is None:
        return None
    return timezone.localdate(add_processing_time(completed, unit.delivery_working_days, WORKING_DAYS))


def delivery_on_time(job: HomeServiceJob, unit: PostalUnit) -> bool:
    deadline = delivery_deadline(job, unit)
    return deadline is not None and job.delivered_at is not None and timezone.localdate(job.delivered_at) <= deadline


@dataclass
class UnitMonth:
    unit: PostalUnit
    accepted: int = 0
    pickups: int = 0
    pickups_on_time: int = 0
    pickups_without_window: int = 0
    handovers: int = 0
    handovers_confirmed: int = 0
    results_collected: int = 0
    deliveries: int = 0
    deliveries_on_time: int = 0
    fees_issued_vnd: int = 0
    fees_paid_vnd: int = 0
    late_jobs: list = field(default_factory=list)

    @staticmethod
    def _rate(part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else "—"

    @property
    def pickup_rate(self) -> str:
        return self._rate(self.pickups_on_time, self.pickups - self.pickups_without_window)

    @property
    def delivery_rate(self) -> str:
        return self._rate(self.deliveries_on_time, self.deliveries)


def unit_month(unit: PostalUnit, year: int, month: int) -> UnitMonth:
    start, end = month_bounds(year, month)

    def within(name):
        return Q(**{f"{name}__gte": start, f"{name}__lt": end})

    row = UnitMonth(unit)
    jobs = (HomeServiceJob.objects.filter(unit=unit)
            .filter(within("pickup_accepted_at") | within("collected_at") | within("handed_over_at")
                    | within("result_collected_at") | within("delivered_at"))
            .select_related("dossier", "fee_notice"))

    def inside(moment):
        return moment is not None and start <= moment < end

    for job in jobs:
        if inside(job.pickup_accepted_at):
            row.accepted += 1
            if job.fee_notice is not None:
                row.fees_issued_vnd += job.fee_notice.total_vnd
                if job.fee_notice.paid_at is not None:
                    row.fees_paid_vnd += job.fee_notice.total_vnd
        if inside(job.collected_at):
            row.pickups += 1
            on_time = pickup_on_time(job)
            if on_time is None:
                row.pickups_without_window += 1
            elif on_time:
                row.pickups_on_time += 1
            else:
                row.late_jobs.append(job)
        if inside(job.handed_over_at):
            row.handovers += 1
            if job.desk_confirmed_at is not None:
                row.handovers_confirmed += 1
        if inside(job.result_collected_at):
            row.results_collected += 1
        if inside(job.delivered_at):
            row.deliveries += 1
            if delivery_on_time(job, unit):
                row.deliveries_on_time += 1
            elif job not in row.late_jobs:
                row.late_jobs.append(job)
    return row


def monthly_report(units, year: int, month: int) -> list[UnitMonth]:
    return [unit_month(unit, year, month) for unit in units]


# ---------------------------------------------------------------- export

COLUMNS = [
    ("unit_code", gettext_lazy("Unit code")),
    ("unit", gettext_lazy("Postal unit")),
    ("month", gettext_lazy("Month")),
    ("accepted", gettext_lazy("Pickups accepted")),
    ("pickups", gettext_lazy("Papers collected")),
    ("pickups_on_time", gettext_lazy("Collected on time")),
    ("pickups_without_window", gettext_lazy("Collected, no window chosen")),
    ("handovers", gettext_lazy("Handed over at the desk")),
    ("handovers_confirmed", gettext_lazy("Confirmed by the desk")),
    ("results_collected", gettext_lazy("Results collected")),
    ("deliveries", gettext_lazy("Results delivered")),
    ("deliveries_on_time", gettext_lazy("Delivered on time")),
    ("fees_issued_vnd", gettext_lazy("Postal fees issued (VND)")),
    ("fees_paid_vnd", gettext_lazy("Postal fees paid (VND)")),
]


def export_rows(rows: list[UnitMonth], year: int, month: int) -> list[list]:
    label = f"{year:04d}-{month:02d}"
    out = []
    for row in rows:
        values = {"unit_code": row.unit.code, "unit": row.unit.name, "month": label}
        out.append([values[key] if key in values else getattr(row, key) for key, _label in COLUMNS])
    return out


def as_csv(rows: list[UnitMonth], year: int, month: int) -> bytes:
    stream = io.StringIO()
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([safe_cell(str(label)) for _key, label in COLUMNS])
    for values in export_rows(rows, year, month):
        writer.writerow([safe_cell(v) for v in values])
    return stream.getvalue().encode("utf-8")


def as_xlsx(rows: list[UnitMonth], year: int, month: int) -> bytes:
    # openpyxl is heavy to import and only the .xlsx download needs it
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Home service"))
    header = []
    for _key, label in COLUMNS:
        cell = text_cell(sheet, str(label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for values in export_rows(rows, year, month):
        sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
