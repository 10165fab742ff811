"""Demo accounts: one citizen with a verified email and a filled profile,
and one staff user per role for two demo agencies.

DEMO ONLY: the passwords below are public. `load_demo` refuses to run with
DEBUG off unless forced; never load this into a production database.
Staff must set up a TOTP second factor on their first visit to /admin/,
with the one-time enrolment code printed beside their password (a new code
at each run for whoever has no authenticator yet).
"""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from home.demo import ADMIN_PASSWORD, ADMIN_USERNAME
from procedures.models import Agency

from .enrolment import issue_code
from .mfa import has_totp
from .models import CitizenProfile, StaffMembership, StaffRole, User
from .services import has_current_consent, record_consent

CITIZEN_EMAIL = "citizen@example.com"
CITIZEN_PASSWORD = "demo-citizen-2025"
STAFF_PASSWORD = "demo-staff-2025"

CITIZEN_PROFILE = {
    "full_name": "Nguyễn Thị Hoa",
    "date_of_birth": datetime.date(1990, 5, 17),
    "id_number": "066190001234",
    "phone": "0912345678",
    "province_code": "66",
    "commune_code": "24133",
    "street": "12 Lê Duẩn, tổ dân phố 3",
}

# (email, agency unit code, role)
STAFF = [
    ("tiepnhan.hcc@example.com", "000.00.02.H30", StaffRole.RECEIVER),
    ("xuly.hcc@example.com", "000.00.02.H30", StaffRole.HANDLER),
    ("lanhdao.hcc@example.com", "000.00.02.H30", StaffRole.LEADER),
    ("quantri.hcc@example.com", "000.00.02.H30", StaffRole.AGENCY_ADMIN),
    ("tiepnhan.bmt@example.com", "000.20.30.H30", StaffRole.RECEIVER),
    ("xuly.bmt@example.com", "000.20.30.H30", StaffRole.HANDLER),
    ("lanhdao.bmt@example.com", "000.20.30.H30", StaffRole.LEADER),
    ("quantri.bmt@example.com", "000.20.30.H30", StaffRole.AGENCY_ADMIN),
]


def _user(email: str, password: str, **fields) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email.split("@")[0], email=email, **fields)
        user.set_password(password)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def load(stdout) -> None:
    citizen = _user(CITIZEN_EMAIL, CITIZEN_PASSWORD, first_name="Hoa", last_name="Nguyễn Thị")
    CitizenProfile.objects.get_or_create(user=citizen, defaults=CITIZEN_PROFILE)
    if not has_current_consent(citizen):
        record_consent(citizen)

    lines = [f"  citizen  {CITIZEN_EMAIL} / {CITIZEN_PASSWORD}  (log in at /accounts/login/)"]
    admin_line = _demo_admin_line()
    if admin_line:
        lines.append(admin_line)
    for email, unit_code, role in STAFF:
        agencies = Agency.objects.filter(unit_code=unit_code)
        agency = agencies.filter(locale__language_code=settings.LANGUAGE_CODE).first() or agencies.first()
        if agency is None:
            continue
        staff = _user(email, STAFF_PASSWORD)
        StaffMembership.objects.get_or_create(user=staff, agency=agency, role=role)
        lines.append(f"  {role.label:<22} {email} / {STAFF_PASSWORD}  {_second_factor_note(staff)}  ({agency.name})")
    stdout.write("Demo logins (demo only, public passwords):\n" + "\n".join(lines) + "\n")


def _second_factor_note(user) -> str:
    """The enrolment code for a first authenticator, or that one is set up."""
    if has_totp(user):
        return "[authenticator app set up]"
    return f"[enrolment code {issue_code(user, reason='demo')}, then TOTP at /admin/]"


def _demo_admin_line() -> str:
    admin = User.objects.filter(username=ADMIN_USERNAME, is_superuser=True).first()
    if admin is None:
        return ""
    return f"  {'superuser':<22} {ADMIN_USERNAME} / {ADMIN_PASSWORD}  {_second_factor_note(admin)}"
