"""The sandbox bank: a fake VNPay served by the portal itself, for `make run`,
the demo and tests. Only while PORTAL_PAYMENT_SANDBOX is on; 404 otherwise.

* `/payments/sandbox/pay/`: the bank's payment page. It checks the signed
  payment URL as VNPay would, shows the amount and the order, and offers
  "Pay", "Cancel" and "Pay but do not send the notification" (to try the
  reconciliation). On a choice it sends the portal's IPN server-to-server
  (an HTTP GET to PORTAL_PAYMENT_SANDBOX_BASE_URL), signed like VNPay, then
  sends the browser to the return URL with the same signed answer. Plain
  HTML forms: no JavaScript.
* `/payments/sandbox/api/`: the bank's merchant API, answering querydr and
  refund as VNPay's does (JSON, `|`-joined hashes).

The bank remembers its transactions in the cache (a fake bank needs no
tables); what it decides is signed with the sandbox secret, exactly as
VNPay signs with the merchant's.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .providers import sandbox as provider_module
from .providers import vnpay

logger = logging.getLogger(__name__)

CACHE_PREFIX = "payments:sandbox:txn:"
CACHE_SECONDS = 60 * 60 * 24 * 30
BANK_CODE = "SANDBOX"
#: The buttons of the bank's page.
PAY, CANCEL, PAY_SILENTLY = "pay", "cancel", "pay_silently"


def _require_sandbox() -> None:
    if not settings.PORTAL_PAYMENT_SANDBOX:
        raise Http404


def _secret() -> str:
    return settings.PORTAL_PAYMENT_SANDBOX_SECRET


def _remember(txn: dict) -> None:
    cache.set(CACHE_PREFIX + txn["vnp_TxnRef"], txn, CACHE_SECONDS)


def _recall(reference: str) -> dict | None:
    return cache.get(CACHE_PREFIX + reference) if reference else None


def _order_problem(params: dict) -> str:
    """Why the bank refuses this payment request ("" when it takes it)."""
    if not vnpay.verify(params, _secret()) or params.get("vnp_TmnCode") != provider_module.TMN_CODE:
        return "signature"
    if params.get("vnp_Version") != vnpay.VERSION or params.get("vnp_Command") != "pay":
        return "request"
    if vnpay.amount_from(params.get("vnp_Amount")) in (None, 0) or not params.get("vnp_ReturnUrl"):
        return "request"
    expires = vnpay.parse_vnp_date(params.get("vnp_ExpireDate", ""))
    if expires is not None and expires < timezone.now():
        return "expired"
    return ""


def _bank_answer(params: dict, action: str, now: dt.datetime) -> dict[str, str]:
    """What the bank says of the transaction, as VNPay's return and IPN say it."""
    paid = action in (PAY, PAY_SILENTLY)
    return {
        "vnp_Amount": params["vnp_Amount"],
        "vnp_BankCode": BANK_CODE,
        "vnp_BankTranNo": f"SB{secrets.randbelow(10**10):010d}" if paid else "",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
        "vnp_PayDate": vnpay.vnp_date(now),
        "vnp_ResponseCode": "00" if paid else vnpay.CANCELLED_CODE,
        "vnp_TmnCode": params["vnp_TmnCode"],
        "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}" if paid else "0",
        "vnp_TransactionStatus": "00" if paid else "02",
        "vnp_TxnRef": params["vnp_TxnRef"],
    }


def notify(answer: dict[str, str]) -> str:
    """Send the IPN to the portal over HTTP, as VNPay does; returns its RspCode
    ("" when the portal could not be reached)."""
    url = (provider_module.base_url() + reverse("payments_callbacks:ipn", args=[provider_module.SandboxProvider.code])
           + "?" + vnpay.signed_query(answer, _secret()))
    try:
        with urllib.request.urlopen(url, timeout=settings.PORTAL_VNPAY_TIMEOUT) as response:
            code = json.loads(response.read()).get("RspCode", "")
    except (urllib.error.URLError, OSError, ValueError) as error:
        logger.warning("Sandbox bank: the IPN to %s failed: %s", url.split("?")[0], error)
        return ""
    logger.info("Sandbox bank: IPN for %s answered %s", answer["vnp_TxnRef"], code)
    return code


def _return_redirect(params: dict, answer: dict[str, str]) -> HttpResponseRedirect:
    url = params["vnp_ReturnUrl"]
    joiner = "&" if "?" in url else "?"
    return HttpResponseRedirect(url + joiner + vnpay.signed_query(answer, _secret()))


@require_http_methods(["GET", "HEAD", "POST"])
def pay(request):
    """The bank's payment page (GET: the order; POST: the applicant's choice)."""
    _require_sandbox()
    source = request.POST if request.method == "POST" else request.GET
    params = {k: v for k, v in source.dict().items() if k.startswith("vnp_")}
    language = "en" if params.get("vnp_Locale") == "en" else "vi"
    with translation.override(language):
        problem = _order_problem(params)
        if problem:
            return render(request, "payments/sandbox/pay.html", {"problem": problem}, status=400)
        action = request.POST.get("action", "") if request.method == "POST" else ""
        if request.method == "POST" and action in (PAY, CANCEL, PAY_SILENTLY):
            done = _recall(params["vnp_TxnRef"])
            if done is None:  # a second click answers with the first decision
                done = _bank_answer(params, action, timezone.now())
                _remember({**done, "refunded": 0})
                if action != PAY_SILENTLY:
                    notify(done)
            return _return_redirect(params, {k: v for k, v in done.items() if k.startswith("vnp_")})
        amount = vnpay.amount_from(params["vnp_Amount"])
        separator = "," if language == "en" else "."
        return render(request, "payments/sandbox/pay.html", {
            "params": params,
            "amount": services.format_vnd(amount, separator),
            "order_info": params.get("vnp_OrderInfo", ""),
            "reference": params["vnp_TxnRef"],
            "merchant": params["vnp_TmnCode"],
            "actions": (PAY, CANCEL, PAY_SILENTLY),
            "invalid_choice": request.method == "POST",
        }, status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- the merchant API


def _signed(answer: dict[str, str], fields: tuple[str, ...]) -> JsonResponse:
    answer["vnp_SecureHash"] = vnpay.pipe_hash(answer, fields, _secret())
    return JsonResponse(answer)


def _answer_base(body: dict, code: str, message: str) -> dict[str, str]:
    return {
        "vnp_ResponseId": secrets.token_hex(16),
        "vnp_Command": str(body.get("vnp_Command", "")),
        "vnp_ResponseCode": code,
        "vnp_Message": message,
        "vnp_TmnCode": provider_module.TMN_CODE,
        "vnp_TxnRef": str(body.get("vnp_TxnRef", "")),
    }


def _transaction_fields(txn: dict) -> dict[str, str]:
    return {name: txn.get(name, "") for name in (
        "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionStatus",
        "vnp_OrderInfo")}


@csrf_exempt
@require_POST
def api(request):
    """querydr and refund, as VNPay's merchant API answers them."""
    _require_sandbox()
    try:
        body = json.loads(request.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _signed(_answer_base({}, "03", "Invalid request format"), vnpay.QUERY_ANSWER_FIELDS)
    body = {k: str(v) for k, v in body.items()}
    command = body.get("vnp_Command")
    if command == "querydr":
        fields, answer_fields = vnpay.QUERY_FIELDS, vnpay.QUERY_ANSWER_FIELDS
    elif command == "refund":
        fields, answer_fields = vnpay.REFUND_FIELDS, vnpay.REFUND_ANSWER_FIELDS
    else:
        return _signed(_answer_base(body, "02", "Invalid command"), vnpay.QUERY_ANSWER_FIELDS)
    expected = vnpay.pipe_hash(body, fields, _secret())
    if body.get("vnp_TmnCode") != provider_module.TMN_CODE or not hmac.compare_digest(
            body.get("vnp_SecureHash", "").lower(), expected):
        return _signed(_answer_base(body, "97", "Invalid checksum"), answer_fields)
    txn = _recall(body.get("vnp_TxnRef", ""))
    if txn is None:
        return _signed(_answer_base(body, vnpay.QUERY_NOT_FOUND, "Transaction not found"), answer_fields)
    if command == "querydr":
        return _signed({**_answer_base(body, "00", "QueryDR Success"), **_transaction_fields(txn),
                        "vnp_TransactionType": "01", "vnp_PromotionCode": "", "vnp_PromotionAmount": ""},
                       answer_fields)
    # refund
    if txn.get("vnp_TransactionStatus") != "00":
        return _signed(_answer_base(body, "95", "Transaction was not successful"), answer_fields)
    amount = vnpay.amount_from(body.get("vnp_Amount"))
    paid = vnpay.amount_from(txn["vnp_Amount"]) or 0
    if amount is None or amount <= 0:
        return _signed(_answer_base(body, "93", "Invalid refund amount"), answer_fields)
    if amount + txn.get("refunded", 0) > paid:
        return _signed(_answer_base(body, "02", "Refund amount exceeds the original amount"), answer_fields)
    txn["refunded"] = txn.get("refunded", 0) + amount
    _remember(txn)
    return _signed({**_answer_base(body, "00", "Refund success"), **_transaction_fields(txn),
                    "vnp_Amount": body["vnp_Amount"], "vnp_TransactionType": body.get("vnp_TransactionType", ""),
                    "vnp_TransactionStatus": "05"}, answer_fields)
