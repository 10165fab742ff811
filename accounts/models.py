"""Users, citizen profiles, consents and agency staff memberships."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import units
from .validators import validate_birth_date, validate_id_number, validate_phone


class User(AbstractUser):
    """The portal's one user model, for citizens, businesses and staff alike.

    Set before the first migration so that later issues can grow it (profile,
    staff memberships, sign-in method) without swapping the user model.
    """

    email = models.EmailField(_("email address"), blank=True, db_index=True)
    erased_at = models.DateTimeField(
        _("personal data erased at"),
        null=True,
        blank=True,
        help_text=_("Set when the owner deleted the account: the row stays only so that records the law "
                    "requires to be kept (dossiers) still point somewhere."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_agency_staff(self) -> bool:
        return self.staff_memberships.exists()


class CitizenProfile(models.Model):
    """What a citizen tells the portal about themselves, used to prefill
    e-forms. Fields an identity provider vouched for are listed in
    `verified_fields` (by field name) with the provider in `verified_by`;
    the profile form shows them as verified and will not let the citizen
    change them silently."""

    # Field names that may appear in verified_fields.
    VERIFIABLE_FIELDS = ("full_name", "date_of_birth", "id_number", "phone", "province_code", "commune_code", "street")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True, validators=[validate_birth_date])
    id_number = models.CharField(
        _("citizen identity number"),
        max_length=12,
        blank=True,
        validators=[validate_id_number],
        help_text=_("The 12-digit personal identification number on your citizen identity card."),
    )
    phone = models.CharField(
        _("mobile phone"),
        max_length=10,
        blank=True,
        validators=[validate_phone],
        help_text=_("Stored in national form, e.g. 0912345678."),
    )
    province_code = models.CharField(
        _("province"), max_length=8, blank=True, validators=[RegexValidator(r"^\d+$")]
    )
    commune_code = models.CharField(
        _("commune, ward or special zone"), max_length=8, blank=True, validators=[RegexValidator(r"^\d+$")]
    )
    street = models.CharField(_("house number and street"), max_length=255, blank=True)
    verified_fields = models.JSONField(_("verified fields"), default=list, blank=True)
    verified_by = models.CharField(_("verified by"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("citizen profile")
        verbose_name_plural = _("citizen profiles")

    def __str__(self) -> str:
        return self.full_name or str(self.user)

    def is_verified(self, field_name: str) -> bool:
        return field_name in (self.verified_fields or [])

    @property
    def province_name(self) -> str:
        return units.province_name(self.province_code)

    @property
    def commune_name(self) -> str:
        return units.commune_name(self.commune_code)

    @property
    def address(self) -> str:
        """One line, street first, as Vietnamese addresses are written."""
        return ", ".join(part for part in (self.street, self.commune_name, self.province_name) if part)


class Consent(models.Model):
    """A citizen's consent to the processing of their personal data
    (Decree 13/2023/NĐ-CP, Art. 11: consent must be explicit and provable).
    One row per notice version agreed to; never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user")
    )
    version = models.CharField(_("privacy notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    purposes = models.JSONField(_("purposes agreed to"), default=list)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.user} – {self.version}"


class StaffRole(models.TextChoices):
    """What a staff member does for an agency; each role is a Wagtail group
    (see accounts.services.ROLE_GROUPS)."""

    RECEIVER = "receiver", _("Receiver (tiếp nhận)")
    HANDLER = "handler", _("Handler (xử lý)")
    LEADER = "leader", _("Leader (lãnh đạo)")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")


class StaffMembership(models.Model):
    """A user works for an agency in a role. Dossiers and API access are
    scoped by these rows (accounts.services.agencies_for); the user's role
    groups follow them (accounts.signals.sync_groups_of_member)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships", verbose_name=_("user")
    )
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.CASCADE, related_name="staff_memberships", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        ordering = ["agency__name", "user__email", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="unique_staff_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.agency} ({self.get_role_display()})"



class StaffInvitation(models.Model):
    """An offer of a staff role sent to an email address whose account does
    not exist yet or has not confirmed it. Only the link's one-time token,
    emailed to that address, accepts it: holding it proves control of the
    mailbox, which a merely typed-in address on an early sign-up does not.
    Only the token's SHA-256 is stored."""

    VALID_FOR = datetime.timedelta(days=7)

    email = models.EmailField(_("email address"))
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.CASCADE, related_name="staff_invitations", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False, verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False, verbose_name=_("accepted by"),
    )

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} – {self.agency} ({self.get_role_display()})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def set_new_token(self) -> str:
        """Give the invitation a fresh token and expiry; returns the token,
        which exists only in the email from then on."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        self.expires_at = timezone.now() + self.VALID_FOR
        self.email = self.email.strip().lower()
        return token

    @classmethod
    def create(cls, *, email: str, agency, role: str, created_by=None) -> tuple[StaffInvitation, str]:
        invitation = cls(email=email, agency=agency, role=role, created_by=created_by)
        token = invitation.set_new_token()
        invitation.save()
        return invitation, token

    @classmethod
    def open_for_token(cls, token: str) -> StaffInvitation | None:
        """The unused, unexpired invitation of this token, if any."""
        return cls.objects.select_related("agency").filter(
            token_hash=cls.hash_token(token), accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).first()


class EnrolmentCode(models.Model):
    """A one-time code an administrator gives a staff member (in person or
    on another channel) to set up their first authenticator, so that a
    stolen password alone never enrols the thief's phone. Only a hash is
    kept; a code is used once and expires (accounts.enrolment)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_codes", verbose_name=_("user")
    )
    # Named `token` so that personal data exports leave the hash out.
    token = models.CharField(_("enrolment code (hashed)"), max_length=128)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("second-factor enrolment code")
        verbose_name_plural = _("second-factor enrolment codes")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.user} – {self.issued_at:%Y-%m-%d %H:%M}"
