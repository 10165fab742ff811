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
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "portal_admin_second_factor"
SETUP_SECRET_SESSION_KEY = "portal_admin_totp_setup_secret"
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
LOCKED_OUT_MESSAGE = _("Too many wrong codes. Wait 15 minutes, then try again.")

# Admin views a user must reach before the second factor: signing in and
# out, password reset, the admin's translation catalogue, and ours.
EXEMPT_URL_NAMES = {
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


# ---------------------------------------------------------------- state


def needs_second_factor(user) -> bool:
    """Anyone who can enter the admin must pass the second factor there."""
    return bool(
        user.is_authenticated and (user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
    )


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def passed_second_factor(request: HttpRequest) -> bool:
    return request.session.get(SESSION_KEY) == request.user.pk


def remember_second_factor(request: HttpRequest) -> None:
    # A new session key after a privilege change, as after a login.
    request.session.cycle_key()
    request.session[SESSION_KEY] = request.user.pk


def forget_second_factor(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


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
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None or not authenticator.wrap().validate_code(code):
        return False
    authenticator.record_usage()
    return True


# ---------------------------------------------------------------- middleware


class AdminSecondFactorMiddleware:
    """Keeps users who may enter the admin out of every /admin/ view, other
    than signing in and out, until they pass a TOTP check this session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not request.path_info.startswith(reverse("wagtailadmin_home")):
            return None
        if match.url_name in EXEMPT_URL_NAMES:
            return None
        user = getattr(request, "user", None)
        if user is None or not needs_second_factor(user) or passed_second_factor(request):
            return None
        target = "portal_admin_mfa_verify" if has_totp(user) else "portal_admin_mfa_setup"
        next_url = request.get_full_path() if request.method == "GET" else reverse("wagtailadmin_home")
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': next_url})}")


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


def setup_view(request: HttpRequest) -> HttpResponse:
    """Set up a TOTP authenticator: the app scans the QR code (or takes the
    key typed in), and one valid code proves it was set up right. A user who
    already has one must use it: it cannot be replaced on a password alone."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code

    user = request.user
    if not needs_second_factor(user):
        return redirect("wagtailadmin_home")
    if has_totp(user):
        return redirect(f"{reverse('portal_admin_mfa_verify')}?{urlencode({'next': _next_url(request)})}")
    secret = request.session.get(SETUP_SECRET_SESSION_KEY)
    if not secret:
        secret = request.session[SETUP_SECRET_SESSION_KEY] = generate_totp_secret()
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if is_locked_out(user):
            form.add_error(None, LOCKED_OUT_MESSAGE)
        elif form.is_valid():
            if validate_totp_code(secret, form.cleaned_data["code"]):
                TOTP.activate(user, secret)
                request.session.pop(SETUP_SECRET_SESSION_KEY, None)
                clear_failures(user)
                remember_second_factor(request)
                messages.success(request, _("Your authenticator app is set up. You will need a code from it each time you sign in."))
                return redirect(_next_url(request))
            record_failure(user)
            form.add_error("code", _("This code is not valid. Check the time on your phone and enter the current code."))
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
    return [
        path("second-factor/", verify_view, name="portal_admin_mfa_verify"),
        path("second-factor/setup/", setup_view, name="portal_admin_mfa_setup"),
    ]


def register() -> None:
    """Called from AccountsConfig.ready(): our views live under /admin/."""
    from wagtail import hooks

    hooks.register("register_admin_urls", admin_urls)

