"""The sandbox bank served by the portal: its page, and its notifications
sent over HTTP to the portal's own IPN (the live server), signed like
VNPay's; its merchant API for the query and refunds; and that it does not
exist while PORTAL_PAYMENT_SANDBOX is off."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from eforms import lifecycle
from eforms.models import DossierEvent
from payments import services
from payments.models import FeeNotice, Payment, PaymentNotification, PaymentState
from payments.providers.base import Outcome

from .builders import citizen_client, submitted, world


def sandbox_signature(params: dict, secret: str) -> str:
    data = urlencode(sorted((k, v) for k, v in params.items() if k.startswith("vnp_") and k != "vnp_SecureHash"))
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def start(client, dossier, notice) -> tuple[Payment, str]:
    with translation.override("en"):
        url = reverse("payment_start", args=[dossier.code])
    response = client.post(url, {"notice": notice.public_id, "provider": "sandbox"})
    assert response.status_code == 302
    return Payment.objects.latest("pk"), response["Location"]


def bank_params(location: str) -> dict:
    return dict(parse_qsl(urlsplit(location).query))


@pytest.mark.django_db(transaction=True)
class TestTheSandboxJourney:
    @pytest.fixture(autouse=True)
    def setup(self, settings, live_server):
        settings.PORTAL_PAYMENT_SANDBOX_BASE_URL = live_server.url
        settings.PORTAL_PAYMENT_PROVIDERS = ["sandbox"]
        w = world()
        self.settings = settings
        self.dossier = submitted(w["procedure"], w["citizen"])
        self.notice = FeeNotice.objects.get(dossier=self.dossier)
        self.client = citizen_client(w["citizen"])
        self.staff = w["leader"]

    def test_the_bank_page_shows_the_order_and_pay_notifies_the_portal_over_http(self):
        payment, location = start(self.client, self.dossier, self.notice)
        assert location.startswith("/payments/sandbox/pay/?")
        params = bank_params(location)
        assert params["vnp_SecureHash"] == sandbox_signature(params, self.settings.PORTAL_PAYMENT_SANDBOX_SECRET)
        page = self.client.get(location)
        assert page.status_code == 200
        html = page.content.decode()
        assert "<h1>Sandbox bank</h1>" in html and "200,000" in html and payment.reference in html
        assert "No real money" in html
        for action in ("pay", "cancel", "pay_silently"):
            assert f'name="action" value="{action}"' in html
        assert 'method="post"' in html and "<script" not in html.split("<main", 1)[1].split("</main>")[0]

        response = self.client.post(reverse("payments_callbacks:sandbox_pay"), {**params, "action": "pay"})
        assert response.status_code == 302
        back = urlsplit(response["Location"])
        with translation.override("en"):
            assert back.path == reverse("payment_return", args=[payment.public_id])
        payment.refresh_from_db()
        assert payment.state == PaymentState.PAID  # the IPN came over HTTP before the redirect
        ipn = PaymentNotification.objects.get(payment=payment, source="ipn")
        assert ipn.verified and ipn.answer == Outcome.CONFIRMED and ipn.remote_addr == "127.0.0.1"
        page = self.client.get(f"{back.path}?{back.query}")
        assert "Payment received" in page.content.decode()
        # a second click on "Pay" charges nothing more
        again = self.client.post(reverse("payments_callbacks:sandbox_pay"), {**params, "action": "pay"})
        assert again.status_code == 302
        assert PaymentNotification.objects.filter(payment=payment, source="ipn").count() == 1
        assert DossierEvent.objects.filter(dossier=self.dossier, action="payment_paid").count() == 1

    def test_cancel(self):
        payment, location = start(self.client, self.dossier, self.notice)
        response = self.client.post(reverse("payments_callbacks:sandbox_pay"),
                                    {**bank_params(location), "action": "cancel"})
        assert response.status_code == 302
        payment.refresh_from_db()
        assert payment.state == PaymentState.CANCELLED
        self.notice.refresh_from_db()
        assert self.notice.is_open

    def test_pay_without_notification_then_query_and_refund_through_the_sandbox_api(self):
        payment, location = start(self.client, self.dossier, self.notice)
        response = self.client.post(reverse("payments_callbacks:sandbox_pay"),
                                    {**bank_params(location), "action": "pay_silently"})
        assert response.status_code == 302
        payment.refresh_from_db()
        assert payment.state == PaymentState.PENDING
        assert services.settle_pending(payment) == Outcome.CONFIRMED  # querydr over HTTP to the sandbox API
        payment.refresh_from_db()
        assert payment.state == PaymentState.PAID and payment.provider_reference
        services.refund(payment, 50_000, lifecycle.Actor.staff(self.staff), reason="Nộp thừa")
        services.refund(payment, 150_000, lifecycle.Actor.staff(self.staff), reason="Hồ sơ bị hủy")
        payment.refresh_from_db()
        assert payment.state == PaymentState.REFUNDED and payment.refunded_vnd == 200_000
        with pytest.raises(services.RefundError):
            services.refund(payment, 1, lifecycle.Actor.staff(self.staff))


@pytest.mark.django_db
def test_a_payment_request_not_signed_by_the_portal_is_refused(settings):
    params = {"vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "SANDBOX1", "vnp_Amount": "100",
              "vnp_TxnRef": "P1", "vnp_ReturnUrl": "https://evil.example/", "vnp_CreateDate": "20250101000000"}
    params["vnp_SecureHash"] = sandbox_signature(params, "another-secret")
    response = Client().get(reverse("payments_callbacks:sandbox_pay"), params)
    assert response.status_code == 400
    assert "không có chữ ký hợp lệ của đơn vị bán" in response.content.decode()
    response = Client().post(reverse("payments_callbacks:sandbox_pay"), {**params, "action": "pay"})
    assert response.status_code == 400 and "Location" not in response


@pytest.mark.django_db
def test_the_sandbox_does_not_exist_when_off(settings):
    settings.PORTAL_PAYMENT_SANDBOX = False
    client = Client()
    assert client.get(reverse("payments_callbacks:sandbox_pay")).status_code == 404
    assert client.post(reverse("payments_callbacks:sandbox_api"), "{}", content_type="application/json").status_code == 404
    assert client.get(reverse("payments_callbacks:ipn", args=["sandbox"])).status_code == 404
    assert client.get("/payments/nosuchbank/ipn/").status_code == 404
    from payments.providers import enabled_providers

    assert [p.code for p in enabled_providers()] == []
