"""VNPay, version 2.1.0: the payment URL, the IPN, querydr and refund.

What VNPay expects (checked against its sandbox documentation and its PHP
demo; see the README's "Payments" section):

* The payment URL carries `vnp_*` parameters sorted by name and
  form-encoded (PHP's `urlencode`, Python's `urlencode`), and
  `vnp_SecureHash`: HMAC-SHA512 of exactly that query string under the
  merchant's secret, in lowercase hex. `vnp_Amount` is VND × 100;
  `vnp_CreateDate`/`vnp_ExpireDate` are `yyyyMMddHHmmss` in GMT+7; 2.1.0
  sends no `vnp_SecureHashType`; `vnp_OrderInfo` is Vietnamese without
  diacritics.
* The browser comes back to `vnp_ReturnUrl` (display only); VNPay calls our
  IPN address (registered with VNPay, not sent) with a GET signed the same
  way, and wants JSON `{"RspCode", "Message"}` back (`RSP_CODES`). Success
  is `vnp_ResponseCode == "00"` and `vnp_TransactionStatus == "00"`.
* querydr and refund are JSON POSTs to the merchant API, signed over the
  values joined by `|` in a fixed order (`QUERY_FIELDS`, `REFUND_FIELDS`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import to_ascii

from .base import Outcome, PaymentProvider, ProviderError, ProviderResult

logger = logging.getLogger(__name__)

VERSION = "2.1.0"
VN = ZoneInfo("Asia/Ho_Chi_Minh")  # VNPay's dates are GMT+7
DATE_FORMAT = "%Y%m%d%H%M%S"
SANDBOX_PAYMENT_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
SANDBOX_API_URL = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"

#: Our answer to each IPN outcome, with the messages of VNPay's own demo
#: ("Unknow error" is spelt as VNPay spells it).
RSP_CODES: dict[str, tuple[str, str]] = {
    Outcome.CONFIRMED: ("00", "Confirm Success"),
    Outcome.NOT_FOUND: ("01", "Order not found"),
    Outcome.ALREADY: ("02", "Order already confirmed"),
    Outcome.INVALID_AMOUNT: ("04", "invalid amount"),
    Outcome.INVALID_SIGNATURE: ("97", "Invalid signature"),
    Outcome.ERROR: ("99", "Unknow error"),
    # never the answer to an IPN (a notification is always final); listed so
    # every outcome has an answer
    Outcome.PENDING: ("99", "Unknow error"),
}

#: The `|`-joined hash input of the merchant API's requests, in order.
QUERY_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
REFUND_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType",
                 "vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy",
                 "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
#: The answers' hash input. For querydr this order comes from one library
#: only and for refund from VNPay's documentation pages, not from a checked
#: demo: a querydr answer that does not match is NOT trusted (it could mark
#: a payment paid); a refund answer's check is kept on the record.
QUERY_ANSWER_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                       "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                       "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
                       "vnp_PromotionAmount")
REFUND_ANSWER_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                        "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                        "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo")

#: vnp_ResponseCode of a payment the applicant cancelled at VNPay.
CANCELLED_CODE = "24"
#: vnp_TransactionStatus of a transaction VNPay has not finished yet.
UNFINISHED_STATUSES = frozenset({"01", "05", "06"})
#: querydr's vnp_ResponseCode when VNPay has no such transaction.
QUERY_NOT_FOUND = "91"

_ORDER_INFO_KEEP = re.compile(r"[^A-Za-z0-9 ]+")


# ---------------------------------------------------------------- signing


def sign(secret: str, data: str) -> str:
    """HMAC-SHA512 of `data` under `secret`, lowercase hex."""
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def hash_data(params: Mapping[str, str]) -> str:
    """What VNPay signs: the `vnp_*` parameters but the hash, sorted by name,
    form-encoded."""
    data = {k: str(v) for k, v in params.items()
            if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType")}
    return urlencode(sorted(data.items()))


def signed_query(params: Mapping[str, str], secret: str) -> str:
    """The query string with its `vnp_SecureHash` appended."""
    query = hash_data(params)
    return f"{query}&vnp_SecureHash={sign(secret, query)}"


def verify(params: Mapping[str, str], secret: str) -> bool:
    """Does `vnp_SecureHash` sign these parameters under `secret`?"""
    given = str(params.get("vnp_SecureHash", "")).lower()
    if not given or not secret:
        return False
    return hmac.compare_digest(sign(secret, hash_data(params)), given)


def pipe_hash(values: Mapping[str, str], fields: tuple[str, ...], secret: str) -> str:
    """The merchant API's hash: the values in `fields` order, joined by `|`."""
    return sign(secret, "|".join(str(values.get(name, "")) for name in fields))


def vnp_date(moment: dt.datetime) -> str:
    return moment.astimezone(VN).strftime(DATE_FORMAT)


def parse_vnp_date(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=VN)
    except (TypeError, ValueError):
        return None


def order_info(text: str) -> str:
    """Vietnamese without diacritics, and only letters, digits and spaces:
    PHP's and Python's form-encoders differ on a few signs (`~`), so the
    signature VNPay computes could differ from ours; with these they agree.
    A dossier code's dots and hyphens become spaces."""
    return " ".join(_ORDER_INFO_KEEP.sub(" ", to_ascii(text)).split())[:255]


def amount_from(value) -> int | None:
    """VNPay's amount (VND × 100) in đồng; None when absent or not whole đồng."""
    try:
        hundredths = int(str(value))
    except (TypeError, ValueError):
        return None
    if hundredths < 0 or hundredths % 100:
        return None
    return hundredths // 100


def server_ip() -> str:
    """vnp_IpAddr of our server-to-server requests."""
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


# ---------------------------------------------------------------- the provider


class VNPayProvider(PaymentProvider):
    code = "vnpay"
    label = _("VNPay")
    supports_refund = True

    def __init__(self, *, tmn_code: str, secret: str, payment_url: str = SANDBOX_PAYMENT_URL,
                 api_url: str = SANDBOX_API_URL, timeout: int = 15, expire_minutes: int = 15) -> None:
        self.tmn_code = tmn_code
        self.secret = secret
        self.payment_url = payment_url
        self.api_url = api_url
        self.timeout = timeout
        self.expire_minutes = expire_minutes

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.PORTAL_VNPAY_TMN_CODE and settings.PORTAL_VNPAY_HASH_SECRET)

    @classmethod
    def from_settings(cls) -> VNPayProvider:
        return cls(
            tmn_code=settings.PORTAL_VNPAY_TMN_CODE, secret=settings.PORTAL_VNPAY_HASH_SECRET,
            payment_url=settings.PORTAL_VNPAY_PAYMENT_URL or SANDBOX_PAYMENT_URL,
            api_url=settings.PORTAL_VNPAY_API_URL or SANDBOX_API_URL,
            timeout=settings.PORTAL_VNPAY_TIMEOUT, expire_minutes=settings.PORTAL_PAYMENT_EXPIRE_MINUTES,
        )

    # ------------------------------------------------ the browser's way

    def payment_params(self, payment, *, return_url: str, client_ip: str, language: str) -> dict[str, str]:
        created = payment.created_at
        dossier_code = payment.dossier.code or payment.reference
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": order_info(f"Thanh toan phi le phi ho so {dossier_code}"),
            "vnp_OrderType": "other",
            "vnp_Locale": "en" if (language or "").startswith("en") else "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": vnp_date(created),
            "vnp_ExpireDate": vnp_date(created + dt.timedelta(minutes=self.expire_minutes)),
        }

    def start(self, payment, *, return_url: str, client_ip: str, language: str) -> str:
        if not self.tmn_code or not self.secret:
            raise ProviderError(f"{self.code}: the merchant code and secret are not configured")
        params = self.payment_params(payment, return_url=return_url, client_ip=client_ip, language=language)
        return f"{self.payment_url}?{signed_query(params, self.secret)}"

    def parse_notification(self, params: Mapping[str, str]) -> ProviderResult:
        params = {k: str(v) for k, v in params.items()}
        verified = verify(params, self.secret) and params.get("vnp_TmnCode", "") == self.tmn_code
        response_code = params.get("vnp_ResponseCode", "")
        status = params.get("vnp_TransactionStatus", "")
        return ProviderResult(
            reference=params.get("vnp_TxnRef", ""),
            verified=verified,
            success=response_code == "00" and status == "00",
            amount_vnd=amount_from(params.get("vnp_Amount")),
            provider_reference=params.get("vnp_TransactionNo", ""),
            bank_code=params.get("vnp_BankCode", ""),
            paid_at=parse_vnp_date(params.get("vnp_PayDate", "")),
            status_code=response_code,
            message=f"vnp_ResponseCode={response_code} vnp_TransactionStatus={status}",
            cancelled=response_code == CANCELLED_CODE,
            raw=params,
        )

    def notification_response(self, outcome: str) -> JsonResponse:
        code, message = RSP_CODES.get(outcome, RSP_CODES[Outcome.ERROR])
        return JsonResponse({"RspCode": code, "Message": message})

    # ------------------------------------------------ the merchant API

    def _post(self, body: dict) -> dict:
        request = urllib.request.Request(
            self.api_url, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise ProviderError(f"{self.code} API answered HTTP {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise ProviderError(f"{self.code} API unreachable: {error}") from error
        try:
            answer = json.loads(raw)
        except ValueError as error:
            raise ProviderError(f"{self.code} API answered something that is not JSON") from error
        if not isinstance(answer, dict):
            raise ProviderError(f"{self.code} API answered something that is not a JSON object")
        return {k: "" if v is None else str(v) for k, v in answer.items()}

    def _request_base(self, command: str, payment, info: str) -> dict[str, str]:
        return {
            "vnp_RequestId": secrets.token_hex(16),  # unique per day; 32 characters
            "vnp_Version": VERSION,
            "vnp_Command": command,
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": order_info(info),
            # the vnp_CreateDate of the payment URL: VNPay finds the transaction by it
            "vnp_TransactionDate": vnp_date(payment.created_at),
            "vnp_CreateDate": vnp_date(timezone.now()),
            "vnp_IpAddr": server_ip(),
        }

    def query_body(self, payment) -> dict[str, str]:
        body = self._request_base("querydr", payment, f"Truy van giao dich {payment.reference}")
        if payment.provider_reference:
            body["vnp_TransactionNo"] = payment.provider_reference
        body["vnp_SecureHash"] = pipe_hash(body, QUERY_FIELDS, self.secret)
        return body

    def query(self, payment) -> ProviderResult:
        answer = self._post(self.query_body(payment))
        verified = (
            hmac.compare_digest(pipe_hash(answer, QUERY_ANSWER_FIELDS, self.secret),
                                answer.get("vnp_SecureHash", "").lower())
            and answer.get("vnp_TmnCode", "") == self.tmn_code
            and answer.get("vnp_TxnRef", payment.reference) in ("", payment.reference)
        )
        response_code = answer.get("vnp_ResponseCode", "")
        status = answer.get("vnp_TransactionStatus", "")
        if response_code == "00":
            final = status not in UNFINISHED_STATUSES
        elif response_code == QUERY_NOT_FOUND:
            # VNPay never saw it: final once the payment URL has expired
            # (with a margin), so an abandoned payment ends "failed".
            expiry = payment.created_at + dt.timedelta(minutes=self.expire_minutes + 15)
            final = timezone.now() > expiry
        else:  # a refused or failed query says nothing about the payment
            final = False
        amount = amount_from(answer.get("vnp_Amount"))
        if response_code == QUERY_NOT_FOUND and amount is None:
            amount = payment.amount_vnd  # "not found" carries no amount: the failure is for our payment
        return ProviderResult(
            reference=payment.reference,
            verified=verified,
            success=response_code == "00" and status == "00",
            amount_vnd=amount,
            provider_reference=answer.get("vnp_TransactionNo", ""),
            bank_code=answer.get("vnp_BankCode", ""),
            paid_at=parse_vnp_date(answer.get("vnp_PayDate", "")),
            status_code=f"{response_code}/{status}" if status else response_code,
            message=answer.get("vnp_Message", ""),
            cancelled=False,
            raw=answer,
            final=final,
        )

    def refund_body(self, payment, amount_vnd: int, *, actor_label: str) -> dict[str, str]:
        body = self._request_base("refund", payment, f"Hoan tien giao dich {payment.reference}")
        body.update({
            "vnp_TransactionType": "02" if amount_vnd == payment.amount_vnd else "03",  # full, partial
            "vnp_Amount": str(amount_vnd * 100),
            "vnp_TransactionNo": payment.provider_reference or "0",
            "vnp_CreateBy": to_ascii(actor_label)[:250] or "portal",
        })
        body["vnp_SecureHash"] = pipe_hash(body, REFUND_FIELDS, self.secret)
        return body

    def refund(self, payment, amount_vnd: int, *, actor_label: str) -> ProviderResult:
        answer = self._post(self.refund_body(payment, amount_vnd, actor_label=actor_label))
        verified = (
            hmac.compare_digest(pipe_hash(answer, REFUND_ANSWER_FIELDS, self.secret),
                                answer.get("vnp_SecureHash", "").lower())
            and answer.get("vnp_TmnCode", "") == self.tmn_code
        )
        response_code = answer.get("vnp_ResponseCode", "")
        return ProviderResult(
            reference=answer.get("vnp_TxnRef", "") or payment.reference,
            verified=verified,
            success=response_code == "00",
            amount_vnd=amount_from(answer.get("vnp_Amount")),
            provider_reference=answer.get("vnp_TransactionNo", ""),
            bank_code=answer.get("vnp_BankCode", ""),
            status_code=response_code,
            message=answer.get("vnp_Message", ""),
            raw=answer,
        )
