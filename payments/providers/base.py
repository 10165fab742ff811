"""The one interface every payment provider implements.

A provider turns a payment into the address the applicant's browser goes to
(`start`), reads what the provider sends back (`parse_notification` for its
server-to-server notification, `parse_return` for the browser's return),
asks the provider about a transaction (`query`) and, where it allows it,
refunds (`refund`). Only `payments.services.apply_result` changes a
payment, and only with a `ProviderResult` whose `verified` is true and
whose source is a notification, a query or a statement; the browser's
return is shown, never trusted.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import HttpResponse, JsonResponse


class ProviderError(Exception):
    """The provider could not be reached or answered something we cannot read."""


class RefundNotSupported(ProviderError):
    """This provider (or this merchant account) does not refund through its API."""


@dataclass(frozen=True)
class ProviderResult:
    """What a provider says about one transaction."""

    reference: str  # our reference (vnp_TxnRef)
    verified: bool  # the signature (or the query's authenticity) checked out
    success: bool  # the money was taken (VNPay: ResponseCode 00 and TransactionStatus 00)
    amount_vnd: int | None  # in đồng (VNPay's amount divided by 100); None when absent or unreadable
    provider_reference: str = ""  # their transaction number
    bank_code: str = ""
    paid_at: dt.datetime | None = None
    status_code: str = ""  # the provider's own code, kept for the record
    message: str = ""
    cancelled: bool = False  # the applicant cancelled at the provider
    raw: Mapping = field(default_factory=dict)
    # False when the provider has no final word yet (a query answered "still
    # in progress"): the answer is kept, the payment stays as it is.
    final: bool = True


class Outcome:
    """How we answered a notification; each provider maps these to its own
    answer (VNPay's RspCode in `vnpay.RSP_CODES`)."""

    CONFIRMED = "confirmed"  # recorded now
    NOT_FOUND = "not_found"  # no payment has this reference
    INVALID_AMOUNT = "invalid_amount"  # the amount is not the payment's
    ALREADY = "already"  # the payment was already final: nothing changed
    INVALID_SIGNATURE = "invalid_signature"
    ERROR = "error"
    PENDING = "pending"  # a query found no final answer yet: nothing changed


class PaymentProvider(ABC):
    #: the value stored in Payment.provider
    code: str = ""
    #: what applicants and staff read
    label: str = ""
    #: can `refund` be called
    supports_refund: bool = False

    @classmethod
    def configured(cls) -> bool:
        """Are this provider's settings present (may it be built)?"""
        return False

    @classmethod
    def from_settings(cls) -> PaymentProvider:
        """The provider, built from the settings."""
        return cls()

    @abstractmethod
    def start(self, payment, *, return_url: str, client_ip: str, language: str) -> str:
        """The address to send the applicant's browser to."""

    @abstractmethod
    def parse_notification(self, params: Mapping[str, str]) -> ProviderResult:
        """Read and verify a server-to-server notification."""

    def parse_return(self, params: Mapping[str, str]) -> ProviderResult:
        """Read the browser's return (for display only)."""
        return self.parse_notification(params)

    @abstractmethod
    def query(self, payment) -> ProviderResult:
        """Ask the provider what became of this payment."""

    def refund(self, payment, amount_vnd: int, *, actor_label: str) -> ProviderResult:
        raise RefundNotSupported(self.code)

    def notification_response(self, outcome: str) -> HttpResponse:
        """What the provider expects back from our notification endpoint."""
        return JsonResponse({"outcome": outcome})
