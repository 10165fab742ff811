"""VNPay 2.1.0 signing, against VNPay's own documented sample and hashes
computed here independently (hmac over literal strings)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest

from payments.providers import vnpay
from payments.providers.base import Outcome

# The sample payment URL of VNPay's documentation ("Tạo URL thanh toán",
# sandbox.vnpayment.vn/apis/docs/thanh-toan-pay/pay.html), without its hash:
# the parameters below must encode to exactly this string.
DOCS_QUERY = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND&vnp_IpAddr=127.0.0.1"
    "&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)
DOCS_PARAMS = {
    "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "DEMOV210", "vnp_Amount": "1806000",
    "vnp_CurrCode": "VND", "vnp_TxnRef": "5", "vnp_OrderInfo": "Thanh toan don hang :5", "vnp_OrderType": "other",
    "vnp_Locale": "vn", "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl", "vnp_IpAddr": "127.0.0.1",
    "vnp_CreateDate": "20210801153333",
}
SECRET = "SECRETKEYOFTHEMERCHANT0123456789"


def independent_hmac(data: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def test_the_documented_sample_encodes_byte_for_byte_and_signs_with_hmac_sha512():
    assert vnpay.hash_data(DOCS_PARAMS) == DOCS_QUERY
    assert vnpay.sign(SECRET, DOCS_QUERY) == independent_hmac(DOCS_QUERY)
    query = vnpay.signed_query(DOCS_PARAMS, SECRET)
    assert query == DOCS_QUERY + "&vnp_SecureHash=" + independent_hmac(DOCS_QUERY)
    assert "vnp_SecureHashType" not in query


def test_verify_accepts_the_signature_and_refuses_any_change():
    params = dict(parse_qsl(vnpay.signed_query(DOCS_PARAMS, SECRET)))
    assert vnpay.verify(params, SECRET)
    assert vnpay.verify({**params, "vnp_SecureHash": params["vnp_SecureHash"].upper()}, SECRET)
    # a 2.0-style hash type is not part of what is signed
    assert vnpay.verify({**params, "vnp_SecureHashType": "SHA512"}, SECRET)
    assert not vnpay.verify({**params, "vnp_Amount": "1806100"}, SECRET)
    assert not vnpay.verify(params, "another-secret")
    assert not vnpay.verify({k: v for k, v in params.items() if k != "vnp_SecureHash"}, SECRET)
    # the 2.0.x style (hash of the unencoded k=v&…) is not what VNPay 2.1.0 signs
    unencoded = "&".join(f"{k}={v}" for k, v in sorted(DOCS_PARAMS.items()))
    assert not vnpay.verify({**DOCS_PARAMS, "vnp_SecureHash": independent_hmac(unencoded)}, SECRET)


def fake_payment(**overrides):
    created = dt.datetime(2025, 7, 14, 1, 30, 5, tzinfo=dt.UTC)  # 08:30:05 in Hà Nội
    values = {"reference": "P20250714ABCDEFGHJK", "amount_vnd": 180_000, "created_at": created,
              "provider_reference": "", "dossier": SimpleNamespace(code="000.00.10.H30-250714-0001")}
    values.update(overrides)
    return SimpleNamespace(**values)


def provider(**overrides):
    return vnpay.VNPayProvider(tmn_code="TESTTMN1", secret=SECRET, payment_url="https://pay.example/vpcpay.html",
                               api_url="https://api.example/transaction", **overrides)


def test_payment_url_carries_what_vnpay_210_expects():
    url = provider().start(fake_payment(), return_url="https://dvc.example.vn/en/thanh-toan/x/",
                           client_ip="203.0.113.7", language="en")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://pay.example/vpcpay.html"
    params = dict(parse_qsl(parts.query))
    assert params["vnp_Version"] == "2.1.0" and params["vnp_Command"] == "pay"
    assert params["vnp_Amount"] == "18000000"  # VND × 100
    assert params["vnp_CurrCode"] == "VND" and params["vnp_TmnCode"] == "TESTTMN1"
    assert params["vnp_TxnRef"] == "P20250714ABCDEFGHJK"
    assert params["vnp_CreateDate"] == "20250714083005"  # GMT+7
    assert params["vnp_ExpireDate"] == "20250714084505"  # 15 minutes later
    assert params["vnp_Locale"] == "en" and params["vnp_IpAddr"] == "203.0.113.7"
    assert params["vnp_ReturnUrl"] == "https://dvc.example.vn/en/thanh-toan/x/"
    assert "vnp_SecureHashType" not in params
    # the hash is over the query as sent, minus the hash
    unsigned = parts.query.rsplit("&vnp_SecureHash=", 1)[0]
    assert params["vnp_SecureHash"] == independent_hmac(unsigned)
    assert list(dict(parse_qsl(unsigned))) == sorted(dict(parse_qsl(unsigned)))


def test_order_info_is_ascii_without_diacritics():
    url = provider().start(fake_payment(), return_url="https://x/", client_ip="127.0.0.1", language="vi")
    info = dict(parse_qsl(urlsplit(url).query))["vnp_OrderInfo"]
    assert info == "Thanh toan phi le phi ho so 000 00 10 H30 250714 0001"
    assert vnpay.order_info("Đăng ký hộ kinh doanh ~ “Phở Hà Nội” 50%") == "Dang ky ho kinh doanh Pho Ha Noi 50"
    assert dict(parse_qsl(urlsplit(url).query))["vnp_Locale"] == "vn"


def test_an_ipn_is_read_as_vnpay_means_it():
    answer = {"vnp_Amount": "18000000", "vnp_BankCode": "NCB", "vnp_PayDate": "20250714083512",
              "vnp_ResponseCode": "00", "vnp_TmnCode": "TESTTMN1", "vnp_TransactionNo": "14512345",
              "vnp_TransactionStatus": "00", "vnp_TxnRef": "P20250714ABCDEFGHJK"}
    data = vnpay.hash_data(answer)
    result = provider().parse_notification({**answer, "vnp_SecureHash": independent_hmac(data)})
    assert result.verified and result.success and not result.cancelled
    assert result.amount_vnd == 180_000 and result.provider_reference == "14512345"
    assert result.paid_at == dt.datetime(2025, 7, 14, 1, 35, 12, tzinfo=dt.UTC)
    # ResponseCode 00 alone is not success
    pending = {**answer, "vnp_TransactionStatus": "01"}
    assert not provider().parse_notification(
        {**pending, "vnp_SecureHash": independent_hmac(vnpay.hash_data(pending))}).success
    cancelled = {**answer, "vnp_ResponseCode": "24", "vnp_TransactionStatus": "02"}
    result = provider().parse_notification({**cancelled, "vnp_SecureHash": independent_hmac(vnpay.hash_data(cancelled))})
    assert result.verified and result.cancelled and not result.success
    # another merchant's code, even well signed, is not ours
    other = {**answer, "vnp_TmnCode": "OTHER001"}
    assert not provider().parse_notification({**other, "vnp_SecureHash": independent_hmac(vnpay.hash_data(other))}).verified
    # an amount that is not whole đồng is no amount
    odd = {**answer, "vnp_Amount": "18000050"}
    assert provider().parse_notification({**odd, "vnp_SecureHash": independent_hmac(vnpay.hash_data(odd))}).amount_vnd is None


@pytest.mark.parametrize(("outcome", "code", "message"), [
    (Outcome.CONFIRMED, "00", "Confirm Success"),
    (Outcome.NOT_FOUND, "01", "Order not found"),
    (Outcome.ALREADY, "02", "Order already confirmed"),
    (Outcome.INVALID_AMOUNT, "04", "invalid amount"),
    (Outcome.INVALID_SIGNATURE, "97", "Invalid signature"),
    (Outcome.ERROR, "99", "Unknow error"),
])
def test_ipn_answers_are_vnpays_json(outcome, code, message):
    response = provider().notification_response(outcome)
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"RspCode": code, "Message": message}


def test_querydr_and_refund_requests_are_signed_over_the_pipe_joined_values():
    payment = fake_payment(provider_reference="14512345")
    body = provider().query_body(payment)
    assert body["vnp_Command"] == "querydr" and body["vnp_TransactionDate"] == "20250714083005"
    assert len(body["vnp_RequestId"]) <= 32
    joined = "|".join(body[k] for k in ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                                        "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo"))
    assert body["vnp_SecureHash"] == independent_hmac(joined)

    full = provider().refund_body(payment, 180_000, actor_label="Trần Thị Bích")
    partial = provider().refund_body(fake_payment(), 50_000, actor_label="Lê Văn C")
    assert full["vnp_TransactionType"] == "02" and partial["vnp_TransactionType"] == "03"
    assert full["vnp_Amount"] == "18000000" and partial["vnp_Amount"] == "5000000"
    assert full["vnp_TransactionNo"] == "14512345" and partial["vnp_TransactionNo"] == "0"
    assert full["vnp_CreateBy"] == "Tran Thi Bich"
    joined = "|".join(full[k] for k in (
        "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
        "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate", "vnp_IpAddr",
        "vnp_OrderInfo"))
    assert full["vnp_SecureHash"] == independent_hmac(joined)
    assert provider().supports_refund
