"""The sandbox provider: VNPay's protocol, pointed at the portal's own fake
bank (`payments.sandbox`, under /payments/sandbox/ while
PORTAL_PAYMENT_SANDBOX is on), signed with PORTAL_PAYMENT_SANDBOX_SECRET.

Everything the portal does with it is what it does with VNPay: the same
signed payment URL, the same IPN (sent by the fake bank server-to-server,
over HTTP, to PORTAL_PAYMENT_SANDBOX_BASE_URL), the same querydr and
refund requests to the fake bank's API. So `make run` and the demo walk the
whole level-4 journey offline, through the code that serves VNPay.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .vnpay import VNPayProvider

#: The merchant code the fake bank knows the portal by.
TMN_CODE = "SANDBOX1"


def base_url() -> str:
    """Where the fake bank reaches the portal (its IPN, its own API)."""
    return (settings.PORTAL_PAYMENT_SANDBOX_BASE_URL or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


class SandboxProvider(VNPayProvider):
    code = "sandbox"
    label = _("Sandbox bank (test payments, no real money)")
    supports_refund = True

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.PORTAL_PAYMENT_SANDBOX and settings.PORTAL_PAYMENT_SANDBOX_SECRET)

    @classmethod
    def from_settings(cls) -> SandboxProvider:
        return cls(
            tmn_code=TMN_CODE,
            secret=settings.PORTAL_PAYMENT_SANDBOX_SECRET,
            # a path: the browser stays on whatever address it uses for the portal
            payment_url=reverse("payments_callbacks:sandbox_pay"),
            api_url=base_url() + reverse("payments_callbacks:sandbox_api"),
            timeout=settings.PORTAL_VNPAY_TIMEOUT,
            expire_minutes=settings.PORTAL_PAYMENT_EXPIRE_MINUTES,
        )
