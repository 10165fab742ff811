"""Demo dossiers of the demo citizen (citizen@example.com, made by
`accounts.demo`) in every status a citizen meets, made through the
services and the lifecycle so that their codes, dates and events are real.

Idempotent: each demo dossier has a fixed idempotency key, and a dossier
that already exists is left as it is. Prints a look-up example (code and
phone) for `make run`.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from accounts.models import User
from eforms import lifecycle
from eforms.file_kinds import UploadRules
from eforms.lifecycle import Actor
from eforms.models import Dossier
from eforms.notifications import receipts_suppressed
from eforms.record import FONT, register_fonts
from eforms.services import SubmissionError, submit_dossier
from eforms.uploads import check_file, store
from procedures.models import Agency, ProcedurePage

#: (key, procedure code, agency unit code, path of statuses after submission, form answers)
DEMO = [
    ("demo-dossier-submitted", "1.001193", "000.20.30.H30", [],
     {"child_name": {"label": "Họ, chữ đệm, tên người được khai sinh", "value": "Nguyễn Minh Khang"},
      "child_birth_date": {"label": "Ngày, tháng, năm sinh", "value": "02/11/2026"}}),
    ("demo-dossier-received", "2.000720", "000.20.30.H30", ["receive"],
     {"business_name": {"label": "Tên hộ kinh doanh", "value": "Cà phê Hoa Ban"},
      "business_line": {"label": "Ngành, nghề kinh doanh", "value": "Dịch vụ ăn uống"}}),
    ("demo-dossier-processing", "1.004873", "000.20.30.H30", ["receive", "start_processing"],
     {"purpose": {"label": "Mục đích sử dụng", "value": "Bổ sung hồ sơ xin việc"}}),
    ("demo-dossier-needs-supplement", "1.009996", "000.20.30.H30",
     ["receive", "start_processing", "request_supplement"],
     {"permit_number": {"label": "Số giấy phép xây dựng", "value": "125/GPXD"}}),
    ("demo-dossier-completed", "1.004884", "000.20.30.H30", ["receive", "start_processing", "complete"],
     {"child_name": {"label": "Họ, chữ đệm, tên người được khai sinh", "value": "Nguyễn Thị Hoa"}}),
    ("demo-dossier-returned", "2.000488", "000.00.02.H30",
     ["receive", "start_processing", "complete", "return_result"],
     {"purpose": {"label": "Mục đích sử dụng Phiếu", "value": "Xin việc làm"},
      "copies": {"label": "Số lượng Phiếu", "value": "2"}}),
    ("demo-dossier-rejected", "2.000575", "000.24.30.H30", ["reject"],
     {"change": {"label": "Nội dung thay đổi", "value": "Thay đổi địa chỉ kinh doanh"}}),
]

RECEIVERS = {"000.20.30.H30": "tiepnhan.bmt@example.com", "000.00.02.H30": "tiepnhan.hcc@example.com"}
HANDLERS = {"000.20.30.H30": "xuly.bmt@example.com", "000.00.02.H30": "xuly.hcc@example.com"}


def _demo_pdf(title: str) -> bytes:
    """A small real PDF standing for a scanned document."""
    register_fonts()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont(FONT, 14)
    page.drawString(72, 760, title)
    page.showPage()
    page.save()
    return out.getvalue()


def _attachment(user, name: str, field: str):
    upload = SimpleUploadedFile(name, _demo_pdf(name.rsplit(".", 1)[0]), content_type="application/pdf")
    return store(check_file(upload, UploadRules.default(), field), uploaded_by=user)


def _staff_actor(table: dict, unit_code: str):
    email = table.get(unit_code)
    user = User.objects.filter(email__iexact=email).first() if email else None
    return Actor.staff(user) if user is not None else None


def _advance(dossier, unit_code: str, actions: list[str]) -> None:
    receiver = _staff_actor(RECEIVERS, unit_code)
    handler = _staff_actor(HANDLERS, unit_code)
    if receiver is None or handler is None:
        # No demo staff at this agency: act as its own one-stop software.
        receiver = handler = Actor.api_client("Phần mềm một cửa (demo)", dossier.agency)
    for action in actions:
        if action == "receive":
            lifecycle.receive(dossier, receiver, note="Hồ sơ đầy đủ, hợp lệ.")
        elif action == "start_processing":
            lifecycle.start_processing(dossier, handler, assignee=handler.user)
        elif action == "request_supplement":
            lifecycle.request_supplement(
                dossier, handler, ["Bản sao Giấy phép xây dựng đã được cấp", "Bản vẽ thiết kế có điều chỉnh"],
                timezone.localdate() + dt.timedelta(days=10), note="Đề nghị bổ sung trước hạn.",
            )
        elif action == "complete":
            lifecycle.complete(dossier, handler, "Kết quả đã được ký, mời ông/bà đến nhận.")
        elif action == "return_result":
            lifecycle.return_result(dossier, receiver, note="Đã trả kết quả trực tiếp.")
        elif action == "reject":
            lifecycle.reject(dossier, receiver, "Thủ tục không thuộc thẩm quyền tiếp nhận của Xã Krông Pắc.")


def load(stdout) -> None:
    citizen = User.objects.filter(email__iexact="citizen@example.com").first()
    if citizen is None:
        stdout.write("eforms: no demo citizen (accounts.demo), no demo dossiers.")
        return
    made = 0
    example = None
    for key, procedure_code, unit_code, actions, answers in DEMO:
        dossier = Dossier.objects.filter(idempotency_key=key).first()
        if dossier is None:
            procedure = ProcedurePage.objects.filter(code=procedure_code, locale__language_code="vi").first()
            agency = Agency.objects.filter(unit_code=unit_code, locale__language_code="vi").first()
            if procedure is None or agency is None:
                continue
            try:
                with receipts_suppressed(), transaction.atomic():
                    attachment = _attachment(citizen, "Don-de-nghi.pdf", "application")
                    dossier = submit_dossier(
                        procedure=procedure, agency=agency, applicant=citizen, form_data=answers,
                        idempotency_key=key, login_method="email", language="vi", attachments=[attachment],
                    ).dossier
                    _advance(dossier, unit_code, actions)
            except SubmissionError as error:
                stdout.write(f"eforms: demo dossier {key} not made: {error.message}")
                continue
            made += 1
        if example is None and dossier.code:
            example = dossier
    if made:
        stdout.write(f"eforms: {made} demo dossiers for citizen@example.com")
    if example is not None:
        phone = example.applicant_phone or "—"
        stdout.write(f"Look up a demo dossier at /lookup/: code {example.code}, phone {phone}")
