"""Service functions of the accounts app: staff roles and agencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group

from .models import StaffMembership, StaffRole

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from procedures.models import Agency

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


def agencies_for(user, role: str | None = None) -> QuerySet[Agency]:
    """The agencies whose work `user` may see, optionally in one role.

    Memberships name one locale's copy of an agency; the result holds every
    locale's copy (same translation key), so scoping works whichever copy a
    dossier points at. Superusers see every agency; anonymous or inactive
    users none.
    """
    from procedures.models import Agency

    if not getattr(user, "is_authenticated", False) or not user.is_active:
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
