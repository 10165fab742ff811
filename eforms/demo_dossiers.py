"""Demo dossiers in every status, made through the services and the
lifecycle (with the demo staff of `accounts.demo` as actors) so that their
codes, dates, events, Circular 03/2025 documents and messages are real:
the demo citizen's online dossiers (citizen@example.com, who agreed to SMS,
so the SMS file backend has rows too), the internal steps (extended with
form 04, with a co-handling agency, awaiting the leader's approval), one
received weeks ago and now overdue, and two entered by the receiver at the
desk and from the post. Each demo staff member finds dossiers where their
actions are open: a submitted one to receive, processing ones assigned to
the handler, one awaiting the leader.

Idempotent: each demo dossier has a fixed idempotency key, and a dossier
that already exists is left as it is. Prints a look-up example (code and
phone) for `make run`. The receipt email is suppressed; the lifecycle's
messages go to the development email and SMS backends (console, file).
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
from eforms.lifecycle import Actor, LifecycleError
from eforms.models import Channel, Dossier, HandoverMethod
from eforms.notifications import receipts_suppressed
from eforms.record import FONT, register_fonts
from eforms.services import SubmissionError, applicant_snapshot, submit_at_desk, submit_dossier
from eforms.uploads import check_file, store
from procedures.models import Agency, ProcedurePage

BMT, HCC = "000.20.30.H30", "000.00.02.H30"

#: (key, procedure code, agency unit code, actions taken after submission, form answers[, days ago]);
#: the actions are `_advance`'s names; a dossier "days ago" was submitted and handled then.
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
    ("demo-dossier-submitted-hcc", "2.000488", HCC, [],
     {"purpose": {"label": "Mục đích sử dụng Phiếu", "value": "Du học"},
      "copies": {"label": "Số lượng Phiếu", "value": "1"}}),
    ("demo-dossier-processing-hcc", "2.000488", HCC, ["receive", "start_processing"],
     {"purpose": {"label": "Mục đích sử dụng Phiếu", "value": "Bổ sung hồ sơ nhập quốc tịch"},
      "copies": {"label": "Số lượng Phiếu", "value": "1"}}),
    ("demo-dossier-returned-by-post", "1.004873", BMT,
     ["receive", "start_processing", "complete", "return_by_post", "issue_control_slip"],
     {"purpose": {"label": "Mục đích sử dụng", "value": "Kết hôn"}}),
    ("demo-dossier-cancelled", "2.000583", BMT, ["receive", "start_processing", "cancel"],
     {"pause_from": {"label": "Tạm ngừng kinh doanh từ ngày", "value": "01/03/2027"}}),
    ("demo-dossier-invalid", "2.000635", BMT, ["mark_invalid"],
     {"record_number": {"label": "Số Trích lục hộ tịch", "value": "12/2019"}}),
    ("demo-dossier-extended", "1.009994", BMT, ["receive", "start_processing", "extend"],
     {"plot": {"label": "Thửa đất số, tờ bản đồ số", "value": "Thửa 215, tờ 32"}}),
    ("demo-dossier-co-handling", "1.012781", BMT, ["receive", "start_processing", "send_to_co_agency"],
     {"plot": {"label": "Thửa đất số, tờ bản đồ số", "value": "Thửa 88, tờ 14"}}),
    ("demo-dossier-awaiting-approval", "1.001758", BMT, ["receive", "start_processing", "submit_for_approval"],
     {"deceased": {"label": "Họ và tên người đã mất", "value": "Trần Văn Lộc"}}),
    ("demo-dossier-overdue", "1.004441", BMT, ["receive", "start_processing"],
     {"pupil": {"label": "Họ và tên học sinh", "value": "Nguyễn Minh Khôi"}}, 14),
]

#: Dossiers a receiver entered for applicants without an account:
#: (key, procedure code, agency unit code, channel, applicant, actions after intake).
DESK = [
    ("demo-dossier-desk", "1.000656", BMT, Channel.DESK,
     {"full_name": "Lê Văn Thành", "id_number": "066078004521", "date_of_birth": "1978-09-12",
      "phone": "0905123456", "email": "", "address": "45 Y Jút, phường Buôn Ma Thuột", "sms_consent": True},
     ["start_processing"]),
    ("demo-dossier-post", "1.001022", BMT, Channel.POST,
     {"full_name": "H'Nga Niê", "id_number": "066185007733", "date_of_birth": "1985-02-03",
      "phone": "", "email": "hnga.nie@example.com", "address": "Buôn Ako Dhông, phường Buôn Ma Thuột",
      "sms_consent": False},
     []),
]

RECEIVERS = {BMT: "tiepnhan.bmt@example.com", HCC: "tiepnhan.hcc@example.com"}
HANDLERS = {BMT: "xuly.bmt@example.com", HCC: "xuly.hcc@example.com"}
#: Where the co-handling demo dossier is sent: its staff see it while it is there.
CO_AGENCY = HCC


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


def _checked(name: str, field: str):
    upload = SimpleUploadedFile(name, _demo_pdf(name.rsplit(".", 1)[0]), content_type="application/pdf")
    return check_file(upload, UploadRules.default(), field)


def _attachment(user, name: str, field: str):
    return store(_checked(name, field), uploaded_by=user)


def _agency(unit_code: str):
    return Agency.objects.filter(unit_code=unit_code, locale__language_code="vi").first()


def _staff_actor(table: dict, unit_code: str):
    email = table.get(unit_code)
    user = User.objects.filter(email__iexact=email).first() if email else None
    return Actor.staff(user) if user is not None else None


def _advance(dossier, unit_code: str, actions: list[str], now: dt.datetime | None = None) -> None:
    receiver = _staff_actor(RECEIVERS, unit_code)
    handler = _staff_actor(HANDLERS, unit_code)
    if receiver is None or handler is None:
        # No demo staff at this agency: act as its own one-stop software.
        receiver = handler = Actor.api_client("Phần mềm một cửa (demo)", dossier.agency)
    for action in actions:
        if action == "receive":
            lifecycle.receive(dossier, receiver, note="Hồ sơ đầy đủ, hợp lệ.", now=now)
        elif action == "start_processing":
            lifecycle.start_processing(dossier, handler, assignee=handler.user, now=now)
        elif action == "request_supplement":
            lifecycle.request_supplement(
                dossier, handler, ["Bản sao Giấy phép xây dựng đã được cấp", "Bản vẽ thiết kế có điều chỉnh"],
                timezone.localdate() + dt.timedelta(days=10), note="Đề nghị bổ sung trước hạn.",
            )
        elif action == "complete":
            lifecycle.complete(dossier, handler, "Kết quả đã được ký, mời ông/bà đến nhận.",
                               files=[_checked("Ket-qua.pdf", "result")])
        elif action == "return_result":
            lifecycle.return_result(dossier, receiver, note="Đã trả kết quả trực tiếp.",
                                    handover_method=HandoverMethod.DESK)
        elif action == "return_by_post":
            lifecycle.return_result(dossier, receiver, note="Đã gửi kết quả qua bưu điện.",
                                    handover_method=HandoverMethod.POST, courier="Bưu điện Việt Nam (VNPost)",
                                    tracking_number="EB123456789VN")
        elif action == "reject":
            lifecycle.reject(dossier, receiver, "Thủ tục không thuộc thẩm quyền tiếp nhận của Xã Krông Pắc.")
        elif action == "cancel":
            lifecycle.cancel(dossier, receiver, "Người nộp đề nghị dừng giải quyết để tiếp tục kinh doanh.")
        elif action == "mark_invalid":
            lifecycle.mark_invalid(dossier, receiver, "Số Trích lục hộ tịch không khớp với sổ hộ tịch.")
        elif action == "extend":
            lifecycle.extend(dossier, handler, "Cần xác minh hiện trạng thửa đất tại thực địa.",
                             timezone.localdate(dossier.appointment_at) + dt.timedelta(days=7))
        elif action == "send_to_co_agency":
            lifecycle.send_to_co_agency(dossier, handler, _agency(CO_AGENCY),
                                        note="Đề nghị cho ý kiến về quy hoạch sử dụng đất.")
        elif action == "submit_for_approval":
            lifecycle.submit_for_approval(dossier, handler, note="Đủ điều kiện hỗ trợ, trình lãnh đạo ký.")
        elif action == "issue_control_slip":
            lifecycle.issue_control_slip(dossier, receiver)
        else:
            raise ValueError(f"unknown demo action {action!r}")


def _submit_online(citizen, key, procedure, agency, answers, now):
    """The demo citizen submits as on the portal, having agreed to SMS."""
    attachment = _attachment(citizen, "Don-de-nghi.pdf", "application")
    return submit_dossier(
        procedure=procedure, agency=agency, applicant=citizen, form_data=answers, idempotency_key=key,
        snapshot={**applicant_snapshot(citizen), "sms_consent": True}, login_method="email", language="vi",
        attachments=[attachment], now=now,
    ).dossier


def _load_desk(stdout) -> int:
    """The receiver enters dossiers brought to the desk or sent by post."""
    made = 0
    for key, procedure_code, unit_code, channel, applicant, actions in DESK:
        if Dossier.objects.filter(idempotency_key=key).exists():
            continue
        procedure = ProcedurePage.objects.filter(code=procedure_code, locale__language_code="vi").first()
        agency = _agency(unit_code)
        receiver = _staff_actor(RECEIVERS, unit_code)
        if procedure is None or agency is None or receiver is None:
            continue
        try:
            with receipts_suppressed(), transaction.atomic():
                dossier = submit_at_desk(
                    procedure=procedure, agency=agency, receiver=receiver.user, snapshot=applicant,
                    scans=[_checked("Ban-quet-ho-so.pdf", "scans")], idempotency_key=key, channel=channel,
                    language="vi", note="Hồ sơ giấy, đã quét và trả lại bản chính.",
                ).dossier
                _advance(dossier, unit_code, actions)
        except (SubmissionError, LifecycleError) as error:
            stdout.write(f"eforms: demo dossier {key} not made: {error.message}")
            continue
        made += 1
    return made


def load(stdout) -> None:
    citizen = User.objects.filter(email__iexact="citizen@example.com").first()
    if citizen is None:
        stdout.write("eforms: no demo citizen (accounts.demo), no demo dossiers.")
        return
    made = 0
    example = None
    for key, procedure_code, unit_code, actions, answers, *days_ago in DEMO:
        dossier = Dossier.objects.filter(idempotency_key=key).first()
        if dossier is None:
            procedure = ProcedurePage.objects.filter(code=procedure_code, locale__language_code="vi").first()
            agency = _agency(unit_code)
            if procedure is None or agency is None:
                continue
            now = timezone.now() - dt.timedelta(days=days_ago[0]) if days_ago else None
            try:
                with receipts_suppressed(), transaction.atomic():
                    dossier = _submit_online(citizen, key, procedure, agency, answers, now)
                    _advance(dossier, unit_code, actions, now)
            except (SubmissionError, LifecycleError) as error:
                stdout.write(f"eforms: demo dossier {key} not made: {error.message}")
                continue
            made += 1
        if example is None and dossier.code:
            example = dossier
    made += _load_desk(stdout)
    if made:
        stdout.write(f"eforms: {made} demo dossiers made")
    if example is not None:
        phone = example.applicant_phone or "—"
        stdout.write(f"Look up a demo dossier at /lookup/: code {example.code}, phone {phone}")
