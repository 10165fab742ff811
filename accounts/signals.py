"""Signal receivers of the accounts app, connected by AccountsConfig.ready():
how each login was made (session key `portal_login_method`, which dossiers
record), the profile refresh from an identity provider's claims, and the
role groups that follow staff memberships."""

from __future__ import annotations

from allauth.account.signals import user_logged_in as allauth_user_logged_in
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in as auth_user_logged_in
from django.db.models.signals import post_delete, post_save

from .mfa import forget_second_factor, start_session_clock
from .models import StaffMembership
from .services import sync_role_groups
from .social import profile_from_claims

LOGIN_METHOD_SESSION_KEY = "portal_login_method"
PASSWORD_LOGIN = "email"


def record_login(sender, request, user, **kwargs) -> None:
    """Every login (portal, admin, any backend) starts as a password login
    and must pass the admin's second factor afresh; allauth's own signal,
    sent just after this one, corrects the method for social logins."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[LOGIN_METHOD_SESSION_KEY] = PASSWORD_LOGIN
    forget_second_factor(request)
    start_session_clock(request)


def record_social_login(sender, request, user, sociallogin=None, **kwargs) -> None:
    """A social or OpenID Connect login: record the provider id (e.g.
    "vneid", "google") and refresh the profile from the provider's claims."""
    if sociallogin is None or getattr(request, "session", None) is None:
        return
    request.session[LOGIN_METHOD_SESSION_KEY] = sociallogin.account.provider
    profile_from_claims(user, sociallogin)


def sync_groups_of_member(sender, instance: StaffMembership, **kwargs) -> None:
    """A membership saved or deleted, one by one, in bulk or by a cascade
    (an agency deleted): the user's role groups follow. A signal rather than
    StaffMembership.save(), which a queryset delete never calls."""
    user = get_user_model().objects.filter(pk=instance.user_id).first()
    if user is not None:
        sync_role_groups(user)


def connect() -> None:
    auth_user_logged_in.connect(record_login, dispatch_uid="accounts.record_login")
    allauth_user_logged_in.connect(record_social_login, dispatch_uid="accounts.record_social_login")
    post_save.connect(sync_groups_of_member, sender=StaffMembership, dispatch_uid="accounts.sync_groups_of_member")
    post_delete.connect(sync_groups_of_member, sender=StaffMembership, dispatch_uid="accounts.sync_groups_of_member")
