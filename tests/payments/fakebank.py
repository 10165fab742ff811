"""A fake VNPay on loopback, for the payment tests: a real HTTP server that
checks and makes signatures the way VNPay 2.1.0 does, written here from
VNPay's documentation and independently of `payments.providers.vnpay`.

* `GET /paymentv2/vpcpay.html?…`: the payment page. It checks the merchant's
  signature, then does what the test scripted (`bank.next`): pay, cancel,
  pay without notifying, notify with a forged signature or a wrong amount.
  It sends the IPN to `bank.ipn_url` over HTTP (as VNPay's servers do) and
  answers the browser with a 302 to the return URL, signed.
* `POST /merchant_webapi/api/transaction`: querydr and refund, checked
  against the `|`-joined hash and answered signed.

Everything it receives and every IPN answer is recorded for the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

TMN_CODE = "TESTTMN1"
SECRET = "TESTSECRETKEY0123456789ABCDEFGHI"

QUERY_HASH = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
              "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
REFUND_HASH = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
               "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate",
               "vnp_IpAddr", "vnp_OrderInfo")
QUERY_ANSWER_HASH = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                     "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                     "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
                     "vnp_PromotionAmount")
REFUND_ANSWER_HASH = QUERY_ANSWER_HASH[:13]


def hmac512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def query_signature(params: dict, secret: str = SECRET) -> str:
    """VNPay's: HMAC-SHA512 over the vnp_ fields but the hash, sorted, form-encoded."""
    data = sorted((k, v) for k, v in params.items() if k.startswith("vnp_") and k not in (
        "vnp_SecureHash", "vnp_SecureHashType"))
    return hmac512(secret, urlencode(data))


def pipe_signature(values: dict, fields, secret: str = SECRET) -> str:
    return hmac512(secret, "|".join(str(values.get(name, "")) for name in fields))


def signed(params: dict, secret: str = SECRET) -> str:
    return urlencode(sorted(params.items())) + "&vnp_SecureHash=" + query_signature(params, secret)


class FakeBank:
    def __init__(self) -> None:
        self.next = "pay"  # pay | cancel | silent | forged | wrong_amount
        self.ipn_url = ""
        self.pages: list[dict] = []  # the payment pages the browser opened
        self.ipn_answers: list[dict] = []
        self.api_requests: list[dict] = []
        self.transactions: dict[str, dict] = {}
        self.query_answer: dict = {}  # overrides of the next querydr answer
        self.refund_code = "00"
        self._counter = 10_000_000
        bank = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path != "/paymentv2/vpcpay.html":
                    return self._send(404, b"not found")
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                location = bank.pay_page(params)
                if location is None:
                    return self._send(400, b"Invalid signature")
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                answer = bank.merchant_api(body)
                self._send(200, json.dumps(answer).encode(), "application/json")

            def _send(self, status, raw, content_type="text/plain"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # ------------------------------------------------ addresses

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def pay_url(self) -> str:
        return self.base + "/paymentv2/vpcpay.html"

    @property
    def api_url(self) -> str:
        return self.base + "/merchant_webapi/api/transaction"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------ the bank's side

    def pay_page(self, params: dict) -> str | None:
        good = hmac.compare_digest(query_signature(params), params.get("vnp_SecureHash", ""))
        self.pages.append({"params": params, "verified": good})
        if not good or params.get("vnp_TmnCode") != TMN_CODE:
            return None
        action, self.next = self.next, "pay"
        self._counter += 1
        paid = action != "cancel"
        answer = {
            "vnp_Amount": params["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": f"VNP{self._counter}",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": params["vnp_OrderInfo"],
            "vnp_PayDate": params["vnp_CreateDate"],
            "vnp_ResponseCode": "00" if paid else "24",
            "vnp_TmnCode": TMN_CODE,
            "vnp_TransactionNo": str(self._counter) if paid else "0",
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TxnRef": params["vnp_TxnRef"],
        }
        self.transactions[params["vnp_TxnRef"]] = dict(answer)
        if action == "forged":
            self.notify(answer, secret="not-the-merchant-secret")
        elif action == "wrong_amount":
            self.notify({**answer, "vnp_Amount": str(int(answer["vnp_Amount"]) + 100_000)})
        elif action != "silent":
            self.notify(answer)
        return params["vnp_ReturnUrl"] + "?" + signed(answer)

    def notify(self, answer: dict, *, secret: str = SECRET) -> dict:
        """Send the IPN (a GET) to the portal; returns its JSON answer."""
        with urllib.request.urlopen(self.ipn_url + "?" + signed(answer, secret), timeout=10) as response:
            result = json.loads(response.read())
        self.ipn_answers.append({"txn_ref": answer["vnp_TxnRef"], **result})
        return result

    def merchant_api(self, body: dict) -> dict:
        command = body.get("vnp_Command")
        fields = QUERY_HASH if command == "querydr" else REFUND_HASH
        good = hmac.compare_digest(pipe_signature(body, fields), body.get("vnp_SecureHash", ""))
        self.api_requests.append({"body": body, "verified": good})
        base = {"vnp_ResponseId": f"R{len(self.api_requests)}", "vnp_Command": command, "vnp_TmnCode": TMN_CODE,
                "vnp_TxnRef": body.get("vnp_TxnRef", "")}
        if not good:
            answer = {**base, "vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"}
            return {**answer, "vnp_SecureHash": pipe_signature(answer, QUERY_ANSWER_HASH)}
        txn = self.transactions.get(body.get("vnp_TxnRef", ""))
        if command == "querydr":
            if txn is None:
                answer = {**base, "vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"}
            else:
                answer = {**base, "vnp_ResponseCode": "00", "vnp_Message": "QueryDR Success",
                          "vnp_Amount": txn["vnp_Amount"], "vnp_BankCode": txn["vnp_BankCode"],
                          "vnp_PayDate": txn["vnp_PayDate"], "vnp_TransactionNo": txn["vnp_TransactionNo"],
                          "vnp_TransactionType": "01", "vnp_TransactionStatus": txn["vnp_TransactionStatus"],
                          "vnp_OrderInfo": txn["vnp_OrderInfo"], "vnp_PromotionCode": "", "vnp_PromotionAmount": ""}
            answer.update(self.query_answer)
            secret = answer.pop("_secret", SECRET)
            return {**answer, "vnp_SecureHash": pipe_signature(answer, QUERY_ANSWER_HASH, secret)}
        # refund
        answer = {**base, "vnp_ResponseCode": self.refund_code,
                  "vnp_Message": "Refund success" if self.refund_code == "00" else "Refund refused",
                  "vnp_Amount": body.get("vnp_Amount", ""), "vnp_BankCode": "NCB", "vnp_PayDate": "",
                  "vnp_TransactionNo": body.get("vnp_TransactionNo", ""),
                  "vnp_TransactionType": body.get("vnp_TransactionType", ""), "vnp_TransactionStatus": "05",
                  "vnp_OrderInfo": body.get("vnp_OrderInfo", "")}
        return {**answer, "vnp_SecureHash": pipe_signature(answer, REFUND_ANSWER_HASH)}


def use_fake_vnpay(settings, bank: FakeBank) -> None:
    """Point the portal's VNPay at the fake bank, and offer only VNPay."""
    settings.PORTAL_VNPAY_TMN_CODE = TMN_CODE
    settings.PORTAL_VNPAY_HASH_SECRET = SECRET
    settings.PORTAL_VNPAY_PAYMENT_URL = bank.pay_url
    settings.PORTAL_VNPAY_API_URL = bank.api_url
    settings.PORTAL_VNPAY_TIMEOUT = 10
    settings.PORTAL_PAYMENT_PROVIDERS = ["vnpay"]
