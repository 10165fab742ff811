"""The staff second factor: nobody works in /admin/ on a password alone.

Staff sign in at Wagtail's own /admin/login/ (a door apart from the
citizens' /accounts/login/). `AdminSecondFactorMiddleware` then lets a user
who may enter the admin go further only after a TOTP check in the current
session; one without a TOTP authenticator is sent to set one up first.

Why allauth.mfa's TOTP authenticators and not django-otp: allauth is already
the portal's account library, its `Authenticator` model, TOTP maths,
replay protection and QR code are reused as they are, and the same
authenticator also guards a staff member who signs in through the citizens'
door (allauth asks for the code at its login stage). Wagtail 8's admin login
stays untouched (no custom login form or URL), so Wagtail upgrades and its
password reset keep working; the check sits after it, in the session.

What a stolen password alone must never do, and where each is kept:
- reach a staff-only resource (the admin, dossier files as staff, any staff
  screen): `staff_access_allowed`, which the middleware applies to every view
  of the admin's URLconf (by the resolved view, so a SCRIPT_NAME prefix
  changes nothing) and other staff views call themselves;
- replace or remove the authenticator: allauth's self-service 2FA and
  re-authentication pages are closed to privileged users until they pass
  (`guarded_allauth_view`), its activation page always is, and the MFA
  adapter (accounts.adapters.PortalMFAAdapter) never lets them delete it;
  an administrator resets it (`manage.py reset_second_factor`);
- enrol a first authenticator: that takes a one-time enrolment code an
  administrator issued (accounts.enrolment).
Privileged sessions also end after PORTAL_STAFF_SESSION_IDLE_SECONDS without
a request and PORTAL_STAFF_SESSION_MAX_SECONDS after the login; the next
login asks for the second factor again.
"""

from __future__ import annotations

from functools import lru_cache

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from . import enrolment, totp

SESSION_KEY = "portal_admin_second_factor"
SETUP_SECRET_SESSION_KEY = "portal_admin_totp_setup_secret"
# When the privileged session began (login) and last made a request, as
# POSIX timestamps; see enforce_session_limits.
SESSION_STARTED_KEY = "portal_staff_session_started"
SESSION_SEEN_KEY = "portal_staff_session_seen"
SEEN_RESOLUTION_SECONDS = 60  # write the session at most once a minute for the idle clock
SESSION_ENDED_MESSAGE = _("Your staff session has ended. Sign in again.")
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
LOCKED_OUT_MESSAGE = _("Too many wrong codes. Wait 15 minutes, then try again.")

# Admin views a user must reach before the second factor: signing in and
# out, password reset, the admin's translation catalogue and icon sprite
# (what the second-factor screens themselves are drawn with), and ours.
EXEMPT_URL_NAMES = {
    "wagtailadmin_sprite",
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "portal_admin_mfa_verify",
    "portal_admin_mfa_setup",
}


# allauth's self-service pages that manage or stand in for a second factor
# (its URL names are global): closed to privileged users until they pass.
# `mfa_authenticate` is absent on purpose: it is the login stage itself,
# reached before anyone is signed in.
GUARDED_ALLAUTH_URL_NAME_PREFIXES = ("mfa_",)
GUARDED_ALLAUTH_URL_NAMES = {"account_reauthenticate"}
LOGIN_STAGE_URL_NAMES = {"mfa_authenticate", "mfa_trust", "mfa_login_webauthn", "mfa_signup_webauthn"}
# Enrolment happens only in our setup view, with an enrolment code.
ACTIVATION_URL_NAME_PREFIX = "mfa_activate_"


# ---------------------------------------------------------------- state


def needs_second_factor(user) -> bool:
    """Anyone who holds staff powers (the admin, a staff membership) must
    pass the second factor before using them."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.staff_memberships.exists() or user.has_perm("wagtailadmin.access_admin")


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def passed_second_factor(request: HttpRequest) -> bool:
    """Passed in this session, with an authenticator the user still has: a
    reset (which deletes it) ends the pass of every session at once."""
    return request.session.get(SESSION_KEY) == request.user.pk and has_totp(request.user)


def staff_access_allowed(request: HttpRequest) -> bool:
    """The one rule before any staff-only resource (the admin, dossier files
    served to staff, staff screens outside the admin, API keys): False for a
    privileged user who has not passed the second factor in this session.

    It says nothing about *which* staff powers the user holds: callers still
    check roles and agencies (accounts.services.agencies_for). A user with
    no staff powers passes, since there is nothing to guard; an anonymous or
    inactive one never does. Views answer False with
    `second_factor_redirect(request)` (or 404 where existence must not leak).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return not needs_second_factor(user) or passed_second_factor(request)


def second_factor_redirect(request: HttpRequest, next_url: str | None = None) -> HttpResponseRedirect:
    """To the check (or, with no authenticator yet, the set-up), coming back
    to `next_url` (this page for a GET) afterwards."""
    if next_url is None:
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else reverse("wagtailadmin_home")
    target = "portal_admin_mfa_verify" if has_totp(request.user) else "portal_admin_mfa_setup"
    return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': next_url})}")


def remember_second_factor(request: HttpRequest) -> None:
    # A new session key after a privilege change, as after a login.
    request.session.cycle_key()
    request.session[SESSION_KEY] = request.user.pk


def forget_second_factor(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def start_session_clock(request: HttpRequest) -> None:
    """At each login: the absolute limit counts from here."""
    now = timezone.now().timestamp()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_SEEN_KEY] = now


def enforce_session_limits(request: HttpRequest) -> bool:
    """Log a privileged user out after PORTAL_STAFF_SESSION_IDLE_SECONDS
    without a request, or PORTAL_STAFF_SESSION_MAX_SECONDS after the login
    (whatever they did since), so that a forgotten or stolen staff session
    does not live for the session cookie's 14 days; signing in again asks
    for the second factor again. True when the session was ended."""
    user = getattr(request, "user", None)
    if user is None or not needs_second_factor(user):
        return False
    session = request.session
    now = timezone.now().timestamp()
    started = session.get(SESSION_STARTED_KEY)
    seen = session.get(SESSION_SEEN_KEY)
    if started is None:  # a session from before these limits: count from now
        started = session[SESSION_STARTED_KEY] = now
    idle = seen is not None and now - seen > settings.PORTAL_STAFF_SESSION_IDLE_SECONDS
    too_old = now - started > settings.PORTAL_STAFF_SESSION_MAX_SECONDS
    if idle or too_old:
        logout(request)
        messages.info(request, SESSION_ENDED_MESSAGE)
        return True
    if seen is None or now - seen >= SEEN_RESOLUTION_SECONDS:
        session[SESSION_SEEN_KEY] = now
    return False


def _failures_key(user) -> str:
    return f"portal.admin_mfa.failures.{user.pk}"


def is_locked_out(user) -> bool:
    """Too many wrong codes lock the check for a while, for this account
    from any address; the lock ends by itself."""
    return cache.get(_failures_key(user), 0) >= MAX_FAILURES


def record_failure(user) -> None:
    key = _failures_key(user)
    if not cache.add(key, 1, LOCKOUT_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOCKOUT_SECONDS)


def clear_failures(user) -> None:
    cache.delete(_failures_key(user))


def check_code(user, code: str) -> bool:
    """A valid, not yet used code of the user's TOTP authenticator."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None or not authenticator.wrap().validate_code(code):
        return False
    authenticator.record_usage()
    return True


# ---------------------------------------------------------------- middleware


@lru_cache(maxsize=8)
def admin_views(urlconf: str | None = None) -> frozenset:
    """Every view function of Wagtail's admin URLconf (its own, viewsets',
    and `register_admin_urls` hooks'), wherever the URLconf is mounted."""
    # Importing Wagtail's admin URLconf runs every app's register_admin_urls
    # hook; at this module's import (AccountsConfig.ready()) other apps may
    # not be ready yet, so it waits for the first request.
    from wagtail.admin import urls as admin_urlconf

    def walk(patterns, inside: bool):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, inside or pattern.urlconf_module is admin_urlconf)
            elif isinstance(pattern, URLPattern) and inside:
                yield pattern.callback

    return frozenset(walk(get_resolver(urlconf).url_patterns, False))


def guarded_allauth_view(url_name: str | None) -> bool:
    if not url_name or url_name in LOGIN_STAGE_URL_NAMES:
        return False
    return url_name in GUARDED_ALLAUTH_URL_NAMES or url_name.startswith(GUARDED_ALLAUTH_URL_NAME_PREFIXES)


class AdminSecondFactorMiddleware:
    """Ends privileged sessions past their limits; keeps privileged users out
    of every admin view (other than signing in and out) and of allauth's
    second-factor pages until they pass a TOTP check this session.

    Views are recognised by what the URL resolved to, never by the path's
    text, so a deployment under a SCRIPT_NAME prefix is guarded the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        enforce_session_limits(request)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None:
            return None
        user = getattr(request, "user", None)
        if user is None or not needs_second_factor(user):
            return None
        if guarded_allauth_view(match.url_name):
            if match.url_name.startswith(ACTIVATION_URL_NAME_PREFIX):
                return redirect("portal_admin_mfa_setup")
            return None if passed_second_factor(request) else second_factor_redirect(request)
        if match.func not in admin_views(getattr(request, "urlconf", None)) or match.url_name in EXEMPT_URL_NAMES:
            return None
        return None if passed_second_factor(request) else second_factor_redirect(request)


# ---------------------------------------------------------------- views


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse("wagtailadmin_home")


def verify_view(request: HttpRequest) -> HttpResponse:
    """Ask a staff member who has an authenticator for its current code."""
    user = request.user
    if not needs_second_factor(user):
        return redirect("wagtailadmin_home")
    if not has_totp(user):
        return redirect(f"{reverse('portal_admin_mfa_setup')}?{urlencode({'next': _next_url(request)})}")
    if passed_second_factor(request):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if is_locked_out(user):
            form.add_error(None, LOCKED_OUT_MESSAGE)
        elif form.is_valid():
            if check_code(user, form.cleaned_data["code"]):
                clear_failures(user)
                remember_second_factor(request)
                return redirect(_next_url(request))
            record_failure(user)
            form.add_error("code", _("This code is not valid. Enter the current code from your authenticator app."))
    return render(
        request,
        "accounts/mfa/admin_verify.html",
        {"form": form, "next": _next_url(request)},
        status=200 if not form.errors else 400,
    )


class EnrolmentForm(CodeForm):
    enrolment_code = forms.CharField(
        label=_("Enrolment code from your administrator"),
        help_text=_("Twelve letters and digits, such as ABCD-EFGH-JKLM. Ask your agency's administrator if you have none."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    field_order = ["enrolment_code", "code"]


def setup_view(request: HttpRequest) -> HttpResponse:
    """Set up a TOTP authenticator: the app scans the QR code (or takes the
    key typed in), one valid code proves it was set up right, and the
    one-time enrolment code an administrator issued proves that the person
    at the keyboard is the one the administrator meant, not just someone
    holding the password. A user who already has an authenticator must use
    it: it cannot be replaced on a password alone."""
    user = request.user
    if not needs_second_factor(user):
        return redirect("wagtailadmin_home")
    if has_totp(user):
        return redirect(f"{reverse('portal_admin_mfa_verify')}?{urlencode({'next': _next_url(request)})}")
    secret = request.session.get(SETUP_SECRET_SESSION_KEY)
    if not secret:
        secret = request.session[SETUP_SECRET_SESSION_KEY] = totp.generate_secret()
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST":
        if is_locked_out(user):
            form.add_error(None, LOCKED_OUT_MESSAGE)
        elif form.is_valid():
            if not totp.code_matches(secret, form.cleaned_data["code"]):
                record_failure(user)
                form.add_error("code", _("This code is not valid. Check the time on your phone and enter the current code."))
            else:
                with transaction.atomic():
                    enrolled = enrolment.redeem(user, form.cleaned_data["enrolment_code"])
                    if enrolled:
                        totp.activate(user, secret)
                        enrolment.record_enrolment(user)
                if enrolled:
                    request.session.pop(SETUP_SECRET_SESSION_KEY, None)
                    clear_failures(user)
                    remember_second_factor(request)
                    messages.success(request, _("Your authenticator app is set up. You will need a code from it each time you sign in."))
                    return redirect(_next_url(request))
                record_failure(user)
                form.add_error("enrolment_code", _("This enrolment code is not valid: it may be mistyped, used already, "
                                                   "expired or replaced by a newer one. Ask your administrator for a new one."))
    adapter = get_adapter()
    totp_url = adapter.build_totp_url(user, secret)
    return render(
        request,
        "accounts/mfa/admin_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "secret": secret,
            "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "totp_svg": adapter.build_totp_svg(totp_url),
            "totp_url": totp_url,
        },
        status=200 if not form.errors else 400,
    )


def admin_urls() -> list:
    """The check and the set-up live under /admin/ (accounts.wagtail_hooks)."""
    return [
        path("second-factor/", verify_view, name="portal_admin_mfa_verify"),
        path("second-factor/setup/", setup_view, name="portal_admin_mfa_setup"),
    ]

