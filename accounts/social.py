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
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin
    from django.http import HttpRequest

    from .models import CitizenProfile

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
        from allauth.socialaccount.providers.base import AuthProcess

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
    from .validators import validate_birth_date

    try:
        # OIDC birthdate is YYYY-MM-DD; "0000-…" (year withheld) and "YYYY" alone fail here.
        date = datetime.date.fromisoformat(str(value or ""))
        validate_birth_date(date)
    except (ValueError, ValidationError):
        return None
    return date


def _clean_id_number(value: Any) -> str | None:
    from .validators import validate_id_number

    value = "".join(str(value or "").split())
    try:
        validate_id_number(value)
    except ValidationError:
        return None
    return value


def _clean_phone(value: Any) -> str | None:
    from .validators import normalise_phone, validate_phone

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
        from .validators import check_id_matches_birth_date

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
    from .models import CitizenProfile

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


# ---------------------------------------------------------------- providers in the Wagtail admin


def _provider_choices() -> list[tuple[str, str]]:
    from allauth.socialaccount import providers

    return providers.registry.as_choices()


def social_app_form_class():
    """The form for an identity provider (allauth's SocialApp) in the Wagtail
    admin: the secret is write-only, and an OpenID Connect provider needs
    its issuer URL."""
    from allauth.socialaccount.models import SocialApp
    from django import forms
    from wagtail.admin.forms import WagtailAdminModelForm

    class SocialAppForm(WagtailAdminModelForm):
        provider = forms.ChoiceField(label=_("Kind of provider"), choices=_provider_choices)
        secret = forms.CharField(
            label=_("Client secret"),
            required=False,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            help_text=_("Leave empty to keep the current secret."),
        )
        server_url = forms.URLField(
            label=_("Issuer URL (OpenID Connect)"),
            required=False,
            assume_scheme="https",
            help_text=_("The provider's issuer, e.g. https://sso.example.gov.vn; its "
                        "/.well-known/openid-configuration must answer."),
        )

        class Meta:
            model = SocialApp
            fields = ["provider", "provider_id", "name", "client_id", "secret", "settings"]
            help_texts = {
                "provider_id": _("For OpenID Connect: a short id in lower case, e.g. vneid. It appears in the "
                                 "callback URL /accounts/oidc/<id>/login/callback/ and is recorded as the sign-in "
                                 "method."),
                "settings": _('Optional JSON, e.g. {"claims": {"id_number": "cccd"}, "verifies_identity": true}.'),
            }

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["server_url"].initial = (self.instance.settings or {}).get("server_url", "")
            self.fields["settings"].required = False

        def clean_secret(self):
            return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")

        def clean(self):
            cleaned = super().clean()
            app_settings = cleaned.get("settings") or {}
            if not isinstance(app_settings, dict):
                self.add_error("settings", _("Enter a JSON object, or leave it empty."))
                return cleaned
            if cleaned.get("server_url"):
                app_settings["server_url"] = cleaned["server_url"].rstrip("/")
            if cleaned.get("provider") == "openid_connect":
                if not app_settings.get("server_url"):
                    self.add_error("server_url", _("An OpenID Connect provider needs its issuer URL."))
                if not cleaned.get("provider_id"):
                    self.add_error("provider_id", _("An OpenID Connect provider needs a short id."))
            cleaned["settings"] = app_settings
            return cleaned

    return SocialAppForm


def register_admin() -> None:
    """Called from AccountsConfig.ready(): superusers add identity providers
    in Settings → Identity providers, with no code change and no restart."""
    from allauth.socialaccount.models import SocialApp
    from wagtail import hooks
    from wagtail.admin.viewsets.model import ModelViewSet

    class SocialAppViewSet(ModelViewSet):
        model = SocialApp
        name = "identity_providers"
        icon = "key"
        menu_label = _("Identity providers")
        add_to_settings_menu = True
        list_display = ["name", "provider", "provider_id", "client_id"]
        form_fields = ["provider", "provider_id", "name", "client_id", "secret", "settings"]

        def get_form_class(self, for_update=False):
            return social_app_form_class()

    hooks.register("register_admin_viewset", lambda: SocialAppViewSet())
