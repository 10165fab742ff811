"""The payments screens in the Wagtail admin: URLs, menu, permission and
audit-log actions (see payments/admin_views.py)."""

from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import admin_views, staff_hooks  # noqa: F401 (staff_hooks registers the dossier screen's fee views)
from .payment_scope import has_payment_scope, may_reconcile


@hooks.register("register_admin_urls")
def register_payments_urls():
    """/admin/payments/… (namespace "payments_admin")."""
    return admin_views.admin_urls()


class PaymentsMenuItem(MenuItem):
    def is_shown(self, request):
        return has_payment_scope(request.user)


class ReconcileMenuItem(MenuItem):
    def is_shown(self, request):
        return may_reconcile(request.user)


@hooks.register("register_admin_menu_item")
def register_payments_menu():
    menu = Menu(items=[
        PaymentsMenuItem(_("Payments"), reverse("payments_admin:index"), name="payments_list", icon_name="list-ul",
                         order=100),
        ReconcileMenuItem(_("Reconciliation"), reverse("payments_admin:reconcile"), name="payments_reconcile",
                          icon_name="tasks", order=200),
    ])
    return SubmenuMenuItem(_("Payments"), menu, name="payments", icon_name="doc-full", order=170)


@hooks.register("register_permissions")
def register_reconcile_permission():
    """So administrators can give it to a group (Settings → Groups)."""
    return Permission.objects.filter(content_type__app_label="payments", codename="reconcile_payment")


@hooks.register("register_log_actions")
def register_payments_log_actions(actions):
    actions.register_action(admin_views.RECEIPT_LOG_ACTION, _("Download an e-receipt"),
                            _("Downloaded a payment's e-receipt"))
    actions.register_action(admin_views.RECONCILE_LOG_ACTION, _("Reconcile payments"),
                            _("Reconciled payments with a provider"))
    actions.register_action(admin_views.EXPORT_LOG_ACTION, _("Export a reconciliation"),
                            _("Exported a payment reconciliation"))
