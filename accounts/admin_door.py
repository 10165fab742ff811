"""Wagtail's /admin/login/ and /admin/password_reset/, held to the same
rules as the citizens' door.

* Failed sign-ins count in allauth's "login_failed" limits with allauth's
  own keys (the client address, and the site with the name typed), so the
  two doors share one budget: ten wrong passwords a minute from an
  address, five in fifteen minutes for a name, whichever door is used.
* Only accounts that may use the admin get a session here. Everyone else,
  a citizen with the right password included, gets the same "did not
  match" answer as a wrong password, and the attempt counts as a failure,
  so the limits cannot tell a right password from a wrong one either.
* An account whose email is not verified never signs in (accounts.backends).
* A privileged account whose password is shorter than staff need is sent
  to reset it instead of signing in.
* Password reset requests count in allauth's "reset_password" limits (per
  address, and per email typed) and send mail only to admin users.

Staff may type their username or their email address.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm, PasswordResetForm
from wagtail.admin.views.account import PasswordResetView

from .backends import awaits_email_verification
from .validators import STAFF_PASSWORD_MIN_LENGTH, is_privileged


def may_use_admin(user) -> bool:
    return bool(
        user is not None
        and user.is_active
        and not awaits_email_verification(user)
        and user.has_perm("wagtailadmin.access_admin")
    )


def login_failed_key(request, login: str) -> str:
    """The per-account key allauth counts failed sign-ins under for `login`
    (allauth's login uses the same shape: the site's domain, then the
    name typed in lower case); tests/accounts/test_security_doors.py fails if the
    two drift apart."""
    return f"{get_current_site(request).domain}:{login.lower()}"


class AdminLoginForm(LoginForm):
    error_messages = {
        **LoginForm.error_messages,
        "staff_password_too_short": _(
            "Your password is shorter than the %(min_length)d characters a staff account needs. "
            "Set a new one with the password reset link on this page, then sign in."
        ),
    }

    def clean(self):
        login = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not login or not password:
            return self.cleaned_data
        # Counts the attempt in "login_failed" and raises the portal's
        # "too many attempts" error over the limit; a success is not counted.
        user = get_adapter(self.request).authenticate(self.request, username=login, password=password)
        if not may_use_admin(user):
            if user is not None:
                ratelimit.consume(self.request, action="login_failed", key=login_failed_key(self.request, login))
            raise self.get_invalid_login_error()
        if is_privileged(user) and len(password) < STAFF_PASSWORD_MIN_LENGTH:
            raise forms.ValidationError(
                self.error_messages["staff_password_too_short"],
                code="staff_password_too_short",
                params={"min_length": STAFF_PASSWORD_MIN_LENGTH},
            )
        self.user_cache = user
        return self.cleaned_data


class AdminPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        return (user for user in super().get_users(email) if may_use_admin(user))


class AdminPasswordResetView(PasswordResetView):
    def form_valid(self, form):
        limited = ratelimit.consume_or_429(
            self.request, action="reset_password", key=form.cleaned_data["email"].lower()
        )
        return limited or super().form_valid(form)
