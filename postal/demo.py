"""The postal home service's part of `manage.py load_demo`: a demo postal
unit serving the demo agencies (its fees are made-up demo values and say
so), a demo postal officer, and two home-service dossiers of the demo
citizen: one waiting for the post, and one whose papers the officer has
handed in at the ward's desk, waiting for its receiver
(tiepnhan.bmt@example.com) to confirm them on the dossier screen.

DEMO ONLY: the password is public. Idempotent: the unit, the officer and
each dossier are made once; a run prints the officer's login again.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from accounts.demo import CITIZEN_EMAIL, STAFF_PASSWORD
from accounts.enrolment import issue_code
from accounts.mfa import has_totp
from accounts.models import User
from eforms.lifecycle import LifecycleError
from eforms.models import Channel, Dossier, ResultDelivery
from eforms.notifications import receipts_suppressed
from eforms.services import SubmissionError, applicant_snapshot, submit_dossier
from procedures.calendar import is_working_day
from procedures.models import Agency, ProcedurePage

from . import steps
from .jobs import ensure_job
from .models import HomeServiceJob, JobState, PostalMembership, PostalUnit

UNIT_CODE = "DEMO-630000"
UNIT_NAME = "Bưu điện tỉnh Đắk Lắk (demo)"
OFFICER_EMAIL = "buudien@example.com"
#: the agencies of the demo staff (accounts.demo)
AGENCIES = ("000.20.30.H30", "000.00.02.H30")
BMT = "000.20.30.H30"

#: (key, procedure code, agency unit code, steps the officer takes)
DOSSIERS = [
    ("demo-dossier-home-service", "1.001193", BMT, []),
    ("demo-dossier-home-service-handed-over", "1.004873", BMT, ["accept_pickup", "collect", "hand_over"]),
]


def _next_working_day(after: dt.date) -> dt.date:
    day = after + dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _officer() -> User:
    user = User.objects.filter(email__iexact=OFFICER_EMAIL).first()
    if user is None:
        user = User(username=OFFICER_EMAIL.split("@")[0], email=OFFICER_EMAIL, first_name="Nam",
                    last_name="Trần Văn")
        user.set_password(STAFF_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=OFFICER_EMAIL,
                                          defaults={"verified": True, "primary": True})
    return user


def _unit() -> PostalUnit:
    unit, _created = PostalUnit.objects.get_or_create(code=UNIT_CODE, defaults={
        "name": UNIT_NAME, "phone": "0262 000 0000", "address": "Số 1 đường Nơ Trang Long, phường Buôn Ma Thuột",
        "pickup_fee_vnd": 20000, "delivery_fee_vnd": 25000, "demo_fees": True, "delivery_working_days": 2,
    })
    agencies = Agency.objects.filter(unit_code__in=AGENCIES, locale=Locale.get_default())
    unit.agencies.add(*agencies)
    return unit


def _dossier(citizen, key: str, procedure_code: str, unit_code: str) -> Dossier | None:
    dossier = Dossier.objects.filter(idempotency_key=key).first()
    if dossier is not None:
        return dossier
    procedure = ProcedurePage.objects.filter(code=procedure_code, locale=Locale.get_default()).first()
    agency = Agency.objects.filter(unit_code=unit_code, locale=Locale.get_default()).first()
    if procedure is None or agency is None:
        return None
    day = _next_working_day(timezone.localdate())
    tz = timezone.get_current_timezone()
    profile = getattr(citizen, "profile", None)
    address = (profile.address if profile is not None else "") or "12 Lê Duẩn, phường Buôn Ma Thuột"
    with receipts_suppressed():
        return submit_dossier(
            procedure=procedure, agency=agency, applicant=citizen, idempotency_key=key,
            form_data={"purpose": {"label": "Mục đích sử dụng", "value": "Dịch vụ công tại nhà (demo)"}},
            snapshot={**applicant_snapshot(citizen), "sms_consent": True}, login_method="email", language="vi",
            channel=Channel.HOME_SERVICE, pickup_address=address,
            pickup_from=dt.datetime.combine(day, dt.time(7, 30), tzinfo=tz),
            pickup_until=dt.datetime.combine(day, dt.time(11, 0), tzinfo=tz),
            result_delivery=ResultDelivery.POST, delivery_address=address,
        ).dossier


def _advance(job: HomeServiceJob, officer, names: list[str]) -> None:
    for name in names:
        job.refresh_from_db()
        if name == "accept_pickup" and job.state == JobState.WAITING:
            steps.accept_pickup(job, officer, note="Tôi sẽ gọi điện trước khi đến.")
        elif name == "collect" and job.state == JobState.PICKUP_ACCEPTED:
            components = [(c.name, c.copies) for c in job.dossier.procedure.components.all()][:5]
            steps.collect(job, officer, components or [("Tờ khai", 1)], note="Đã lập biên nhận giấy tờ.")
        elif name == "hand_over" and job.state == JobState.COLLECTED:
            steps.hand_over(job, officer)


def load(stdout) -> None:
    unit = _unit()
    officer = _officer()
    PostalMembership.objects.get_or_create(user=officer, unit=unit)
    citizen = User.objects.filter(email__iexact=CITIZEN_EMAIL).first()
    made = 0
    for dossier in Dossier.objects.filter(channel=Channel.HOME_SERVICE).exclude(status="draft"):
        ensure_job(dossier.pk)
    if citizen is not None:
        for key, procedure_code, unit_code, names in DOSSIERS:
            try:
                with transaction.atomic():
                    existed = Dossier.objects.filter(idempotency_key=key).exists()
                    dossier = _dossier(citizen, key, procedure_code, unit_code)
                if dossier is None:
                    continue
                job = ensure_job(dossier.pk)
                if job is not None:
                    _advance(job, officer, names)
                made += not existed
            except (SubmissionError, LifecycleError, steps.StepRefused) as error:
                stdout.write(f"postal: demo dossier {key} not made: {error.message}")
    note = "[authenticator app set up]" if has_totp(officer) else (
        f"[enrolment code {issue_code(officer, reason='demo')}, then TOTP at /admin/]")
    stdout.write(f"  {'postal officer':<22} {OFFICER_EMAIL} / {STAFF_PASSWORD}  {note}  ({unit.name}; "
                 f"its fees are demo values)\n")
    if made:
        stdout.write(f"postal: {made} demo home-service dossiers made")
