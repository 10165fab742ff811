"""Service functions of the accounts app: staff roles and agencies, and the
citizen's rights over their personal data."""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections.abc import Callable
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.dispatch import Signal
from django.utils import timezone
from wagtail.users.models import UserProfile

from core.client import client_ip
from procedures.models import Agency

from .models import CitizenProfile, Consent, StaffMembership, StaffRole
from .privacy import PURPOSE_CODES

# Role → name of the Wagtail group that carries its permissions. The groups
# are created by migration accounts 0002; later apps add their permissions
# to them by these names.
ROLE_GROUPS: dict[str, str] = {
    StaffRole.RECEIVER: "Agency receivers",
    StaffRole.HANDLER: "Agency handlers",
    StaffRole.LEADER: "Agency leaders",
    StaffRole.AGENCY_ADMIN: "Agency administrators",
}


def role_group(role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    return group


def sync_role_groups(user) -> None:
    """Make the user's role groups match their memberships: a user is in a
    role's group exactly while they hold that role at some agency. Other
    groups (editors, moderators) are left alone."""
    roles = set(StaffMembership.objects.filter(user=user).values_list("role", flat=True))
    for role, name in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if role in roles:
            user.groups.add(group)
        else:
            user.groups.remove(group)


def agencies_for(user, role: str | None = None) -> models.QuerySet[Agency]:
    """The agencies whose work `user` may see, optionally in one role.

    Memberships name one locale's copy of an agency; the result holds every
    locale's copy (same translation key), so scoping works whichever copy a
    dossier points at. Superusers see every agency; anonymous or inactive
    users none.
    """
    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.all()
    memberships = StaffMembership.objects.filter(user=user)
    if role is not None:
        memberships = memberships.filter(role=role)
    keys = Agency.objects.filter(staff_memberships__in=memberships).values("translation_key")
    return Agency.objects.filter(translation_key__in=keys)


def has_role(user, agency: Agency, role: str | None = None) -> bool:
    """Whether `user` holds `role` (any role if None) at `agency`."""
    return agencies_for(user, role).filter(pk=agency.pk).exists()


# ---------------------------------------------------------------- privacy (Decree 13/2023/NĐ-CP)

# Sent before an account's personal data is erased, with `user`: other apps
# anonymise or delete what they hold that the law does not require them to
# keep (drafts, saved searches…). Dossiers stay: they are administrative records.
account_erasing = Signal()

# Functions `f(user) -> dict | list | None` that add a section to a citizen's
# data export: for data not linked to the user by a foreign key, or for
# models whose rows point at the user in roles other than data subject.
personal_data_exporters: dict[str, Callable] = {}
# Models (label_lower) an exporter answers for: the generic walk leaves them
# out, so a row that points at the user as, say, a dossier's handler is not
# exported as if it were about them.
personal_data_covered_models: set[str] = set()

# Never exported: secrets and credentials, whatever model holds them.
SECRET_FIELD_NAMES = frozenset({"password", "token", "token_secret", "secret", "key", "secret_key"})
SECRET_FIELDS_BY_MODEL = {"mfa.authenticator": frozenset({"data"})}
# Related models exported by name in their own section (not by the generic walk).
EXPLICIT_SECTIONS = frozenset(
    {"accounts.citizenprofile", "accounts.consent", "accounts.staffmembership", "account.emailaddress",
     "socialaccount.socialaccount"}
)


def register_personal_data_exporter(name: str, covers: tuple[str, ...] = ()):
    """Decorator: `@register_personal_data_exporter("eforms.drafts")`.

    `covers` names the models (`"app.model"`) whose rows the exporter alone
    decides about: the app knows which of them are about the user as data
    subject (their own dossier) and which merely record their work (a
    dossier they handle, which is someone else's data)."""

    def decorator(func):
        personal_data_exporters[name] = func
        personal_data_covered_models.update(label.lower() for label in covers)
        return func

    return decorator


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def export_row(obj: models.Model, exclude: frozenset[str] = SECRET_FIELD_NAMES) -> dict:
    """A model instance as a JSON-ready dict of its concrete fields,
    foreign keys as their ids, secrets left out."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.name] = _plain(getattr(obj, field.attname))
    return data


_row = export_row


def export_personal_data(user) -> dict:
    """Everything the portal holds about `user`, for the citizen's own
    download (Decree 13/2023/NĐ-CP, Art. 9 and 14: the data subject may see
    and obtain their data). Known data by name, then every other row of any
    app that points at the user, so that data added by later features is
    never left out."""
    account = _row(user, exclude=SECRET_FIELD_NAMES | {"is_superuser"})
    account["groups"] = list(user.groups.values_list("name", flat=True))
    profile = CitizenProfile.objects.filter(user=user).first()
    profile_data = None
    if profile:
        profile_data = _row(profile)
        profile_data["province_name"] = profile.province_name
        profile_data["commune_name"] = profile.commune_name
    export = {
        "format": "dichvucong-personal-data/1",
        "generated_at": timezone.now().isoformat(),
        "account": account,
        "profile": profile_data,
        "email_addresses": [_row(a) for a in EmailAddress.objects.filter(user=user)],
        "social_accounts": [_row(a) for a in SocialAccount.objects.filter(user=user)],
        "consents": [_row(c) for c in Consent.objects.filter(user=user).order_by("given_at")],
        "staff_memberships": [
            {"agency": m.agency.name, "agency_code": m.agency.unit_code, "role": m.role,
             "created_at": m.created_at.isoformat()}
            for m in user.staff_memberships.select_related("agency")
        ],
        "other": {},
    }
    for relation in user._meta.related_objects:
        model = relation.related_model
        label = model._meta.label_lower
        if label in EXPLICIT_SECTIONS or label in personal_data_covered_models or relation.many_to_many:
            continue
        queryset = model._default_manager.filter(**{relation.field.name: user})
        exclude = SECRET_FIELD_NAMES | SECRET_FIELDS_BY_MODEL.get(label, frozenset())
        rows = [_row(obj, exclude) for obj in queryset[:10000]]
        if rows:
            export["other"].setdefault(label, []).extend(rows)
    for name, exporter in personal_data_exporters.items():
        section = exporter(user)
        if section:
            export["other"][name] = section
    return export


def erasable(user) -> bool:
    """Citizens may delete their own account; staff and administrators are
    closed by their agency administrator (their actions are official records)."""
    return not (user.is_superuser or user.is_staff or user.staff_memberships.exists())


@transaction.atomic
def erase_account(user) -> None:
    """Delete a citizen's account (Decree 13/2023/NĐ-CP, Art. 9 and 16).

    Removed: profile, email addresses, social and second-factor links, name,
    email, password, groups. Kept, because the law requires it: the dossiers
    the citizen submitted (administrative records under the Law on Archives
    and Decree 118/2025/NĐ-CP), which point at this user row; and the record
    of consents given (version and time, without the IP address), the proof
    that past processing was lawful. The row itself stays as an anonymous,
    inactive tombstone so those records keep their link; it can never sign in.
    """
    if not erasable(user):
        raise PermissionError("Staff accounts are closed by an agency administrator.")
    account_erasing.send(sender=user.__class__, user=user)
    CitizenProfile.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Consent.objects.filter(user=user).update(ip_address=None)
    Authenticator.objects.filter(user=user).delete()
    UserProfile.objects.filter(user=user).delete()
    user.username = f"erased-{user.pk}-{secrets.token_hex(4)}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.erased_at = timezone.now()
    # A new unusable password also ends every session of the account
    # (Django checks the session's password hash on each request).
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def record_consent(user, request=None, purposes: list[str] | None = None):
    """Record that `user` agreed to the current privacy notice (also for
    sign-ups through a social or OpenID Connect login)."""
    ip = (client_ip(request) or None) if request is not None else None
    return Consent.objects.create(
        user=user,
        version=settings.PORTAL_PRIVACY_NOTICE_VERSION,
        purposes=list(purposes if purposes is not None else PURPOSE_CODES),
        ip_address=ip,
    )


def has_current_consent(user) -> bool:
    return user.consents.filter(version=settings.PORTAL_PRIVACY_NOTICE_VERSION).exists()
