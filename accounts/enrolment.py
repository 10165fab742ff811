"""One-time enrolment codes for the staff second factor.

A privileged user's first authenticator (a new staff member, or after
`manage.py reset_second_factor`) is accepted only with a code that an
administrator issued: shown once when a membership is created in the admin,
or printed by the command. The code is random (60 bits), kept only as a
salted hash, expires after PORTAL_STAFF_ENROLMENT_CODE_HOURS and works
once; issuing a new one revokes the user's unused ones. Every issue, use and
reset is written to Wagtail's audit log on the user.
"""

from __future__ import annotations

import datetime
import secrets

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from .models import EnrolmentCode

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
LENGTH = 12

ISSUED_ACTION = "accounts.second_factor.code_issued"
ENROLLED_ACTION = "accounts.second_factor.enrolled"
RESET_ACTION = "accounts.second_factor.reset"

LOG_ACTIONS = [
    (ISSUED_ACTION, _("Issue a second-factor enrolment code"), _("Issued a second-factor enrolment code")),
    (ENROLLED_ACTION, _("Set up a second factor"), _("Set up a second factor")),
    (RESET_ACTION, _("Reset a second factor"), _("Reset the second factor")),
]


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.PORTAL_STAFF_ENROLMENT_CODE_HOURS)


@transaction.atomic
def issue_code(user, *, issued_by=None, reason: str = "") -> str:
    """A new code for `user`, returned once in display form (three groups of four, ABCD-EFGH-JKLM)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
    row = EnrolmentCode.objects.create(user=user, token=make_password(code), expires_at=timezone.now() + lifetime())
    log(instance=user, action=ISSUED_ACTION, user=issued_by,
        data={"expires_at": row.expires_at.isoformat(), "reason": reason})
    return display(code)


def redeem(user, code: str) -> bool:
    """Use up a valid code of `user`; False when none matches (wrong, used,
    expired, or revoked by a newer one). Call inside the transaction that
    enrols the authenticator, so that a failed enrolment keeps the code."""
    code = normalise(code)
    if len(code) != LENGTH:
        return False
    now = timezone.now()
    for row in EnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now):
        if check_password(code, row.token):
            # Single use even against two requests at once: only one update wins.
            return bool(EnrolmentCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now))
    return False


def has_pending_code(user) -> bool:
    return EnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now()).exists()


@transaction.atomic
def reset_second_factor(user, *, reset_by=None) -> str:
    """Remove every authenticator of `user` (which also ends any session that
    passed with them, see accounts.mfa.passed_second_factor) and issue the
    enrolment code for the new one."""
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    log(instance=user, action=RESET_ACTION, user=reset_by, data={"authenticators_removed": deleted})
    return issue_code(user, issued_by=reset_by, reason="reset")


def record_enrolment(user) -> None:
    log(instance=user, action=ENROLLED_ACTION, user=user)
