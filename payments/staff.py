"""The agency's side of fees, in the Wagtail admin: the "Fees and payments"
section of the back office's dossier screen, issuing a fee notice, and
refunding a payment.

Who may act mirrors the back office's rule (`backoffice.scope`, which this
layer may not import): staff act on a dossier through their roles at its
receiving agency (`eforms.lifecycle.staff_roles`), a handler only on the
dossiers assigned to them or to nobody. Any role may issue a fee notice;
refunds are for receivers and leaders. Everyone else, other agencies'
staff included, gets 404 from these views. The URLs live under /admin/
(`staff_hooks`), behind the staff second factor.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from eforms import lifecycle
from eforms.extensions import Section
from eforms.models import Dossier, DossierStatus

from . import services
from .forms import RefundForm, fee_notice_forms
from .models import FeeNotice, Payment, PaymentState
from .providers import UnknownProvider, get_provider
from .providers.base import RefundNotSupported
from .views import notice_rows, vnd

#: A fee notice is issued while the agency holds the dossier.
NOTICE_STATUSES = frozenset({DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.NEEDS_SUPPLEMENT,
                             DossierStatus.COMPLETED})
REFUND_ROLES = frozenset({lifecycle.RECEIVER, lifecycle.LEADER})


def acting_roles(user, dossier: Dossier) -> set[str]:
    """The roles `user` acts with on `dossier`: those at its receiving agency,
    less "handler" when the dossier is assigned to someone else (the back
    office shows a handler only their own and the unassigned dossiers)."""
    if dossier.status == DossierStatus.DRAFT:
        return set()
    roles = set(lifecycle.staff_roles(user, dossier))
    if (lifecycle.HANDLER in roles and not user.is_superuser
            and dossier.assigned_to_id not in (None, user.pk)):
        roles.discard(lifecycle.HANDLER)
    return roles


def may_issue_notice(user, dossier: Dossier) -> bool:
    return bool(acting_roles(user, dossier)) and dossier.procedure.online_payment


def may_refund(user, dossier: Dossier) -> bool:
    return bool(acting_roles(user, dossier) & REFUND_ROLES)


def dossier_screen_url(dossier: Dossier) -> str:
    """The back office's dossier screen (by URL name: that layer is above this one)."""
    try:
        return reverse("backoffice:dossier", args=[dossier.pk])
    except NoReverseMatch:
        return reverse("wagtailadmin_home")


def _supports_refund(code: str) -> bool:
    try:
        return get_provider(code).supports_refund
    except UnknownProvider:
        return False


def _section_context(request, dossier: Dossier, *, notice_form=None, lines=None) -> dict:
    rows = notice_rows(dossier)
    can_issue = may_issue_notice(request.user, dossier) and dossier.status in NOTICE_STATUSES
    if can_issue and notice_form is None:
        notice_form, lines = fee_notice_forms(lines=services.notice_lines(dossier.procedure),
                                              notices_seen=len(rows))
    refund = may_refund(request.user, dossier)
    for row in rows:
        for entry in row["payments"]:
            payment = entry["payment"]
            entry["refundable"] = refund and services.refundable_vnd(payment) > 0
            entry["supports_refund"] = _supports_refund(payment.provider)
    return {
        "dossier": dossier,
        "rows": rows,
        "can_issue": can_issue,
        "notice_form": notice_form,
        "lines": lines,
        "issue_url": reverse("payments_staff:issue_notice", args=[dossier.pk]),
    }


def staff_section(request, dossier: Dossier) -> Section | None:
    """The dossier screen's "Fees and payments": shown for a procedure paid
    online, or once the dossier has a fee notice."""
    if not dossier.procedure.online_payment and not dossier.fee_notices.exists():
        return None
    return Section("payments/staff_section.html", _section_context(request, dossier))


def _acting_dossier(request, pk: int, allowed) -> Dossier:
    dossier = get_object_or_404(Dossier.objects.select_related("procedure", "agency"), pk=pk)
    if not allowed(request.user, dossier):
        raise Http404
    return dossier


@require_http_methods(["GET", "HEAD", "POST"])
def issue_notice(request, pk: int):
    """GET: the form alone (the dossier screen shows it too); POST: issue it.
    A refused form comes back with every line as typed and what is wrong."""
    dossier = _acting_dossier(request, pk, may_issue_notice)
    problem = ""
    if request.method == "POST":
        notice_form, lines = fee_notice_forms(request.POST)
        if dossier.status not in NOTICE_STATUSES:
            problem = _("Dossier %(code)s is “%(status)s”: a fee notice is issued while the agency holds the "
                        "dossier.") % {"code": dossier, "status": dossier.status_label}
        elif notice_form.is_valid() and lines.is_valid():
            with transaction.atomic():
                locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
                seen = notice_form.cleaned_data["notices_seen"]
                if seen is not None and FeeNotice.objects.filter(dossier=locked).count() > seen:
                    notice = None
                    problem = _("Another fee notice was issued for this dossier since you opened the page (see "
                                "below). Check it before you issue this one.")
                else:
                    notice = services.issue_fee_notice(locked, lines.lines(), lifecycle.Actor.staff(request.user),
                                                       note=notice_form.cleaned_data["note"])
            if notice is not None:
                messages.success(request, _("Fee notice %(number)s (%(total)s VND) was issued; the applicant is "
                                            "told.") % {"number": notice.number, "total": vnd(notice.total_vnd)})
                return redirect(dossier_screen_url(dossier))
            # shown again as typed, now counting the notice found
            data = request.POST.copy()
            data["notice-notices_seen"] = str(FeeNotice.objects.filter(dossier=dossier).count())
            notice_form, lines = fee_notice_forms(data)
            notice_form.is_valid()
            lines.is_valid()
    else:
        notice_form, lines = fee_notice_forms(lines=services.notice_lines(dossier.procedure),
                                              notices_seen=dossier.fee_notices.count())
    context = _section_context(request, dossier, notice_form=notice_form, lines=lines)
    return render(request, "payments/staff/fee_notice.html", {
        **context,
        "page_title": _("Fee notice for dossier %(code)s") % {"code": dossier},
        "page_subtitle": dossier.procedure.title,
        "header_title": _("Fee notice for dossier %(code)s") % {"code": dossier},
        "back_url": dossier_screen_url(dossier),
        "problem": problem,
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def refund_payment(request, public_id):
    """GET: what can be refunded, and the form; POST: refund through the provider."""
    payment = get_object_or_404(Payment.objects.select_related("dossier", "dossier__procedure", "notice"),
                                public_id=public_id)
    dossier = payment.dossier
    if not may_refund(request.user, dossier):
        raise Http404
    left = services.refundable_vnd(payment)
    form = RefundForm(request.POST or None, refundable=left,
                      initial={"amount_vnd": str(left)} if left else None)
    back = dossier_screen_url(dossier)
    if request.method == "POST":
        if left <= 0:
            messages.error(request, _("Payment %(reference)s has nothing left to refund.")
                           % {"reference": payment.reference})
            return redirect(back)
        if form.is_valid():
            try:
                services.refund(payment, form.cleaned_data["amount_vnd"], lifecycle.Actor.staff(request.user),
                                reason=form.cleaned_data["reason"])
            except RefundNotSupported as error:
                messages.error(request, str(error))
                return redirect(back)
            except (services.RefundError, UnknownProvider) as error:
                messages.error(request, str(error) or _("This payment's provider is no longer configured."))
                return redirect(back)
            messages.success(request, _("%(amount)s VND of payment %(reference)s were refunded; the applicant "
                                        "is told.") % {"amount": vnd(form.cleaned_data["amount_vnd"]),
                                                       "reference": payment.reference})
            return redirect(back)
    return render(request, "payments/staff/refund.html", {
        "payment": payment,
        "dossier": dossier,
        "form": form,
        "left": vnd(left),
        "amount": vnd(payment.amount_vnd),
        "refunded": vnd(payment.refunded_vnd),
        "is_paid": payment.state == PaymentState.PAID,
        "supports_refund": _supports_refund(payment.provider),
        "page_title": _("Refund payment %(reference)s") % {"reference": payment.reference},
        "header_title": _("Refund payment %(reference)s") % {"reference": payment.reference},
        "page_subtitle": str(dossier),
        "back_url": back,
    }, status=400 if request.method == "POST" else 200)


#: /admin/payments/… (namespace "payments_staff"), registered by `staff_hooks`.
urlpatterns = [
    path("dossiers/<int:pk>/fee-notice/", issue_notice, name="issue_notice"),
    path("<uuid:public_id>/refund/", refund_payment, name="refund"),
]
