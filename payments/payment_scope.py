"""Which payments a staff member sees: those of the dossiers their staff
memberships let them see, by the back office's rule (`backoffice.scope`,
README "Who sees which dossiers"), which sits above this app and cannot be
imported here. Both start from `accounts.services.agencies_for`:

* receivers see the payments of every dossier of their agencies;
* leaders those of their agencies and of the agencies below them;
* handlers those of the dossiers assigned to them and of the unassigned ones;
* superusers all; anyone else none.

A co-handling agency does not collect the dossier's fees, so its staff do
not see the payments of a dossier lent to them. Agencies are matched by
translation key, so a dossier is found whichever locale's copy of its
agency it points at. Every payments screen, download and export filters by
`visible_payments`; reconciling also needs `RECONCILE_PERMISSION`.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import StaffRole
from accounts.services import agencies_for
from procedures.models import Agency

from .models import Payment

RECONCILE_PERMISSION = "payments.reconcile_payment"
SCOPED_ROLES = (StaffRole.RECEIVER, StaffRole.LEADER, StaffRole.HANDLER)


def _keys(agencies: QuerySet[Agency]) -> set:
    return set(agencies.values_list("translation_key", flat=True))


def _with_sub_agencies(keys: set) -> set:
    keys = set(keys)
    frontier = set(keys)
    while frontier:
        children = set(
            Agency.objects.filter(parent__translation_key__in=frontier).values_list("translation_key", flat=True)
        )
        frontier = children - keys
        keys |= children
    return keys


def visible_payments(user) -> QuerySet[Payment]:
    """The payments `user` may see in the admin."""
    payments = Payment.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return payments.none()
    if user.is_superuser:
        return payments
    whole = _keys(agencies_for(user, StaffRole.RECEIVER)) | _with_sub_agencies(
        _keys(agencies_for(user, StaffRole.LEADER)))
    handled = _keys(agencies_for(user, StaffRole.HANDLER))
    if not whole and not handled:
        return payments.none()
    condition = Q(dossier__agency__translation_key__in=whole) if whole else Q(pk__in=[])
    if handled:
        condition |= Q(dossier__agency__translation_key__in=handled) & (
            Q(dossier__assigned_to=user) | Q(dossier__assigned_to__isnull=True))
    return payments.filter(condition)


def has_payment_scope(user) -> bool:
    """Whether the payments screens are for `user` at all (the menu, the list)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(agencies_for(user, role).exists() for role in SCOPED_ROLES)


def may_reconcile(user) -> bool:
    """The permission, and agencies to reconcile for (or a superuser)."""
    return has_payment_scope(user) and user.has_perm(RECONCILE_PERMISSION)


def may_see(user, payment: Payment) -> bool:
    return visible_payments(user).filter(pk=payment.pk).exists()
