"""Authentication backends: Django's and allauth's, with one rule added.

An account whose email addresses are all unverified (a sign-up that never
confirmed its address) cannot sign in through any door. allauth's own login
already stops it at its email verification stage; these backends make every
other caller of `authenticate()` (Wagtail's /admin/login/, a future API
login) refuse it too. Accounts with no email address on record (staff
created in the admin, an OpenID Connect login without email) are not
affected.

allauth's backend keeps a user whose password matched but who may not
authenticate, and its login flow picks that user up again and sends them
to the verification page; that is why the rule sits in
`user_can_authenticate`. Sessions already made are checked by the usual
`is_active` only, so an authenticated request costs no extra query.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def awaits_email_verification(user) -> bool:
    """The account has email addresses and none of them is verified."""
    flags = set(EmailAddress.objects.filter(user_id=user.pk).values_list("verified", flat=True))
    return bool(flags) and True not in flags


class VerifiedEmailMixin:
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not awaits_email_verification(user)

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if super().user_can_authenticate(user) else None


class PortalModelBackend(VerifiedEmailMixin, ModelBackend):
    """Django's username and password backend."""


class PortalAuthenticationBackend(VerifiedEmailMixin, AuthenticationBackend):
    """allauth's email and password backend."""
