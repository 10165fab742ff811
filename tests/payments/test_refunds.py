"""Refunds: VNPay's refund request (body and hash checked by the fake bank's
merchant API on loopback), what is recorded and told, the bank's refusal,
a provider that does not refund, and who may refund (agency isolation)."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from django.urls import reverse
from django.utils import translation

from eforms import lifecycle
from eforms.models import DossierEvent
from notifications.models import Message
from payments import services
from payments.models import Payment, PaymentEvent, PaymentNotification, PaymentState
from payments.providers import PROVIDERS, get_provider
from payments.providers.base import Outcome, PaymentProvider, ProviderResult

from .builders import notice_of, received, staff_client, submitted, world
from .fakebank import REFUND_HASH, TMN_CODE, FakeBank, pipe_signature, signed, use_fake_vnpay

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(settings):
    bank = FakeBank()
    use_fake_vnpay(settings, bank)
    yield bank
    bank.close()


@pytest.fixture
def w():
    return world()


def paid(dossier, bank, amount=180_000) -> Payment:
    """A VNPay payment of a fresh notice, paid by a verified notification."""
    payment = services.start_payment(notice_of(dossier, amount), "vnpay")
    answer = {"vnp_Amount": str(amount * 100), "vnp_BankCode": "NCB", "vnp_PayDate": "20250714083512",
              "vnp_ResponseCode": "00", "vnp_TmnCode": TMN_CODE, "vnp_TransactionNo": "14512345",
              "vnp_TransactionStatus": "00", "vnp_TxnRef": payment.reference}
    bank.transactions[payment.reference] = answer
    result = get_provider("vnpay").parse_notification(dict(parse_qsl(signed(answer))))
    assert services.apply_result(result, provider="vnpay", source="ipn") == Outcome.CONFIRMED
    payment.refresh_from_db()
    return payment


def refund_url(payment) -> str:
    with translation.override("en"):
        return reverse("payments_staff:refund", args=[payment.public_id])


def test_a_full_refund_is_sent_to_vnpay_recorded_and_told(w, bank, django_capture_on_commit_callbacks):
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    payment = paid(dossier, bank)
    client = staff_client(w["leader"])
    page = client.get(refund_url(payment))
    assert page.status_code == 200 and 'value="180000"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(refund_url(payment), {"amount_vnd": "180.000", "reason": "Hồ sơ bị từ chối"})
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:dossier", args=[dossier.pk])

    request = bank.api_requests[-1]
    body = request["body"]
    assert request["verified"]  # the fake bank checked the |-joined hash itself
    assert body["vnp_SecureHash"] == pipe_signature(body, REFUND_HASH)
    assert body["vnp_Command"] == "refund" and body["vnp_TmnCode"] == TMN_CODE
    assert body["vnp_TransactionType"] == "02" and body["vnp_Amount"] == "18000000"
    assert body["vnp_TxnRef"] == payment.reference and body["vnp_TransactionNo"] == "14512345"
    assert body["vnp_CreateBy"] == "pay-leader" and body["vnp_Version"] == "2.1.0"

    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED and payment.refunded_vnd == 180_000
    assert payment.refunded_at is not None
    notification = PaymentNotification.objects.get(payment=payment, source="refund")
    assert notification.answer == "refunded" and notification.verified
    event = PaymentEvent.objects.get(payment=payment, action="refunded")
    assert (event.from_state, event.to_state, event.actor_label) == ("paid", "refunded", "pay-leader")
    assert event.data["reason"] == "Hồ sơ bị từ chối"
    step = DossierEvent.objects.get(dossier=dossier, action="payment_refunded")
    assert step.note == "180.000 VND. Hồ sơ bị từ chối" and step.actor_user == w["leader"]
    sms = Message.objects.get(dossier=dossier, kind="payment_refunded", channel="sms")
    assert "đã hoàn trả phí, lệ phí 180.000 VND" in sms.body
    # nothing left: a second refund is refused before the bank is asked
    asked = len(bank.api_requests)
    response = client.post(refund_url(payment), {"amount_vnd": "1", "reason": "Lần nữa"})
    assert response.status_code == 302 and len(bank.api_requests) == asked


def test_a_partial_refund_keeps_the_payment_paid(w, bank):
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    payment = paid(dossier, bank)
    services.refund(payment, 30_000, lifecycle.Actor.staff(w["receiver"]), reason="Nộp thừa")
    assert bank.api_requests[-1]["body"]["vnp_TransactionType"] == "03"
    assert bank.api_requests[-1]["body"]["vnp_Amount"] == "3000000"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID and payment.refunded_vnd == 30_000
    assert services.refundable_vnd(payment) == 150_000
    response = staff_client(w["receiver"]).post(refund_url(payment), {"amount_vnd": "150001", "reason": "Quá"})
    assert response.status_code == 400 and "at most 150000" in response.content.decode()
    response = staff_client(w["receiver"]).post(refund_url(payment), {"amount_vnd": "1000", "reason": " "})
    assert response.status_code == 400 and "Say why the money is given back." in response.content.decode()
    assert len(bank.api_requests) == 1


def test_the_banks_refusal_is_recorded_and_shown(w, bank):
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    payment = paid(dossier, bank)
    bank.refund_code = "94"
    with pytest.raises(services.RefundError) as refused:
        services.refund(payment, 180_000, lifecycle.Actor.staff(w["leader"]), reason="Trùng")
    assert "Refund refused" in str(refused.value)
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID and payment.refunded_vnd == 0
    assert PaymentNotification.objects.get(payment=payment, source="refund").answer == "refused"
    assert PaymentEvent.objects.filter(payment=payment, action="refund_refused").exists()
    assert not DossierEvent.objects.filter(dossier=dossier, action="payment_refunded").exists()
    # through the screen: the message says so
    response = staff_client(w["leader"]).post(refund_url(payment), {"amount_vnd": "180000", "reason": "Trùng"},
                                              follow=True)
    assert "The provider refused the refund" in response.content.decode()


class CashDesk(PaymentProvider):
    """A provider whose merchant account does not refund through an API."""

    code = "cashdesk"
    label = "Cash desk"
    supports_refund = False

    @classmethod
    def configured(cls) -> bool:
        return True

    def start(self, payment, *, return_url, client_ip, language):
        return "https://cash.example/"

    def parse_notification(self, params):
        return ProviderResult(reference=params["ref"], verified=True, success=True, amount_vnd=int(params["amount"]))

    def query(self, payment):
        raise NotImplementedError


def test_a_provider_that_does_not_refund_is_refused_with_a_message(w, monkeypatch):
    monkeypatch.setitem(PROVIDERS, CashDesk.code, CashDesk)
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    payment = services.start_payment(notice_of(dossier, 50_000), CashDesk.code)
    result = CashDesk().parse_notification({"ref": payment.reference, "amount": "50000"})
    assert services.apply_result(result, provider=CashDesk.code, source="ipn") == Outcome.CONFIRMED
    with translation.override("en"):
        screen = staff_client(w["leader"]).get(reverse("backoffice:dossier", args=[dossier.pk])).content.decode()
    assert refund_url(payment) in screen and "not through this provider" in screen
    response = staff_client(w["leader"]).post(refund_url(payment), {"amount_vnd": "50000", "reason": "Nộp nhầm"},
                                              follow=True)
    assert "does not refund through the portal" in response.content.decode()
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID and payment.refunded_vnd == 0
    assert not PaymentNotification.objects.filter(payment=payment, source="refund").exists()


def test_only_receivers_and_leaders_of_the_dossiers_agency_refund(w, bank):
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    payment = paid(dossier, bank)
    for user in (w["other_agency"], w["handler"]):
        client = staff_client(user)
        assert client.get(refund_url(payment)).status_code == 404
        assert client.post(refund_url(payment), {"amount_vnd": "180000", "reason": "x"}).status_code == 404
    # the refund button is not offered to a handler either
    with translation.override("en"):
        screen = staff_client(w["handler"]).get(reverse("backoffice:dossier", args=[dossier.pk])).content.decode()
    assert refund_url(payment) not in screen and payment.reference in screen
    assert bank.api_requests == []
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    # the receiver may
    assert staff_client(w["receiver"]).get(refund_url(payment)).status_code == 200


def test_a_citizen_never_reaches_the_staff_views(w, bank):
    from .builders import citizen_client

    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    payment = paid(dossier, bank)
    response = citizen_client(w["citizen"]).get(refund_url(payment))
    assert response.status_code in (302, 403) and "/admin/login/" in response.get("Location", "/admin/login/")
    assert not Payment.objects.filter(state=PaymentState.REFUNDED).exists()
