"""The admin hooks of the agency's fee screens (fee notice, refund), kept
apart from `wagtail_hooks.py` so that the reconciliation and receipts
screens can register theirs there; `wagtail_hooks.py` imports this module."""

from django.urls import include, path
from wagtail import hooks

from . import staff


@hooks.register("register_admin_urls")
def register_payment_staff_urls():
    """/admin/payments/dossiers/<pk>/fee-notice/ and /admin/payments/<id>/refund/
    (namespace "payments_staff")."""
    return [path("payments/", include((staff.urlpatterns, "payments_staff")))]
