"""The reception desk's log book (Circular 03/2025/TT-VPCP, form 07, "Sổ
theo dõi hồ sơ"): for one agency and a day or range of days, every dossier
the desk received or returned a result for, one line each, with the form's
columns.

Forms 01–06 are issued per dossier (`eforms.documents`); the log book is a
register over many, so it is built here from the dossiers and their events
(the moment a dossier went to its handler is its first `start_processing`
event), printed as a page and exported as CSV/XLSX. The columns keep the
form's Vietnamese wording in every language, as the register is kept in
Vietnamese. The applicant's ID number is not in the form and not printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min, Q
from django.utils import formats, timezone

from eforms.localized import localized_attr
from eforms.models import Dossier, DossierEvent, DossierStatus
from procedures.models import Agency

from .figures import Period

LOG_TITLE = "Sổ theo dõi hồ sơ"
LOG_HEADERS = (
    "TT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết", "Nhận hồ sơ (giờ, ngày)",
    "Hẹn trả kết quả (giờ, ngày)", "Chuyển hồ sơ đến cơ quan giải quyết (giờ, ngày)",
    "Nhận kết quả từ cơ quan giải quyết (giờ, ngày)", "Trả kết quả cho cá nhân, tổ chức (giờ, ngày)",
    "Ký nhận", "Ghi chú",
)
#: The longest range one log book covers.
MAX_DAYS = 366
CLOSED_NOTES = {
    DossierStatus.CANCELLED: "Dừng xử lý",
    DossierStatus.INVALID: "Dữ liệu không hợp lệ",
}


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "H:i d/m/Y") if value else ""


@dataclass(frozen=True)
class LogLine:
    number: int
    code: str
    procedure: str
    sets: int
    applicant: str
    contact: str
    agency: str
    received: str
    appointment: str
    handed_on: str
    result_back: str
    returned: str
    signature: str
    note: str

    def cells(self) -> tuple:
        return (self.number, self.code, self.procedure, self.sets, self.applicant, self.contact, self.agency,
                self.received, self.appointment, self.handed_on, self.result_back, self.returned,
                self.signature, self.note)


def dossiers(agency: Agency, period: Period):
    """The agency's dossiers (any locale copy of it) received or returned in `period`."""
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    ids = list(Agency.objects.filter(translation_key=agency.translation_key).values_list("pk", flat=True))
    return (
        Dossier.objects.filter(agency_id__in=ids)
        .filter(Q(received_at__gte=start, received_at__lt=end) | Q(returned_at__gte=start, returned_at__lt=end))
        .select_related("procedure", "agency")
        .order_by("received_at", "code", "pk")
    )


def lines(agency: Agency, period: Period) -> list[LogLine]:
    found = list(dossiers(agency, period))
    handed_on = dict(
        DossierEvent.objects.filter(dossier__in=[d.pk for d in found], action="start_processing")
        .values("dossier_id").annotate(first=Min("created_at")).values_list("dossier_id", "first")
    )
    out = []
    for number, dossier in enumerate(found, start=1):
        snapshot = dossier.applicant_snapshot or {}
        contact = "; ".join(part for part in (snapshot.get("address") or "",
                                              dossier.applicant_phone or snapshot.get("phone") or "") if part)
        note = [str(dossier.get_channel_display())]
        if dossier.status in CLOSED_NOTES:
            note.append(CLOSED_NOTES[dossier.status])
        if dossier.original_appointment_at and dossier.original_appointment_at != dossier.appointment_at:
            note.append(f"Gia hạn đến {_when(dossier.appointment_at)}")
        out.append(LogLine(
            number=number, code=dossier.code or "", procedure=localized_attr(dossier.procedure, "title"), sets=1,
            applicant=snapshot.get("full_name") or dossier.applicant_name, contact=contact,
            agency=localized_attr(dossier.agency, "name"), received=_when(dossier.received_at),
            appointment=_when(dossier.appointment_at), handed_on=_when(handed_on.get(dossier.pk)),
            result_back=_when(dossier.completed_at), returned=_when(dossier.returned_at), signature="",
            note="; ".join(note),
        ))
    return out
