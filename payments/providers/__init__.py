"""The payment providers the portal knows, and which of them are on.

* `get_provider(code)`: the provider with this code, built from settings,
  whenever it is configured (also one no longer offered to applicants, so
  that its late notifications, queries and refunds still work); raises
  `UnknownProvider` otherwise.
* `enabled_providers()`: the ones applicants may pay with now, in the order
  of PORTAL_PAYMENT_PROVIDERS ("sandbox" in development, "vnpay" in
  production), leaving out any that is not configured.

VNPay is configured by PORTAL_VNPAY_TMN_CODE and PORTAL_VNPAY_HASH_SECRET;
the sandbox exists only while PORTAL_PAYMENT_SANDBOX is on; PayGov's
adapter is a contract not built yet (`paygov.py`).
"""

from __future__ import annotations

import logging

from django.conf import settings

from .base import Outcome, PaymentProvider, ProviderError, ProviderResult, RefundNotSupported
from .paygov import PayGovProvider
from .sandbox import SandboxProvider
from .vnpay import VNPayProvider

__all__ = [
    "Outcome",
    "PaymentProvider",
    "ProviderError",
    "ProviderResult",
    "RefundNotSupported",
    "UnknownProvider",
    "enabled_providers",
    "get_provider",
    "is_configured",
    "provider_label",
]

logger = logging.getLogger(__name__)

PROVIDERS: dict[str, type[PaymentProvider]] = {
    VNPayProvider.code: VNPayProvider,
    SandboxProvider.code: SandboxProvider,
    PayGovProvider.code: PayGovProvider,
}


class UnknownProvider(LookupError):
    """No configured provider has this code."""


def is_configured(code: str) -> bool:
    cls = PROVIDERS.get(code)
    return cls is not None and cls.configured()


def get_provider(code: str) -> PaymentProvider:
    cls = PROVIDERS.get(code)
    if cls is None or not is_configured(code):
        raise UnknownProvider(code)
    return cls.from_settings()


def enabled_providers() -> list[PaymentProvider]:
    found = []
    for code in settings.PORTAL_PAYMENT_PROVIDERS:
        try:
            found.append(get_provider(code))
        except UnknownProvider:
            # `manage.py check` warns about it (payments.W002)
            logger.debug("Payment provider %r is listed in PORTAL_PAYMENT_PROVIDERS but not configured", code)
    return found


def provider_label(code: str) -> str:
    """What a payment's provider is called, configured or not."""
    cls = PROVIDERS.get(code)
    return str(cls.label) if cls is not None else code
