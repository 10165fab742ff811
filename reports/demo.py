"""The statistics' demo year, for `manage.py load_demo`: a year of dossiers
(the twelve months before today) spread over the demo's agencies, fields,
procedures and the four channels, so that `/statistics/` shows figures the
code computed from real-looking dossiers.

Every dossier is made by the services a person would use and moved through
the real lifecycle with the moments it happened (`now=` in the past):

- online: `eforms.services.submit_dossier` by one of a few demo applicants,
  then received (or refused) at the agency;
- at the desk and by post: `eforms.services.submit_at_desk`, the back
  office's intake service (received at once);
- home service: `submit_dossier` with the home-service channel, then the
  postal officer's steps (`postal.steps`) and the receiver's confirmation,
  which receives it (only at the agencies the demo postal unit serves);

then started, perhaps asked for a supplement and answered, perhaps
extended with form 04, completed early, on time or late, and returned; a
few are refused, cancelled or found invalid, and the most recent ones are
still open (a few past their appointment: overdue). The facts table is
never written here: it follows the dossiers' saves (`reports.facts`).

The staff are the demo staff of the agency where `accounts.demo` made
some, elsewhere the demo administrator (a superuser acts for every
agency). The events are history: no message is sent for them (the
announcement receiver of `notifications` is disconnected while the year
loads) and no receipt email either.

Deterministic: the plan comes from a seeded random generator, and dates
are counted back from today. Idempotent: each dossier has a fixed
idempotency key (`demo-year-0001`…), and those already there are skipped,
so a second `load_demo` adds nothing. `PORTAL_DEMO_STATISTICS_DOSSIERS`
says how many (0: none); each costs about a tenth of a second, mostly the
PDF of its Circular 03/2025 receipt.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from wagtail.models import Locale

from accounts.models import User
from eforms import lifecycle
from eforms.demo_dossiers import HANDLERS, RECEIVERS
from eforms.file_kinds import UploadRules
from eforms.lifecycle import Actor, LifecycleError
from eforms.models import Channel, Dossier, DossierEvent, HandoverMethod
from eforms.notifications import receipts_suppressed
from eforms.services import SubmissionError, applicant_snapshot, receiving_agencies, submit_at_desk, submit_dossier
from eforms.uploads import check_file
from notifications import signals as announcements
from payments import services as payment_services
from postal import steps
from postal.demo import OFFICER_EMAIL
from postal.jobs import ensure_job
from postal.scope import units_serving
from procedures.calendar import add_processing_time, is_working_day, next_working_moment
from procedures.models import Agency, ProcedurePage

KEY_PREFIX = "demo-year-"
#: payments.apps connects its submission fee notices under this id.
SUBMISSION_NOTICE_UID = "payments.submission_notice"
SEED = 766  # Decision 766/QĐ-TTg, whose indicators these figures feed
DAYS = 365

#: Shares of the channels (online and home service fall back to the desk
#: where the procedure or the agency does not offer them).
CHANNELS = ((Channel.ONLINE, 0.52), (Channel.DESK, 0.36), (Channel.POST, 0.06), (Channel.HOME_SERVICE, 0.06))

#: What becomes of a dossier, with its share (cumulative order matters only
#: for reading): refused at receipt (online and home service only), invalid,
#: cancelled during processing, answered a supplement request then on time,
#: extended by form 04 (late against the first appointment), late, never
#: finished (overdue once its appointment passes), and on time or early.
FATES = (("refused", 0.03), ("invalid", 0.008), ("cancelled", 0.015), ("supplement", 0.075), ("extended", 0.03),
         ("late", 0.035), ("stuck", 0.012))

#: Demo applicants of the online dossiers (no password: they cannot sign in).
APPLICANTS = [
    ("Nguyễn", "Văn An"), ("Trần", "Thị Bích"), ("Lê", "Hoàng Cường"), ("Phạm", "Thu Dung"), ("Y", "Bhin Niê"),
    ("Hoàng", "Minh Đức"), ("Võ", "Thị Hà"), ("Đặng", "Quốc Huy"), ("H'", "Linh Byă"), ("Bùi", "Thanh Mai"),
    ("Đỗ", "Văn Nam"), ("Ngô", "Thị Phương"),
]
#: Names for the applicants who come to the desk, send by post or ask the post to collect.
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
GIVEN = ["Văn Bình", "Thị Cúc", "Minh Châu", "Quang Dũng", "Thị Giang", "Văn Hải", "Thu Hằng", "Đức Khải",
         "Thị Lan", "Văn Lộc", "Ngọc Mai", "Văn Phúc", "Thị Quyên", "Hữu Tài", "Thị Uyên", "Văn Vinh"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    """One demo dossier: which, when and what becomes of it."""

    key: str
    procedure_id: int
    agency_id: int
    channel: str
    submitted_at: dt.datetime
    fate: str
    hours: tuple[float, ...]  # random draws the steps use, in order
    person: int


def dossier_count() -> int:
    return max(0, int(getattr(settings, "PORTAL_DEMO_STATISTICS_DOSSIERS", 0) or 0))


# --- the plan ------------------------------------------------------------------------------------


def _pairs() -> list[tuple[ProcedurePage, Agency, bool]]:
    """(procedure, receiving agency, home service possible there) for every
    live procedure of the demo catalogue, in a stable order. Agencies that
    no longer exist in the period (district tier, abolished on 1/7/2025)
    are left out."""
    default = Locale.get_default()
    served: dict[int, bool] = {}
    out = []
    procedures = ProcedurePage.objects.live().filter(locale=default).select_related("agency").order_by("code", "pk")
    for procedure in procedures:
        agencies = receiving_agencies(procedure).exclude(tier="district").order_by("unit_code", "pk")
        for agency in agencies:
            if agency.pk not in served:
                served[agency.pk] = units_serving(agency).exists()
            out.append((procedure, agency, served[agency.pk]))
    return out


def _working_days(today: dt.date) -> list[dt.date]:
    days = [today - dt.timedelta(days=n) for n in range(DAYS, 0, -1)]
    return [day for day in days if is_working_day(day)]


def plans(count: int, today: dt.date | None = None) -> list[Plan]:
    """The demo year's dossiers, the same for the same catalogue and day."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    pairs = _pairs()
    if not pairs:
        return []
    by_procedure: dict[int, list] = {}
    for procedure, agency, home in pairs:
        by_procedure.setdefault(procedure.pk, []).append((procedure, agency, home))
    procedures = sorted(by_procedure)
    days = _working_days(today)
    tz = timezone.get_current_timezone()
    out = []
    for n in range(1, count + 1):
        procedure, agency, home = rng.choice(by_procedure[rng.choice(procedures)])
        draw = rng.random()
        channel = Channel.DESK
        for name, share in CHANNELS:
            if draw < share:
                channel = name
                break
            draw -= share
        online_possible = procedure.level >= 3
        if channel == Channel.HOME_SERVICE and not (home and online_possible):
            # the post serves a few agencies: one of them, for this procedure if it can
            served = [pair for pair in by_procedure[procedure.pk] if pair[2] and pair[0].level >= 3] or [
                pair for pair in pairs if pair[2] and pair[0].level >= 3]
            if served:
                procedure, agency, home = rng.choice(served)
                online_possible = True
            else:
                channel = Channel.DESK
        if channel == Channel.ONLINE and not online_possible:
            channel = Channel.DESK
        day = rng.choice(days)
        stuck = n % 40 == 20  # a few left unfinished weeks ago: overdue
        if stuck:
            day = rng.choice([d for d in days if 20 <= (today - d).days <= 60] or days)
        minute = rng.randrange(7 * 60 + 30, 16 * 60 + 30)
        submitted = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)
        draw = rng.random()
        fate = "on_time"
        for name, share in FATES:
            if draw < share:
                fate = name
                break
            draw -= share
        if stuck:
            fate = "stuck"
        if fate == "refused" and channel not in (Channel.ONLINE, Channel.HOME_SERVICE):
            fate = "on_time"  # a desk dossier is received as it is entered
        out.append(Plan(key=f"{KEY_PREFIX}{n:04d}", procedure_id=procedure.pk, agency_id=agency.pk,
                        channel=channel, submitted_at=submitted, fate=fate,
                        hours=tuple(rng.random() for _ in range(6)), person=rng.randrange(10_000)))
    return out


# --- the people ----------------------------------------------------------------------------------


def _applicants() -> list[User]:
    users = []
    for n, (family, given) in enumerate(APPLICANTS, start=1):
        email = f"nguoidan.demo{n:02d}@example.com"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(username=f"nguoidan.demo{n:02d}", email=email, last_name=family, first_name=given)
            user.set_unusable_password()
            user.save()
        users.append(user)
    return users


class Staff:
    """Who acts for an agency: its demo receiver and handler, else the
    demo administrator."""

    def __init__(self) -> None:
        self.admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        self.officer = User.objects.filter(email__iexact=OFFICER_EMAIL).first()
        self._by_unit: dict[str, tuple] = {}

    def _user(self, table: dict, unit_code: str):
        email = table.get(unit_code)
        user = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
        return user or self.admin

    def of(self, agency: Agency) -> tuple[User | None, User | None]:
        if agency.unit_code not in self._by_unit:
            self._by_unit[agency.unit_code] = (self._user(RECEIVERS, agency.unit_code),
                                               self._user(HANDLERS, agency.unit_code))
        return self._by_unit[agency.unit_code]


def _person(plan: Plan) -> dict:
    family = FAMILY[plan.person % len(FAMILY)]
    given = GIVEN[(plan.person // len(FAMILY)) % len(GIVEN)]
    born = dt.date(1960, 1, 1) + dt.timedelta(days=plan.person * 3 % 16_000)
    return {"full_name": f"{family} {given}", "id_number": f"0661{plan.person:08d}", "date_of_birth": born.isoformat(),
            "phone": "", "email": "", "address": "Tỉnh Đắk Lắk", "sms_consent": False}


_PDF: bytes | None = None


def _scan(name: str, field: str):
    """A small real PDF standing for scanned papers, checked as an upload."""
    global _PDF
    if _PDF is None:
        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=A4)
        page.drawString(72, 760, "Demo")
        page.showPage()
        page.save()
        _PDF = out.getvalue()
    return check_file(SimpleUploadedFile(name, _PDF, content_type="application/pdf"), UploadRules.default(), field)


# --- making one dossier --------------------------------------------------------------------------


class NotYet(Exception):
    """The next step would happen after now: the dossier stays where it is."""


def _at(moment: dt.datetime, now: dt.datetime) -> dt.datetime:
    moment = next_working_moment(moment)
    if moment > now:
        raise NotYet
    return moment


def _submit(plan: Plan, procedure, agency, receiver, applicant, officer, now: dt.datetime) -> tuple[Dossier, dt.datetime]:
    """Make the dossier through its channel's service; returns it and the
    moment it was received (or raises NotYet once it was only submitted)."""
    t = plan.submitted_at
    if plan.channel in (Channel.DESK, Channel.POST):
        dossier = submit_at_desk(
            procedure=procedure, agency=agency, receiver=receiver, snapshot=_person(plan),
            scans=[_scan("Ban-quet-ho-so.pdf", "scans")], idempotency_key=plan.key, channel=plan.channel,
            language="vi", now=t, note="Hồ sơ giấy, đã quét." if plan.channel == Channel.DESK else "Nhận qua bưu chính.",
        ).dossier
        return dossier, t
    common = {"procedure": procedure, "agency": agency, "applicant": applicant, "idempotency_key": plan.key,
              "form_data": {}, "snapshot": applicant_snapshot(applicant), "login_method": "email", "language": "vi",
              "now": t}
    if plan.channel == Channel.ONLINE:
        dossier = submit_dossier(attachments=[], **common).dossier
        received = _at(t + dt.timedelta(hours=1 + 20 * plan.hours[0]), now)
        if plan.fate == "refused":
            lifecycle.reject(dossier, Actor.staff(receiver), "Thủ tục không thuộc thẩm quyền của cơ quan.", now=received)
            raise NotYet
        lifecycle.receive(dossier, Actor.staff(receiver), note="Hồ sơ đầy đủ, hợp lệ.", now=received)
        return dossier, received
    # home service: the post collects the papers and hands them in at the desk
    day = timezone.localdate(next_working_moment(t + dt.timedelta(hours=16)))
    tz = timezone.get_current_timezone()
    dossier = submit_dossier(
        channel=Channel.HOME_SERVICE, pickup_address="Tỉnh Đắk Lắk",
        pickup_from=dt.datetime.combine(day, dt.time(7, 30), tzinfo=tz),
        pickup_until=dt.datetime.combine(day, dt.time(11, 0), tzinfo=tz), **common,
    ).dossier
    job = ensure_job(dossier.pk)
    if plan.fate == "refused":
        lifecycle.reject(dossier, Actor.staff(receiver), "Thủ tục không thuộc thẩm quyền của cơ quan.",
                         now=_at(t + dt.timedelta(hours=2), now))
        raise NotYet
    accepted = _at(t + dt.timedelta(hours=1), now)
    job = steps.accept_pickup(job, officer, now=accepted)
    collected = _at(max(accepted + dt.timedelta(hours=1), pickup_from_of(dossier)), now)
    job = steps.collect(job, officer, [("Tờ khai", 1), ("Bản sao giấy tờ tùy thân", 1)], now=collected)
    handed = _at(collected + dt.timedelta(hours=2), now)
    job = steps.hand_over(job, officer, now=handed)
    received = _at(handed + dt.timedelta(minutes=30), now)
    steps.confirm_handover(job, receiver, now=received)
    dossier.refresh_from_db()
    return dossier, received


def pickup_from_of(dossier: Dossier) -> dt.datetime:
    return dossier.pickup_from or dossier.submitted_at


def _between(start: dt.datetime, end: dt.datetime, fraction: float) -> dt.datetime:
    return start + (end - start) * fraction


def _advance(plan: Plan, dossier: Dossier, received: dt.datetime, receiver, handler, applicant,
             now: dt.datetime) -> None:
    """Process a received dossier as its plan says, up to now."""
    r, h = Actor.staff(receiver), Actor.staff(handler)
    draws = plan.hours
    if plan.fate == "invalid":
        lifecycle.mark_invalid(dossier, r, "Giấy tờ kèm theo không khớp với sổ gốc.",
                               now=_at(received + dt.timedelta(hours=2), now))
        return
    started = _at(received + dt.timedelta(minutes=30 + 150 * draws[1]), now)
    lifecycle.start_processing(dossier, h, assignee=handler, now=started)
    if plan.fate == "cancelled":
        lifecycle.cancel(dossier, r, "Người nộp đề nghị dừng giải quyết hồ sơ.",
                         now=_at(started + dt.timedelta(days=1 + 4 * draws[2]), now))
        return
    if plan.fate == "stuck":
        return
    appointment = dossier.appointment_at
    if appointment is None:  # a procedure without a processing time
        appointment = add_processing_time(started, 3)
    if plan.fate == "supplement":
        asked = _at(started + dt.timedelta(hours=2 + 20 * draws[2]), now)
        deadline = timezone.localdate(asked) + dt.timedelta(days=15)
        lifecycle.request_supplement(dossier, h, ["Bản sao có chứng thực giấy tờ còn thiếu"], deadline,
                                     note="Đề nghị bổ sung trong thời hạn.", now=asked)
        answered = _at(asked + dt.timedelta(days=1 + 6 * draws[3]), now)
        answerer = Actor.applicant(applicant) if plan.channel == Channel.ONLINE else r
        lifecycle.answer_supplement(dossier, answerer, [_scan("Bo-sung.pdf", "files")],
                                    note="Đã bổ sung giấy tờ.", now=answered)
        started = answered
        appointment = dossier.appointment_at or add_processing_time(answered, 3)
    if plan.fate == "extended":
        extended_at = _at(max(started + dt.timedelta(minutes=10), appointment - dt.timedelta(hours=3)), now)
        days = 3 + int(8 * draws[4])
        lifecycle.extend(dossier, h, "Cần xác minh thêm thông tin tại cơ quan liên quan.",
                         timezone.localdate(appointment) + dt.timedelta(days=days), now=extended_at)
        done = _at(appointment + dt.timedelta(days=1 + (days - 2) * draws[5]), now)
    elif plan.fate == "late":
        done = _at(appointment + dt.timedelta(days=1 + 7 * draws[4]), now)
    else:
        done = next_working_moment(_between(started + dt.timedelta(hours=1), appointment, 0.25 + 0.75 * draws[4]))
        if timezone.localdate(done) > timezone.localdate(appointment):
            done = max(appointment, started + dt.timedelta(minutes=30))
        if done > now:
            raise NotYet
    lifecycle.complete(dossier, h, "Kết quả giải quyết đã được ký.", now=done)
    if draws[5] < 0.9:
        returned = _at(done + dt.timedelta(hours=2 + 96 * draws[0]), now)
        lifecycle.return_result(dossier, r, note="Đã trả kết quả.", now=returned,
                                handover_method=HandoverMethod.DESK)


def make(plan: Plan, staff: Staff, applicants: list[User], now: dt.datetime) -> Dossier | None:
    """Make one planned dossier (in one transaction); None when it cannot."""
    procedure = ProcedurePage.objects.filter(pk=plan.procedure_id).first()
    agency = Agency.objects.filter(pk=plan.agency_id).first()
    if procedure is None or agency is None:
        return None
    receiver, handler = staff.of(agency)
    if receiver is None or handler is None or (plan.channel == Channel.HOME_SERVICE and staff.officer is None):
        return None
    applicant = applicants[plan.person % len(applicants)]
    with transaction.atomic():
        try:
            dossier, received = _submit(plan, procedure, agency, receiver, applicant, staff.officer, now)
            _advance(plan, dossier, received, receiver, handler, applicant, now)
        except NotYet:
            pass
    return Dossier.objects.filter(idempotency_key=plan.key).first()


@contextmanager
def quietly():
    """No messages for history, no receipt emails, no fee notices issued
    today for year-old submissions, and no PDF engine chatter."""
    disconnected = post_save.disconnect(sender=DossierEvent, dispatch_uid="notifications.announce")
    no_fee_notices = post_save.disconnect(sender=DossierEvent, dispatch_uid=SUBMISSION_NOTICE_UID)
    pdf_logger = logging.getLogger("xhtml2pdf")
    level = pdf_logger.level
    pdf_logger.setLevel(logging.ERROR)
    try:
        with receipts_suppressed():
            yield
    finally:
        pdf_logger.setLevel(level)
        if disconnected:
            announcements.connect()
        if no_fee_notices:
            post_save.connect(payment_services.on_dossier_event, sender=DossierEvent,
                              dispatch_uid=SUBMISSION_NOTICE_UID)


def load(stdout) -> None:
    count = dossier_count()
    if not count:
        return
    existing = set(Dossier.objects.filter(idempotency_key__startswith=KEY_PREFIX)
                   .values_list("idempotency_key", flat=True))
    if len(existing) >= count:
        return
    started = time.monotonic()
    staff = Staff()
    if staff.admin is None:
        stdout.write("reports: no demo administrator (accounts.demo), no demo year.")
        return
    applicants = _applicants()
    now = timezone.now() - dt.timedelta(minutes=1)
    made, failed, first_error = 0, 0, ""
    with quietly():
        for plan in plans(count):
            if plan.key in existing:
                continue
            try:
                dossier = make(plan, staff, applicants, now)
            except (SubmissionError, LifecycleError, steps.StepRefused) as error:
                failed += 1
                first_error = first_error or f"{plan.key}: {error.message}"
                continue
            made += dossier is not None
    stdout.write(f"reports: {made} dossiers of the demo year made in {time.monotonic() - started:.0f} s"
                 + (f" ({failed} not made; first: {first_error})" if failed else ""))
