"""Staff invitations: who may be given a staff role, the one-time link that
proves control of an address, and accepting it.

A role is granted directly only to an account whose primary email is
confirmed; anyone else gets an emailed link instead, because an early
sign-up with a future colleague's address proves nothing about who reads
that mailbox."""

from __future__ import annotations

from functools import partial

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import StaffInvitation, StaffMembership


def has_confirmed_primary_email(user, email: str) -> bool:
    """Whether `email` is `user`'s primary address and confirmed."""
    return EmailAddress.objects.filter(user=user, email__iexact=email, primary=True, verified=True).exists()


def invitation_url(token: str) -> str:
    path = reverse("accounts_staff_invitation", kwargs={"token": token})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def send_invitation(invitation: StaffInvitation, token: str) -> None:
    """Email the link once the invitation is stored."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "url": invitation_url(token),
                   "agency": invitation.agency.name, "role": invitation.get_role_display(),
                   "expires_at": invitation.expires_at}
        subject = render_to_string("accounts/email/staff_invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/staff_invitation_message.txt", context)
    transaction.on_commit(partial(send_mail, subject, body, None, [invitation.email]))


def can_accept(invitation: StaffInvitation, user) -> bool:
    """The signed-in account must hold the invited address (confirmed or
    not); the token, which only that mailbox received, does the rest."""
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email).exists() or (
        (user.email or "").lower() == invitation.email.lower()
    )


@transaction.atomic
def accept(invitation: StaffInvitation, user) -> StaffMembership | None:
    """Grant the role, confirm the address (the token proved it) and spend
    the invitation; None if it was spent meanwhile."""
    spent = StaffInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True,
                                           expires_at__gt=timezone.now()).update(
        accepted_at=timezone.now(), accepted_by=user)
    if not spent:
        return None
    address = EmailAddress.objects.filter(user=user, email__iexact=invitation.email).first()
    if address is None:
        address = EmailAddress.objects.create(user=user, email=invitation.email, verified=True,
                                              primary=not EmailAddress.objects.filter(user=user, primary=True).exists())
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    membership, _created = StaffMembership.objects.get_or_create(user=user, agency=invitation.agency,
                                                                 role=invitation.role)
    return membership
