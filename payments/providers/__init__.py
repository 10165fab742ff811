"""The payment providers the portal knows, by code.

A placeholder registry until the providers themselves (VNPay, the sandbox)
are installed here: `PROVIDERS` maps a code to a provider instance and is
empty, so `get_provider` raises `KeyError` for every code and
`enabled_providers` lists none.
"""

from __future__ import annotations

from .base import PaymentProvider

PROVIDERS: dict[str, PaymentProvider] = {}


def get_provider(code: str) -> PaymentProvider:
    """The provider stored as `code` in `Payment.provider`; KeyError if none."""
    return PROVIDERS[code]


def enabled_providers() -> list[PaymentProvider]:
    return list(PROVIDERS.values())
