"""How fees and payments change: the one writer of `FeeNotice` and `Payment`.

* `issue_fee_notice` makes what the applicant owes (from the agency, the
  procedure's items owed at submission, or the postal fee) and tells them
  (a `fee_notice` step on the dossier, which notifications announces).
* `apply_result` is the only way a payment becomes paid, failed or
  cancelled: with a verified provider result from its server-to-server
  notification, a query or a statement. It locks the payment row, so a
  notification repeated or racing a reconciliation never credits twice,
  and a wrong amount is refused.
* `start_payment` makes the `Payment` the applicant's browser takes to a
  provider; `record_return` keeps what the browser brought back (display
  only); `settle_pending` asks the provider about a payment that is still
  pending (the reconciliation calls it); `refund` gives money back through
  the provider and tells the applicant.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eforms import lifecycle
from eforms.models import Dossier, DossierStatus
from procedures.models import FeeDue

from .models import FeeNotice, FeeNoticeItem, NoticeKind, Payment, PaymentEvent, PaymentNotification, PaymentState
from .providers import get_provider
from .providers.base import Outcome, ProviderError, ProviderResult, RefundNotSupported

__all__ = [
    "FeeLine",
    "PaymentError",
    "RefundError",
    "apply_result",
    "format_vnd",
    "issue_fee_notice",
    "issue_submission_notice",
    "notice_lines",
    "open_notices",
    "record_event",
    "record_return",
    "refund",
    "refundable_vnd",
    "settle_pending",
    "start_payment",
    "submission_lines",
]

logger = logging.getLogger(__name__)

#: Where a payment may be marked paid from: the provider's server-to-server
#: notification, its answer to our query, an uploaded statement. Never the
#: browser's return.
SETTLING_SOURCES = frozenset({PaymentNotification.Source.IPN, PaymentNotification.Source.QUERY,
                              PaymentNotification.Source.STATEMENT})
#: A dossier in one of these takes no payment any more.
UNPAYABLE_STATUSES = frozenset({DossierStatus.DRAFT, DossierStatus.REJECTED, DossierStatus.CANCELLED,
                                DossierStatus.INVALID})


class PaymentError(Exception):
    """A payment cannot be started; the message is translated, fit to show."""


class RefundError(Exception):
    """A refund was refused (by us or by the provider); the message is translated."""


def format_vnd(amount: int, separator: str = ".") -> str:
    """150000 → "150.000" (Vietnamese groups thousands with dots)."""
    return f"{int(amount):,}".replace(",", separator)


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
        # The event's note is what the applicant's history and the message
        # ({note}) say: the amount, then the agency's own note.
        summary = f"{format_vnd(notice.total_vnd)} VND" + (f". {note.strip()}" if note.strip() else "")
        lifecycle.record_step(locked, actor, "fee_notice", note=summary, now=now,
                              data={"notice": notice.number, "total_vnd": notice.total_vnd, "kind": kind})
    return notice


def _lines(procedure, due: str) -> list[FeeLine]:
    return [
        FeeLine(name=fee.name, amount_vnd=fee.amount_vnd, payer=fee.payer, exemptions=fee.exemptions)
        for fee in procedure.fees.filter(due=due).order_by("sort_order", "pk")
    ]


def submission_lines(procedure) -> list[FeeLine]:
    """The procedure's fee items owed when the dossier is submitted."""
    return _lines(procedure, FeeDue.SUBMISSION)


def notice_lines(procedure) -> list[FeeLine]:
    """The procedure's fee items owed on the agency's notice (to prefill its form)."""
    return _lines(procedure, FeeDue.NOTICE)


def issue_submission_notice(dossier: Dossier, *, now: dt.datetime | None = None) -> FeeNotice | None:
    """The notice of the fees owed at submission, made once per dossier: only
    for a procedure paid online, a dossier with an applicant's account (who
    pays from My dossiers) and items with an amount. Calling it again
    returns the notice already made."""
    procedure = dossier.procedure
    if not procedure.online_payment or dossier.applicant_id is None:
        return None
    lines = [line for line in submission_lines(procedure) if line.amount_vnd > 0]
    if not lines:
        return None
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        existing = FeeNotice.objects.filter(dossier=locked, kind=NoticeKind.SUBMISSION).first()
        if existing is not None:
            return existing
        return issue_fee_notice(locked, lines, lifecycle.Actor.system("portal"), kind=NoticeKind.SUBMISSION,
                                now=now)


def on_dossier_event(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of `eforms.DossierEvent` (connected in `PaymentsConfig.ready`):
    once a submission commits, the notice of the fees owed at submission."""
    if raw or not created or instance.action != "submit":
        return
    transaction.on_commit(partial(make_submission_notice, instance.dossier_id))


def make_submission_notice(dossier_id: int) -> FeeNotice | None:
    """The submission stands whatever happens here: a failure is logged."""
    try:
        dossier = Dossier.objects.select_related("procedure").get(pk=dossier_id)
        return issue_submission_notice(dossier)
    except Exception:
        logger.exception("Could not make the submission fee notice of dossier %s", dossier_id)
        return None


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
    and failure or cancellation ends it. A result that is not final (a query
    answered "still in progress") is kept and changes nothing (`PENDING`).
    `source` is "ipn", "query" or "statement": never the browser's return
    (`ValueError`)."""
    if source not in SETTLING_SOURCES:
        raise ValueError(f"a payment is never settled from {source!r}")
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
    if not result.final:
        return Outcome.PENDING
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
                note=f"{format_vnd(payment.amount_vnd)} VND",
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


# ---------------------------------------------------------------- starting a payment


def new_reference(now: dt.datetime | None = None) -> str:
    """Our transaction reference: "P", the date and ten random letters or
    digits ("P20250714K3F9Q2ZX1M", 19 characters: VNPay takes up to 100, and
    only [A-Za-z0-9] travels unchanged through every provider)."""
    day = timezone.localdate(now or timezone.now())
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        reference = f"P{day:%Y%m%d}" + "".join(secrets.choice(alphabet) for _i in range(10))
        if not Payment.objects.filter(reference=reference).exists():
            return reference


def start_payment(notice: FeeNotice, provider_code: str, *, user=None, now: dt.datetime | None = None) -> Payment:
    """A new pending payment of the whole notice through one provider. The
    caller sends the browser to `provider.start(payment, …)`. Refused with
    a `PaymentError` when the notice is settled or the dossier is closed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = FeeNotice.objects.select_for_update().select_related("dossier").get(pk=notice.pk)
        if locked.paid_at is not None:
            raise PaymentError(_("This fee notice is already paid."))
        if not locked.is_open:
            raise PaymentError(_("This fee notice was cancelled: nothing is owed on it."))
        if locked.dossier.status in UNPAYABLE_STATUSES:
            raise PaymentError(_("Dossier %(code)s is “%(status)s”: it takes no payment.") % {
                "code": locked.dossier, "status": locked.dossier.status_label})
        payment = Payment.objects.create(
            notice=locked, dossier=locked.dossier, provider=provider_code, reference=new_reference(now),
            amount_vnd=locked.total_vnd, created_at=now,
            created_by=user if getattr(user, "pk", None) else None,
        )
        actor_label = lifecycle.Actor.applicant(user).display_label if getattr(user, "pk", None) else "system"
        record_event(payment, "started", PaymentState.PENDING, actor_label=actor_label, now=now,
                     data={"notice": locked.number})
    return payment


def record_return(payment: Payment, result: ProviderResult, *, remote_addr: str | None = None,
                  now: dt.datetime | None = None) -> PaymentNotification:
    """Keep what the applicant's browser brought back from the provider.
    Display only: the payment's state is never changed here."""
    now = now or timezone.now()
    notification = PaymentNotification.objects.create(
        payment=payment, provider=payment.provider, source=PaymentNotification.Source.RETURN, received_at=now,
        raw=dict(result.raw), verified=result.verified, remote_addr=remote_addr or None,
    )
    Payment.objects.filter(pk=payment.pk, returned_at__isnull=True).update(returned_at=now)
    return notification


# ---------------------------------------------------------------- reconciliation


def settle_pending(payment: Payment, *, now: dt.datetime | None = None) -> str:
    """Ask the provider what became of a pending payment (VNPay's querydr)
    and act on its verified answer like on a notification; returns the
    `Outcome` (`PENDING` when the provider has no final word yet, `ALREADY`
    when the payment was no longer pending). Raises `ProviderError` when the
    provider cannot be reached, `providers.UnknownProvider` when it is no
    longer configured."""
    current = Payment.objects.get(pk=payment.pk)
    if current.state != PaymentState.PENDING:
        return Outcome.ALREADY
    provider = get_provider(current.provider)
    result = provider.query(current)
    return apply_result(result, provider=current.provider, source=PaymentNotification.Source.QUERY, now=now)


# ---------------------------------------------------------------- refunds


def refundable_vnd(payment: Payment) -> int:
    """What can still be given back: a paid payment less its refunds."""
    if payment.state != PaymentState.PAID:
        return 0
    return max(0, payment.amount_vnd - payment.refunded_vnd)


def refund(payment: Payment, amount_vnd: int, actor: lifecycle.Actor, *, reason: str = "",
           now: dt.datetime | None = None) -> Payment:
    """Give `amount_vnd` of a paid payment back through its provider.

    The provider's answer is kept (`PaymentNotification`, source "refund")
    and the audit trail written whatever it says; an accepted refund adds
    to `refunded_vnd` (the payment becomes "refunded" once all of it is
    back) and writes the dossier step "payment_refunded", which tells the
    applicant. Raises `RefundNotSupported` when the provider does not refund
    through its API (nothing is recorded), `RefundError` when the amount is
    wrong or the provider refused or did not answer (recorded)."""
    now = now or timezone.now()
    provider = get_provider(payment.provider)
    if not provider.supports_refund:
        raise RefundNotSupported(
            _("%(provider)s does not refund through the portal: refund this payment from the provider's "
              "own merchant site or by bank transfer.") % {"provider": provider.label})
    amount_vnd = int(amount_vnd)
    refused = ""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        left = refundable_vnd(locked)
        if left <= 0:
            raise RefundError(_("Only a paid payment that is not refunded yet can be refunded."))
        if not 0 < amount_vnd <= left:
            raise RefundError(_("The amount to refund must be between 1 and %(left)s VND.") % {
                "left": format_vnd(left)})
        try:
            result = provider.refund(locked, amount_vnd, actor_label=actor.display_label)
        except RefundNotSupported:
            raise
        except ProviderError as error:
            logger.warning("Refund of payment %s: %s", locked.reference, error)
            result = None
            refused = _("The provider did not answer the refund request (%(error)s). Check with the provider "
                        "whether the money was sent back before you try again.") % {"error": error}
        # The refund answer comes over TLS from the provider's API, to our
        # own request: its word is taken, and whether its signature checked
        # out is kept on the record (VNPay's refund answer hash order is not
        # documented for certain, see providers.vnpay).
        accepted = result is not None and result.success
        if result is not None and not accepted:
            refused = _("The provider refused the refund: %(message)s") % {
                "message": result.message or result.status_code or "?"}
        PaymentNotification.objects.create(
            payment=locked, provider=locked.provider, source=PaymentNotification.Source.REFUND, received_at=now,
            raw=dict(result.raw) if result is not None else {"error": refused},
            verified=bool(result and result.verified), answer="refunded" if accepted else "refused",
        )
        details = {"amount_vnd": amount_vnd, "reason": reason,
                   "status_code": result.status_code if result is not None else "",
                   "provider_reference": result.provider_reference if result is not None else ""}
        if not accepted:
            record_event(locked, "refund_refused", locked.state, actor_label=actor.display_label, data=details,
                         now=now)
        else:
            full = locked.refunded_vnd + amount_vnd >= locked.amount_vnd
            to_state = PaymentState.REFUNDED if full else PaymentState.PAID
            record_event(locked, "refunded", to_state, actor_label=actor.display_label, data=details, now=now)
            locked.refunded_vnd += amount_vnd
            locked.refunded_at = now
            locked.state = to_state
            locked.save(update_fields=["refunded_vnd", "refunded_at", "state"])
            dossier = Dossier.objects.select_for_update().get(pk=locked.dossier_id)
            note = f"{format_vnd(amount_vnd)} VND" + (f". {reason.strip()}" if reason.strip() else "")
            lifecycle.record_step(dossier, actor, "payment_refunded", note=note, now=now,
                                  data={"payment": locked.reference, "amount_vnd": amount_vnd})
    if refused:
        raise RefundError(refused)
    return locked
