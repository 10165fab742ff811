"""Social and OpenID Connect login: the social account adapter, and the
citizen profile filled from an identity provider's claims.

Two rules hold whatever the configuration says:

* a social login never takes over an existing account by itself. With
  ``SOCIALACCOUNT_EMAIL_AUTHENTICATION = False`` allauth does not log into
  an account whose email matches; a citizen links a provider by signing in
  to the portal account first and connecting it (proof of ownership). Even
  if an operator turns email authentication on for a provider, staff and
  superuser accounts are never matched;
* staff accounts (anyone who may enter the Wagtail admin, or holds an agency
  role) do not sign in through a social or OIDC provider at all: they use
  /admin/ with their password and a second factor (accounts.mfa).
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .models import CitizenProfile
from .validators import (
    check_id_matches_birth_date,
    normalise_phone,
    validate_birth_date,
    validate_id_number,
    validate_phone,
)

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

STAFF_REFUSED_MESSAGE = _(
    "Staff accounts cannot sign in or be linked with a social or identity-provider account. "
    "Staff sign in at the administration page with their password and second factor."
)


def is_privileged(user) -> bool:
    """Whether an account is worth more than a citizen's: staff, superusers,
    anyone who may enter the Wagtail admin, agency staff."""
    if user is None or user.pk is None:
        return False
    return bool(
        user.is_staff
        or user.is_superuser
        or user.has_perm("wagtailadmin.access_admin")
        or user.staff_memberships.exists()
    )


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def authenticate_by_email(self, sociallogin: SocialLogin):
        """allauth's email authentication (off by default, but an operator can
        switch it on per provider in the admin) never matches a staff or
        superuser account, however verified the provider says the email is."""
        match = super().authenticate_by_email(sociallogin)
        if match and is_privileged(match[0]):
            logger.warning(
                "Refused email authentication of %s login into privileged account %s",
                sociallogin.account.provider,
                match[0].pk,
            )
            return None
        return match

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Refuse, with a message, a social login into a staff account (one
        linked before its owner became staff) and connecting a provider to
        the staff account that is signed in."""
        connecting = sociallogin.state.get("process") == AuthProcess.CONNECT
        target = request.user if connecting and request.user.is_authenticated else sociallogin.user
        if (sociallogin.is_existing or connecting) and is_privileged(target):
            logger.warning("Refused %s social login for privileged account %s", sociallogin.account.provider, target.pk)
            messages.error(request, STAFF_REFUSED_MESSAGE)
            raise ImmediateHttpResponse(redirect("account_login"))

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None):
        """A new account from a social login starts with the profile its
        provider's claims fill."""
        user = super().save_user(request, sociallogin, form)
        profile_from_claims(user, sociallogin)
        return user


# ---------------------------------------------------------------- profile from claims


def claims_of(sociallogin: SocialLogin) -> dict[str, Any]:
    """The identity claims of a social login as one flat dict: for OpenID
    Connect the ID token's claims overlaid with the userinfo answer; for
    OAuth providers (Google, Facebook) the profile they returned."""
    data = sociallogin.account.extra_data or {}
    if "userinfo" in data or "id_token" in data:
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return dict(data)


def _provider_settings(sociallogin: SocialLogin) -> tuple[dict[str, str], bool]:
    """Claim names for the profile fields, and whether this provider vouches
    for identity (an OpenID Connect identity provider does unless configured
    otherwise; Google and Facebook only know what people typed)."""
    provider = sociallogin.account.get_provider()
    app_settings = (provider.app.settings if provider.app else None) or {}
    claim_names = {**settings.PORTAL_PROFILE_CLAIMS, **(app_settings.get("claims") or {})}
    verifies = app_settings.get("verifies_identity", provider.id == "openid_connect")
    return claim_names, bool(verifies)


def _clean_full_name(value: Any) -> str | None:
    value = " ".join(str(value or "").split())
    return value[:200] or None


def _clean_date_of_birth(value: Any) -> datetime.date | None:
    try:
        # OIDC birthdate is YYYY-MM-DD; "0000-…" (year withheld) and "YYYY" alone fail here.
        date = datetime.date.fromisoformat(str(value or ""))
        validate_birth_date(date)
    except (ValueError, ValidationError):
        return None
    return date


def _clean_id_number(value: Any) -> str | None:
    value = "".join(str(value or "").split())
    try:
        validate_id_number(value)
    except ValidationError:
        return None
    return value


def _clean_phone(value: Any) -> str | None:
    value = normalise_phone(str(value or ""))
    try:
        validate_phone(value)
    except ValidationError:
        return None
    return value


CLEANERS = {
    "full_name": _clean_full_name,
    "date_of_birth": _clean_date_of_birth,
    "id_number": _clean_id_number,
    "phone": _clean_phone,
}


def profile_values_from_claims(claims: dict[str, Any], claim_names: dict[str, str]) -> dict[str, Any]:
    """The profile fields the claims give, each validated as the profile form
    would; a claim that does not pass is left out (and logged), never stored."""
    values: dict[str, Any] = {}
    for field_name, cleaner in CLEANERS.items():
        claim = claim_names.get(field_name)
        if not claim or claims.get(claim) in (None, ""):
            continue
        cleaned = cleaner(claims[claim])
        if cleaned is None:
            logger.warning("Ignored claim %r for %s: not a valid value", claim, field_name)
            continue
        values[field_name] = cleaned
    if "id_number" in values and "date_of_birth" in values:
        try:
            check_id_matches_birth_date(values["id_number"], values["date_of_birth"])
        except ValidationError:
            logger.warning("Ignored the id_number claim: it does not match the birthdate claim")
            del values["id_number"]
    return values


def profile_from_claims(user, sociallogin: SocialLogin) -> CitizenProfile:
    """Fill the citizen profile from the provider's claims.

    An identity provider's values replace what the profile held and are
    marked verified (`verified_fields`, `verified_by`), on every login, so
    the profile follows the national registry. A provider that does not
    vouch for identity (Google, Facebook) only fills fields that are empty,
    and marks nothing verified."""
    claim_names, verifies = _provider_settings(sociallogin)
    values = profile_values_from_claims(claims_of(sociallogin), claim_names)
    profile, _created = CitizenProfile.objects.get_or_create(user=user)
    verified = list(profile.verified_fields or [])
    for field_name, value in values.items():
        if verifies:
            setattr(profile, field_name, value)
            if field_name not in verified:
                verified.append(field_name)
        elif not getattr(profile, field_name) and field_name not in verified:
            setattr(profile, field_name, value)
    if verifies and values:
        profile.verified_fields = verified
        profile.verified_by = sociallogin.account.provider
    profile.save()
    return profile
