"""The whole payment over real HTTP on loopback: the applicant starts paying
on the portal, their browser opens the fake VNPay (a real server,
`fakebank.py`), which notifies the portal's IPN over HTTP (the portal runs
in pytest-django's live server) and sends the browser back to the return
page, also over HTTP. Then: success, cancel, forged signature, wrong
amount, replay, notification before the return, return without any
notification (pending, settled by the query)."""

from __future__ import annotations

import http.client
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from eforms.models import DossierEvent
from payments import services
from payments.models import FeeNotice, NoticeKind, Payment, PaymentEvent, PaymentNotification, PaymentState
from payments.providers.base import Outcome

from .builders import citizen_client, submitted, world
from .fakebank import FakeBank, use_fake_vnpay

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bank(settings, live_server):
    bank = FakeBank()
    use_fake_vnpay(settings, bank)
    bank.ipn_url = live_server.url + "/payments/vnpay/ipn/"
    yield bank
    bank.close()


@pytest.fixture
def case(bank):
    w = world()
    dossier = submitted(w["procedure"], w["citizen"])
    # the submission committed: its fee notice was made on commit
    notice = FeeNotice.objects.get(dossier=dossier, kind=NoticeKind.SUBMISSION)
    return {**w, "dossier": dossier, "notice": notice, "client": citizen_client(w["citizen"])}


def http_get(url: str, cookie: str = "") -> tuple[int, dict, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                           headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def start(case, bank) -> tuple[Payment, str]:
    """The applicant presses "Pay online with VNPay" (in English, so the return page is read in English)."""
    with translation.override("en"):
        url = reverse("payment_start", args=[case["dossier"].code])
    response = case["client"].post(url, {"notice": case["notice"].public_id, "provider": "vnpay"})
    assert response.status_code == 302
    assert response["Location"].startswith(bank.pay_url + "?")
    return Payment.objects.latest("pk"), response["Location"]


def at_the_bank(bank_url: str) -> str:
    """The browser opens the bank's page (HTTP); returns where the bank sends it back."""
    status, headers, _body = http_get(bank_url)
    assert status == 302
    return headers["Location"]


def back_on_the_portal(case, live_server, return_url: str) -> str:
    """The browser follows the bank's redirect to the portal, over HTTP, signed in."""
    parts = urlsplit(return_url)
    session = case["client"].cookies[django_settings.SESSION_COOKIE_NAME].value
    status, _headers, body = http_get(f"{live_server.url}{parts.path}?{parts.query}",
                                      cookie=f"{django_settings.SESSION_COOKIE_NAME}={session}")
    assert status == 200
    return body


def paid_steps(dossier) -> int:
    return DossierEvent.objects.filter(dossier=dossier, action="payment_paid").count()


def test_success_notification_before_the_return(case, bank, live_server):
    payment, bank_url = start(case, bank)
    assert payment.amount_vnd == 200_000 and payment.state == PaymentState.PENDING
    assert re.fullmatch(r"P\d{8}[A-Z0-9]{10}", payment.reference)
    assert bank.next == "pay"
    return_url = at_the_bank(bank_url)
    assert bank.pages[-1]["verified"] and bank.pages[-1]["params"]["vnp_Amount"] == "20000000"
    # the bank notified the portal over HTTP before sending the browser back
    assert bank.ipn_answers == [{"txn_ref": payment.reference, "RspCode": "00", "Message": "Confirm Success"}]
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID and payment.provider_reference and payment.bank_code == "NCB"
    notification = PaymentNotification.objects.get(payment=payment, source="ipn")
    assert notification.verified and notification.answer == Outcome.CONFIRMED
    assert notification.remote_addr == "127.0.0.1" and notification.raw["vnp_TxnRef"] == payment.reference
    case["notice"].refresh_from_db()
    assert case["notice"].paid_at == payment.paid_at
    assert paid_steps(case["dossier"]) == 1
    step = DossierEvent.objects.get(dossier=case["dossier"], action="payment_paid")
    assert step.note == "200.000 VND" and step.data["payment"] == payment.reference

    page = back_on_the_portal(case, live_server, return_url)
    assert "Payment received" in page and payment.reference in page and "200,000" in page
    assert PaymentNotification.objects.filter(payment=payment, source="return").count() == 1
    payment.refresh_from_db()
    assert payment.returned_at is not None and payment.state == PaymentState.PAID


def test_the_applicant_cancels_at_the_bank_then_pays_again(case, bank, live_server):
    payment, bank_url = start(case, bank)
    bank.next = "cancel"
    return_url = at_the_bank(bank_url)
    assert bank.ipn_answers[-1]["RspCode"] == "00"  # the cancellation is recorded
    payment.refresh_from_db()
    assert payment.state == PaymentState.CANCELLED
    case["notice"].refresh_from_db()
    assert case["notice"].is_open and paid_steps(case["dossier"]) == 0
    assert "Payment cancelled" in back_on_the_portal(case, live_server, return_url)

    again, bank_url = start(case, bank)
    assert again.pk != payment.pk and again.reference != payment.reference
    at_the_bank(bank_url)
    again.refresh_from_db()
    assert again.state == PaymentState.PAID and paid_steps(case["dossier"]) == 1


def test_a_forged_signature_is_refused_97_and_changes_nothing(case, bank, live_server):
    payment, bank_url = start(case, bank)
    bank.next = "forged"
    return_url = at_the_bank(bank_url)
    assert bank.ipn_answers[-1] == {"txn_ref": payment.reference, "RspCode": "97", "Message": "Invalid signature"}
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and not payment.provider_reference
    notification = PaymentNotification.objects.get(payment=payment, source="ipn")
    assert not notification.verified and notification.answer == Outcome.INVALID_SIGNATURE
    assert not PaymentEvent.objects.filter(payment=payment, action="paid").exists()
    case["notice"].refresh_from_db()
    assert case["notice"].paid_at is None and paid_steps(case["dossier"]) == 0
    # the browser's (well signed) return says success: still only shown, never trusted
    page = back_on_the_portal(case, live_server, return_url)
    assert "Waiting for the bank" in page
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_a_wrong_amount_is_refused_04(case, bank, live_server):
    payment, bank_url = start(case, bank)
    bank.next = "wrong_amount"
    at_the_bank(bank_url)
    assert bank.ipn_answers[-1]["RspCode"] == "04"
    assert bank.ipn_answers[-1]["Message"] == "invalid amount"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert PaymentNotification.objects.get(payment=payment).answer == Outcome.INVALID_AMOUNT
    assert paid_steps(case["dossier"]) == 0


def test_a_replayed_notification_answers_02_and_credits_once(case, bank, live_server):
    payment, bank_url = start(case, bank)
    at_the_bank(bank_url)
    payment.refresh_from_db()
    paid_at = payment.paid_at
    first = bank.transactions[payment.reference]
    assert bank.notify(first) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert bank.notify(first) == {"RspCode": "02", "Message": "Order already confirmed"}
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID and payment.paid_at == paid_at
    assert PaymentEvent.objects.filter(payment=payment, action="paid").count() == 1
    assert paid_steps(case["dossier"]) == 1
    assert PaymentNotification.objects.filter(payment=payment, source="ipn").count() == 3
    # a notification for a reference we never made
    assert bank.notify({**first, "vnp_TxnRef": "P20990101NOSUCHREF0"})["RspCode"] == "01"


def test_return_without_notification_stays_pending_until_the_query_settles_it(case, bank, live_server):
    payment, bank_url = start(case, bank)
    bank.next = "silent"
    return_url = at_the_bank(bank_url)
    assert bank.ipn_answers == []
    page = back_on_the_portal(case, live_server, return_url)
    assert "Waiting for the bank" in page and "do not pay again" in page
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and payment.returned_at is not None
    # the applicant's dossier page says a payment waits for confirmation
    dossier_page = case["client"].get(reverse("my_dossier", args=[case["dossier"].code])).content.decode()
    assert "waiting for the bank" in dossier_page

    # reconciliation asks VNPay (querydr over HTTP), which settles it
    assert services.settle_pending(payment) == Outcome.CONFIRMED
    request = bank.api_requests[-1]
    assert request["verified"] and request["body"]["vnp_Command"] == "querydr"
    assert request["body"]["vnp_TxnRef"] == payment.reference
    assert request["body"]["vnp_TransactionDate"] == bank.pages[-1]["params"]["vnp_CreateDate"]
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID and paid_steps(case["dossier"]) == 1
    assert PaymentNotification.objects.get(payment=payment, source="query").verified
    assert services.settle_pending(payment) == Outcome.ALREADY
    # VNPay's late IPN then finds it confirmed
    assert bank.notify(bank.transactions[payment.reference])["RspCode"] == "02"
    assert paid_steps(case["dossier"]) == 1
    assert "Payment received" in back_on_the_portal(case, live_server, return_url)


def test_a_query_answer_with_a_bad_signature_settles_nothing(case, bank, live_server):
    payment, bank_url = start(case, bank)
    bank.next = "silent"
    at_the_bank(bank_url)
    bank.query_answer = {"_secret": "not-the-merchant-secret"}
    assert services.settle_pending(payment) == Outcome.INVALID_SIGNATURE
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    # "still in progress" at VNPay: kept, nothing changes
    bank.query_answer = {"vnp_TransactionStatus": "01"}
    assert services.settle_pending(payment) == Outcome.PENDING
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert PaymentNotification.objects.filter(payment=payment, source="query").count() == 2


def test_the_ipn_signature_covers_the_amount_the_browser_saw(case, bank, live_server):
    """What the bank page received is what the portal signed: amount and reference."""
    payment, bank_url = start(case, bank)
    params = dict(parse_qsl(urlsplit(bank_url).query))
    assert params["vnp_Amount"] == str(payment.amount_vnd * 100)
    tampered = bank_url.replace(f"vnp_Amount={params['vnp_Amount']}", "vnp_Amount=100")
    status, _headers, _body = http_get(tampered)
    assert status == 400 and not bank.pages[-1]["verified"]
