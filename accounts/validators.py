"""Validation of Vietnamese personal identifiers, on the server.

The 12-digit citizen identity number (số định danh cá nhân, printed on the
CCCD card; Decree 137/2015/NĐ-CP, Circular 59/2021/TT-BCA) is structured:

* digits 1–3: code of the province where the birth was registered
  (the 63 pre-2025 codes, 001 Hà Nội … 096 Cà Mau; numbers already issued
  keep them after the 2025 merger of provinces);
* digit 4: sex and century of birth: 0/1 = male/female born 1900–1999,
  2/3 = 2000–2099, 4/5 = 2100–2199, 6/7 = 2200–2299, 8/9 = 1800–1899;
* digits 5–6: the last two digits of the year of birth;
* digits 7–12: a random sequence.

There is no check digit, so the form is all we can verify: twelve digits,
a known province code, and (when the date of birth is known) a century and
year that agree with it.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Circular 07/2016/TT-BCA, annex: province codes used in the first three digits.
ID_PROVINCE_CODES = frozenset(
    """001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037
    038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080
    082 083 084 086 087 089 091 092 093 094 095 096""".split()
)

# Fourth digit → first year of the century of birth.
CENTURY_BY_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}

# Mobile prefixes in use since the 2018 switch to 10-digit numbers
# (Viettel 03x/086/096-098, MobiFone 07x/089/090/093, VinaPhone 08x/091/094,
# Vietnamobile 052/056/058/092, Gmobile 059/099, Itel 087, Reddi 055).
MOBILE_RE = re.compile(r"^0(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-9])\d{7}$")


def validate_id_number(value: str) -> None:
    """Check the form of a 12-digit citizen identity number."""
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(_("The citizen identity number must have exactly 12 digits."), code="id_length")
    if value[:3] not in ID_PROVINCE_CODES:
        raise ValidationError(
            _("The first three digits of the citizen identity number are not a province code."),
            code="id_province",
        )
    year = birth_year_from_id(value)
    if year > datetime.date.today().year:
        raise ValidationError(
            _("The citizen identity number gives a year of birth in the future."), code="id_year"
        )


def birth_year_from_id(value: str) -> int:
    """The year of birth that digits 4–6 of an identity number encode."""
    return CENTURY_BY_DIGIT[int(value[3])] + int(value[4:6])


def check_id_matches_birth_date(id_number: str, date_of_birth: datetime.date | None) -> None:
    """The century digit and the two year digits must agree with the date of birth."""
    if id_number and date_of_birth and birth_year_from_id(id_number) != date_of_birth.year:
        raise ValidationError(
            _("The citizen identity number does not match the year of birth (%(year)s)."),
            code="id_birth_year",
            params={"year": date_of_birth.year},
        )


def normalise_phone(value: str) -> str:
    """Return a Vietnamese mobile number in its national form (0912345678),
    from what people type: spaces, dots, dashes, brackets, +84 or 84."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits[0] != "0":
        digits = "0" + digits
    return digits


def validate_phone(value: str) -> None:
    """Accept only a Vietnamese mobile number (after normalisation)."""
    if not MOBILE_RE.fullmatch(normalise_phone(value)):
        raise ValidationError(
            _("Enter a Vietnamese mobile number of 10 digits, for example 0912 345 678."), code="phone"
        )


def validate_birth_date(value: datetime.date) -> None:
    """No birth in the future, none before 1900."""
    if value > datetime.date.today():
        raise ValidationError(_("The date of birth cannot be in the future."), code="birth_future")
    if value.year < 1900:
        raise ValidationError(_("Check the year of birth."), code="birth_past")


# ---------------------------------------------------------------- passwords

STAFF_PASSWORD_MIN_LENGTH = 12


def is_privileged(user) -> bool:
    """Whether the account can do more than a citizen's: staff, superusers,
    agency members and anyone the admin lets in."""
    if user is None:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    if getattr(user, "pk", None) is None:
        return False
    return user.staff_memberships.exists() or user.has_perm("wagtailadmin.access_admin")


class StaffPasswordLengthValidator:
    """Privileged accounts need a longer password than citizens: a staff
    password opens every citizen's dossiers of an agency. Django's
    MinimumLengthValidator keeps the floor for everyone."""

    def __init__(self, min_length: int = STAFF_PASSWORD_MIN_LENGTH):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length and is_privileged(user):
            raise ValidationError(
                _("Staff accounts need a password of at least %(min_length)d characters."),
                code="staff_password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return _("Staff accounts need at least %(min_length)d characters.") % {"min_length": self.min_length}
