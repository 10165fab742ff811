"""The applicant's side of paying, and the providers' notifications.

* `applicant_section`: what the applicant's dossier page (My dossiers) shows
  of fees: each notice, its items and total, and a "Pay online" button per
  enabled provider while it is open (registered in `PaymentsConfig.ready`).
* `start` (POST): a new `Payment` of the whole notice, then off to the
  provider's page.
* `payment_return`: where the provider sends the browser back. Display
  only: it says "paid" when the provider's notification already came, and
  "waiting for the bank's confirmation" otherwise; it never marks anything.
* `ipn`: the provider's server-to-server notification, the one thing that
  marks a payment paid (through `services.apply_result`).

Only the dossier's applicant may pay or see a payment: anyone else gets 404.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe

from core.client import client_ip
from eforms.extensions import Section
from eforms.models import Dossier, DossierStatus

from . import receipts, services
from .forms import StartPaymentForm
from .models import FeeNotice, Payment, PaymentState
from .providers import UnknownProvider, enabled_providers, get_provider, provider_label
from .providers.base import Outcome, ProviderError

logger = logging.getLogger(__name__)


def vnd(amount: int | None) -> str:
    """An amount as the reader's language writes it: "150.000" / "150,000"."""
    if amount is None:
        return ""
    separator = "," if (get_language() or "").startswith("en") else "."
    return services.format_vnd(amount, separator)


def _owned_dossier(request, code: str) -> Dossier:
    dossier = (Dossier.objects.select_related("procedure", "agency").exclude(status=DossierStatus.DRAFT)
               .filter(code=code, applicant=request.user).first())
    if dossier is None:
        raise Http404
    return dossier


def _owned_payment(request, public_id) -> Payment:
    payment = Payment.objects.select_related("notice", "dossier").filter(public_id=public_id).first()
    if payment is None or not payment.dossier.is_applicant(request.user):
        raise Http404
    return payment


# ---------------------------------------------------------------- My dossiers


def notice_rows(dossier: Dossier) -> list[dict]:
    """The dossier's notices with their items and payments, for display."""
    rows = []
    notices = dossier.fee_notices.prefetch_related("items", "payments").order_by("issued_at", "pk")
    for notice in notices:
        payments = sorted(notice.payments.all(), key=lambda p: (p.created_at, p.pk))
        rows.append({
            "notice": notice,
            "items": [{"item": item, "amount": vnd(item.amount_vnd)} for item in notice.items.all()],
            "total": vnd(notice.total_vnd),
            "payments": [{"payment": p, "amount": vnd(p.amount_vnd), "provider": provider_label(p.provider),
                          "refunded": vnd(p.refunded_vnd) if p.refunded_vnd else "",
                          "receipt_url": receipts.applicant_receipt_url(p) if p.paid_at else ""}
                         for p in payments],
            "pending": [p for p in payments if p.state == PaymentState.PENDING],
        })
    return rows


def applicant_section(request, dossier: Dossier) -> Section | None:
    rows = notice_rows(dossier)
    if not rows:
        return None
    payable = dossier.status not in services.UNPAYABLE_STATUSES
    return Section("payments/applicant_section.html", {
        "dossier": dossier,
        "rows": rows,
        "providers": enabled_providers() if payable and any(r["notice"].is_open for r in rows) else [],
        "payable": payable,
    })


@login_required
@require_POST
def start(request, code: str):
    """Start paying one open notice of the applicant's dossier."""
    dossier = _owned_dossier(request, code)
    form = StartPaymentForm(request.POST, providers=enabled_providers())
    back = reverse("my_dossier", args=[dossier.code])
    if not form.is_valid():
        messages.error(request, _("Choose one of the ways to pay shown on this page."))
        return redirect(back)
    notice = FeeNotice.objects.filter(dossier=dossier, public_id=form.cleaned_data["notice"]).first()
    if notice is None:
        raise Http404
    provider = get_provider(form.cleaned_data["provider"])
    try:
        # One transaction: a payment whose address could not be made is not kept.
        with transaction.atomic():
            payment = services.start_payment(notice, provider.code, user=request.user)
            return_url = request.build_absolute_uri(reverse("payment_return", args=[payment.public_id]))
            url = provider.start(payment, return_url=return_url, client_ip=client_ip(request),
                                 language=get_language())
    except services.PaymentError as error:
        messages.error(request, str(error))
        return redirect(back)
    except ProviderError:
        logger.exception("Could not start a payment with %s", provider.code)
        messages.error(request, _("%(provider)s cannot take payments right now. Please try again later.")
                       % {"provider": provider.label})
        return redirect(back)
    return redirect(url)


@login_required
@require_safe
def payment_return(request, public_id):
    """Where the provider sends the browser back: says where the payment
    stands. What the browser brings is kept and shown as a hint, never
    trusted: only the provider's notification (or a query) marks it paid."""
    payment = _owned_payment(request, public_id)
    hint = ""
    params = request.GET.dict()
    if params:
        try:
            provider = get_provider(payment.provider)
        except UnknownProvider:
            provider = None
        if provider is not None:
            result = provider.parse_return(params)
            if result.verified and result.reference == payment.reference:
                hint = "success" if result.success else "cancelled" if result.cancelled else "failed"
                if payment.returned_at is None:
                    services.record_return(payment, result, remote_addr=client_ip(request))
    payment.refresh_from_db()
    return render(request, "payments/return.html", {
        "payment": payment,
        "dossier": payment.dossier,
        "notice": payment.notice,
        "amount": vnd(payment.amount_vnd),
        "provider": provider_label(payment.provider),
        "hint": hint,
    })


# ---------------------------------------------------------------- the provider's notification


@csrf_exempt
@require_GET
def ipn(request, provider: str):
    """The provider's server-to-server notification (VNPay's IPN: a GET).
    The answer is what the provider expects for each outcome; the
    notification is kept whatever it says (`PaymentNotification`)."""
    try:
        handler = get_provider(provider)
    except UnknownProvider:
        raise Http404
    address = client_ip(request)
    try:
        result = handler.parse_notification(request.GET.dict())
        outcome = services.apply_result(result, provider=handler.code, source="ipn", remote_addr=address)
    except Exception:
        logger.exception("Payment notification from %s (%s) could not be handled", address, handler.code)
        outcome = Outcome.ERROR
    logger.info("Payment notification from %s: provider %s, reference %s: %s", address, handler.code,
                request.GET.get("vnp_TxnRef", "?"), outcome)
    return handler.notification_response(outcome)
