"""Builders for the receipt, reconciliation and payment-scope tests (no
tests here): a fake provider whose query answers the test sets, installed
where `payments.reconciliation` finds providers; payments in the states a
test needs; two agencies with their citizens' dossiers and staff."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import Permission
from django.utils import timezone

from payments import reconciliation
from payments.models import FeeNotice, FeeNoticeItem, Payment, PaymentState
from payments.providers.base import PaymentProvider, ProviderError, ProviderResult
from payments.services import apply_result
from tests.dossier_factories import (
    JUSTICE_CODE,
    OTHER_WARD_CODE,
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    submit,
)

FAKE = "fakebank"
FEE = 200_000
ITEM = "Lệ phí cấp Phiếu lý lịch tư pháp"
_numbers = itertools.count(1)


class FakeProvider(PaymentProvider):
    """A provider whose `query` answers what the test put in `answers`
    (by our reference): a ProviderResult, or an exception to raise. A
    reference with no answer is unknown to the provider."""

    code = FAKE
    label = "Ngân hàng thử nghiệm"

    def __init__(self):
        self.answers: dict[str, ProviderResult | Exception] = {}
        self.asked: list[str] = []

    def start(self, payment, *, return_url, client_ip, language):
        return "http://127.0.0.1:9/pay"

    def parse_notification(self, params):
        raise NotImplementedError

    def query(self, payment):
        self.asked.append(payment.reference)
        answer = self.answers.get(payment.reference)
        if isinstance(answer, Exception):
            raise answer
        if answer is None:
            return ProviderResult(reference=payment.reference, verified=True, success=False, amount_vnd=None,
                                  status_code="91", message="Transaction not found", raw={"vnp_ResponseCode": "91"})
        return answer

    # what the bank says
    def says_paid(self, payment, amount=None, *, number="14800001"):
        amount = payment.amount_vnd if amount is None else amount
        self.answers[payment.reference] = ProviderResult(
            reference=payment.reference, verified=True, success=True, amount_vnd=amount, provider_reference=number,
            bank_code="NCB", paid_at=timezone.now(), status_code="00",
            raw={"vnp_TxnRef": payment.reference, "vnp_Amount": str(amount * 100), "vnp_TransactionStatus": "00"})

    def says_not_paid(self, payment):
        self.answers[payment.reference] = ProviderResult(
            reference=payment.reference, verified=True, success=False, amount_vnd=payment.amount_vnd,
            status_code="01", raw={"vnp_TransactionStatus": "01"})

    def fails(self, payment):
        self.answers[payment.reference] = ProviderError("connection refused")


def use_fake_provider(monkeypatch) -> FakeProvider:
    """Install a fake provider where payments.reconciliation looks providers up."""
    provider = FakeProvider()
    monkeypatch.setattr(reconciliation, "_provider_for", lambda code: provider if code == provider.code else None)
    monkeypatch.setattr(reconciliation, "_enabled_providers", lambda: [provider])
    return provider


def make_payment(dossier, amount: int = FEE, *, provider: str = FAKE, created_at=None) -> Payment:
    """A pending payment of a new fee notice of one item."""
    n = next(_numbers)
    notice = FeeNotice.objects.create(dossier=dossier, number=f"{dossier.code}/TB-{n}", total_vnd=amount,
                                      issued_by_label="Cán bộ tiếp nhận")
    FeeNoticeItem.objects.create(notice=notice, name=ITEM, amount_vnd=amount, payer="Người yêu cầu")
    return Payment.objects.create(notice=notice, dossier=dossier, provider=provider, reference=f"T{n:04d}{dossier.pk}X",
                                  amount_vnd=amount, created_at=created_at or timezone.now() - dt.timedelta(hours=1))


def settle(payment, *, number: str = "14800099") -> Payment:
    """Mark the payment paid the way the provider's notification does."""
    outcome = apply_result(ProviderResult(
        reference=payment.reference, verified=True, success=True, amount_vnd=payment.amount_vnd,
        provider_reference=number, bank_code="NCB", paid_at=timezone.now(), status_code="00",
        raw={"vnp_TxnRef": payment.reference}), provider=payment.provider, source="ipn")
    assert outcome == "confirmed"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    return payment


def grant_reconcile(user):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="payments", codename="reconcile_payment"))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def build_world() -> dict:
    """Two agencies, a citizen's dossier at each, a receiver at each."""
    justice = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    ward = make_agency(OTHER_WARD_CODE, "UBND xã Hòa Phú", tier="commune")
    at_justice = make_procedure(agency=justice)
    at_ward = make_procedure("2.000987", agency=ward, tier="commune", title="Đăng ký kết hôn")
    citizen = make_citizen("pay-an")
    other_citizen = make_citizen("pay-binh", id_number="001099054321", full_name="Trần Thị Bình")
    return {
        "justice": justice, "ward": ward, "citizen": citizen, "other_citizen": other_citizen,
        "dossier": submit(at_justice, citizen, language="vi"),
        "ward_dossier": submit(at_ward, other_citizen, language="vi"),
        "clerk": make_staff("pay-clerk", justice, "receiver"),
        "ward_clerk": make_staff("pay-ward-clerk", ward, "receiver"),
    }
