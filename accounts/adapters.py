"""The portal's django-allauth account adapter."""

from __future__ import annotations

import re

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.client import client_ip

from .mfa import needs_second_factor

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*\d+\s*/\s*(\d*)\s*([smhd])\s*(?:/\s*\w+\s*)?$")


def rate_windows(rates: str | None) -> list[int]:
    """The windows, in seconds, of an allauth rate-limit string in its
    documented form ("10/m/ip,5/15m/key": amount / [n]unit / per). Read here
    because allauth's own parser lives in an internal module."""
    windows = []
    for rate in (rates or "").split(","):
        if match := _RATE.match(rate):
            windows.append(int(match.group(1) or 1) * _UNIT_SECONDS[match.group(2)])
    return windows


def lockout_minutes(action: str = "login_failed") -> int:
    """The longest window among an action's rate limits, in whole minutes:
    how long a lock-out lasts at most before it ends by itself."""
    seconds = max(rate_windows(getattr(settings, "ACCOUNT_RATE_LIMITS", {}).get(action)), default=60)
    return max(1, int(round(seconds / 60)))


def _too_many_attempts() -> str:
    minutes = lockout_minutes("login_failed")
    return ngettext(
        "Too many failed sign-in attempts. For your safety, signing in is paused; "
        "please try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. For your safety, signing in is paused; "
        "please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class PortalAccountAdapter(DefaultAccountAdapter):
    """Clearer messages than allauth's, none of which tells whether an email
    address has an account, and the citizen's pages as the landing place."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("The email address or the password is not correct."),
        "too_many_login_attempts": lazy(_too_many_attempts, str)(),
        "rate_limited": _("You are sending too many requests. Please wait a few minutes and try again."),
    }

    def get_client_ip(self, request) -> str:
        # One answer for allauth's rate limits and the portal's own
        # throttles, audit log and consent records (core.client).
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def get_login_redirect_url(self, request) -> str:
        # allauth has already honoured a safe ?next=; without one, the
        # citizen lands on their own page in the language they use.
        return reverse("accounts_profile")

    def get_signup_redirect_url(self, request) -> str:
        return reverse("accounts_profile")

    def get_logout_redirect_url(self, request) -> str:
        return reverse("account_login")

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        # allauth's "Successfully signed in as {{ name }}" shows the
        # generated username, which means nothing to a citizen: say it plainly.
        if message_template == "account/messages/logged_in.txt":
            messages.add_message(request, level, gettext("You are signed in."), extra_tags=extra_tags)
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)


class PortalMFAAdapter(DefaultMFAAdapter):
    """A privileged user's authenticator is never removed from allauth's
    self-service pages, even after a fresh re-authentication: an
    administrator resets it (`manage.py reset_second_factor`, audited), so a
    stolen session or password cannot swap the staff second factor."""

    def can_delete_authenticator(self, authenticator) -> bool:
        if needs_second_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
