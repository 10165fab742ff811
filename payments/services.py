"""How fees and payments change: the one writer of `FeeNotice` and `Payment`.

* `issue_fee_notice` makes what the applicant owes (from the agency, the
  procedure's items owed at submission, or the postal fee) and tells them
  (a `fee_notice` step on the dossier, which notifications announces).
* `apply_result` is the only way a payment becomes paid, failed or
  cancelled: with a verified provider result from its server-to-server
  notification, a query or a statement. It locks the payment row, so a
  notification repeated or racing a reconciliation never credits twice,
  and a wrong amount is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eforms import lifecycle
from eforms.models import Dossier

from .models import FeeNotice, FeeNoticeItem, NoticeKind, Payment, PaymentEvent, PaymentNotification, PaymentState
from .providers.base import Outcome, ProviderResult

__all__ = ["FeeLine", "apply_result", "issue_fee_notice", "open_notices", "record_event"]


@dataclass(frozen=True)
class FeeLine:
    name: str
    amount_vnd: int
    payer: str = ""
    exemptions: str = ""


def _next_number(dossier: Dossier) -> str:
    count = FeeNotice.objects.filter(dossier=dossier).count()
    while True:
        count += 1
        number = f"{dossier.code or dossier.public_id}/TB-{count}"
        if not FeeNotice.objects.filter(number=number).exists():
            return number


def issue_fee_notice(
    dossier: Dossier, lines: Iterable[FeeLine], actor: lifecycle.Actor, *,
    kind: str = NoticeKind.PROCESSING, note: str = "", now: dt.datetime | None = None,
) -> FeeNotice:
    """Record what the applicant owes and tell them. Lines with no amount
    are kept out; a notice with nothing owed is refused."""
    lines = [line for line in lines if line.amount_vnd and line.amount_vnd > 0]
    if not lines:
        raise ValueError(_("A fee notice needs at least one item with an amount."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        notice = FeeNotice.objects.create(
            dossier=locked, number=_next_number(locked), kind=kind, note=note,
            total_vnd=sum(line.amount_vnd for line in lines), issued_at=now,
            issued_by=actor.user if actor.user is not None and getattr(actor.user, "pk", None) else None,
            issued_by_label=actor.display_label,
        )
        FeeNoticeItem.objects.bulk_create([
            FeeNoticeItem(notice=notice, name=line.name[:255], amount_vnd=line.amount_vnd, payer=line.payer[:255],
                          exemptions=line.exemptions, sort_order=i)
            for i, line in enumerate(lines)
        ])
        lifecycle.record_step(locked, actor, "fee_notice", note=note, now=now,
                              data={"notice": notice.number, "total_vnd": notice.total_vnd})
    return notice


def open_notices(dossier: Dossier):
    return dossier.fee_notices.filter(paid_at__isnull=True, cancelled_at__isnull=True, total_vnd__gt=0)


def record_event(payment: Payment, action: str, to_state: str = "", *, actor_label: str = "system",
                 data: dict | None = None, now: dt.datetime | None = None) -> PaymentEvent:
    return PaymentEvent.objects.create(
        payment=payment, action=action, from_state=payment.state, to_state=to_state, actor_label=actor_label,
        data=data or {}, created_at=now or timezone.now(),
    )


def apply_result(
    result: ProviderResult, *, provider: str, source: str, remote_addr: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Record a provider's word on a payment and act on it; returns an `Outcome`.

    Every call is kept as a `PaymentNotification`, whatever it says. Checks
    in the order VNPay's own example uses: signature, reference, amount,
    already final; then success marks the payment and its notice paid,
    and failure or cancellation ends it."""
    now = now or timezone.now()
    raw = dict(result.raw)
    with transaction.atomic():
        payment = (Payment.objects.select_for_update().filter(reference=result.reference, provider=provider).first()
                   if result.reference else None)
        notification = PaymentNotification.objects.create(
            payment=payment, provider=provider, source=source, received_at=now, raw=raw,
            verified=result.verified, remote_addr=remote_addr or None,
        )
        outcome = _decide(payment, result)
        if outcome == Outcome.CONFIRMED:
            _settle(payment, result, source, now)
        notification.answer = outcome
        notification.save(update_fields=["answer"])
    return outcome


def _decide(payment: Payment | None, result: ProviderResult) -> str:
    if not result.verified:
        return Outcome.INVALID_SIGNATURE
    if payment is None:
        return Outcome.NOT_FOUND
    if result.amount_vnd is None or result.amount_vnd != payment.amount_vnd:
        return Outcome.INVALID_AMOUNT
    if payment.is_final:
        return Outcome.ALREADY
    return Outcome.CONFIRMED


def _settle(payment: Payment, result: ProviderResult, source: str, now: dt.datetime) -> None:
    details = {"source": source, "status_code": result.status_code, "provider_reference": result.provider_reference}
    if result.success:
        notice = FeeNotice.objects.select_for_update().get(pk=payment.notice_id)
        if notice.paid_at is not None:
            # another payment of this notice was credited first: this one is
            # money taken twice, to be refunded by staff (kept visible).
            details["notice_already_paid"] = True
        record_event(payment, "paid", PaymentState.PAID, data=details, now=now)
        payment.state = PaymentState.PAID
        payment.paid_at = result.paid_at or now
        payment.provider_reference = result.provider_reference[:64]
        payment.bank_code = result.bank_code[:32]
        if notice.paid_at is None:
            payment.save(update_fields=["state", "paid_at", "provider_reference", "bank_code"])
            notice.paid_at = payment.paid_at
            notice.save(update_fields=["paid_at"])
            dossier = Dossier.objects.select_for_update().get(pk=payment.dossier_id)
            lifecycle.record_step(
                dossier, lifecycle.Actor.system(payment.provider), "payment_paid", now=now,
                data={"notice": notice.number, "payment": payment.reference, "amount_vnd": payment.amount_vnd},
            )
        else:
            payment.save(update_fields=["state", "paid_at", "provider_reference", "bank_code"])
        return
    state = PaymentState.CANCELLED if result.cancelled else PaymentState.FAILED
    record_event(payment, "cancelled" if result.cancelled else "failed", state, data=details, now=now)
    payment.state = state
    payment.provider_reference = result.provider_reference[:64]
    payment.save(update_fields=["state", "provider_reference"])
