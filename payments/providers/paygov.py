"""The national payment platform (PayGov, "Nền tảng thanh toán trực tuyến"
of the National Public Service Portal): the adapter's contract.

Not built yet: its technical specification is handed to portals by the
Government Office when they connect, and it is not at hand. This class says
what the adapter must do, so building it is filling in these methods; until
then it is never registered (`PayGovProvider.configured()` is false, so
`payments.providers.get_provider("paygov")` refuses and listing "paygov" in
PORTAL_PAYMENT_PROVIDERS only gives a system-check warning).

The contract, as for every provider (`payments.providers.base`):

* `start(payment, return_url=, client_ip=, language=)` → the address the
  applicant's browser goes to. PayGov needs, besides the amount in đồng and
  our unique reference (`payment.reference`): the dossier code
  (`payment.dossier.code`), the national procedure code
  (`payment.dossier.procedure.code`), the collecting agency and its
  beneficiary account at the State Treasury or a bank (per agency, from
  settings or the admin), and the fee items (`payment.notice.items`: name,
  amount; PayGov wants each fee's code in the national fee catalogue).
* `parse_notification(params)` → a `ProviderResult` with `verified` true
  only when PayGov's signature (its key, from settings) checks out, the
  amount in đồng, `success` only for a completed payment, PayGov's own
  transaction number as `provider_reference`. The notification endpoint is
  `/payments/paygov/ipn/`; whether PayGov calls it with GET or POST, and
  with what body, is in the specification (the view passes the query
  parameters today: extend it to read a POST body if needed).
* `notification_response(outcome)` → the answer PayGov expects for each
  `Outcome` (confirmed, not found, already confirmed, wrong amount, bad
  signature, error).
* `query(payment)` → PayGov's word on one transaction, for the
  reconciliation (`payments.services.settle_pending`), `final=False` while
  it is still in progress.
* `refund(...)`: only if PayGov offers it; otherwise leave
  `supports_refund` false and staff refund outside the portal.

What the operator must obtain: the partner code and credentials (keys or
certificates) from the Government Office, the agencies' beneficiary
accounts and fee codes, a route to PayGov (through the national data
sharing platform, NGSP/LGSP, where required), and the IPN address above
registered with PayGov.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from .base import PaymentProvider, ProviderError, ProviderResult

NOT_BUILT = (
    "The PayGov adapter is a contract only (payments/providers/paygov.py): build it from PayGov's "
    "technical specification before listing \"paygov\" in PORTAL_PAYMENT_PROVIDERS."
)


class PayGovProvider(PaymentProvider):
    code = "paygov"
    label = _("National payment platform (PayGov)")
    supports_refund = False

    @classmethod
    def configured(cls) -> bool:
        """True once the adapter is built and its settings are present."""
        return False

    @classmethod
    def from_settings(cls) -> PayGovProvider:
        raise ProviderError(NOT_BUILT)

    def start(self, payment, *, return_url: str, client_ip: str, language: str) -> str:
        raise NotImplementedError(NOT_BUILT)

    def parse_notification(self, params: Mapping[str, str]) -> ProviderResult:
        raise NotImplementedError(NOT_BUILT)

    def query(self, payment) -> ProviderResult:
        raise NotImplementedError(NOT_BUILT)
