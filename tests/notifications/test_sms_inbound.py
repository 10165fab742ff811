"""Look-up by SMS (issue 16, point 8): the gateway POSTs a message to
/sms/inbound/, signed; the portal answers through the SMS backend (the file
backend in tests) with the status, never personal data; "not found" and
"does not match" read the same; limits per sender number and per code."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import translation

from eforms import lifecycle
from eforms import lookup as lookup_module
from eforms.models import DossierStatus
from notifications import inbound
from notifications.models import InboundOutcome, InboundSms
from notifications.sms import SmsBackend, TemporaryError
from tests.notifications.helpers import clear_sms_file, make_dossier, sms_lines

SECRET = "a-shared-secret-of-the-gateway"
CITIZEN = "0912345678"  # make_citizen's phone: ends with 5678
SENDER = "+84987654321"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def gateway(settings):
    settings.PORTAL_SMS_INBOUND_SECRET = SECRET
    settings.PORTAL_SMS_INBOUND_AUTH = "hmac"
    settings.PORTAL_SMS_INBOUND_HEADER = "X-Signature"
    settings.PORTAL_SMS_INBOUND_FORMAT = "form"
    settings.PORTAL_SMS_INBOUND_FIELD_SENDER = "from"
    settings.PORTAL_SMS_INBOUND_FIELD_TEXT = "text"
    settings.PORTAL_SMS_INBOUND_FIELD_ID = "id"
    settings.PORTAL_SMS_INBOUND_FIELD_ASCII = ""
    settings.PORTAL_SMS_INBOUND_RATE_PER_SENDER = (5, 3600)
    settings.PORTAL_SMS_ASCII = False
    settings.PORTAL_SMS_BACKEND = "file"
    clear_sms_file()
    yield settings
    clear_sms_file()


@pytest.fixture
def dossier(home_page):
    dossier, staff = make_dossier()
    lifecycle.receive(dossier, staff)
    dossier.refresh_from_db()
    clear_sms_file()
    return dossier


def sign(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def post_form(client, text: str, sender: str = SENDER, message_id: str = "", signature: str | None = None, **extra):
    body = urlencode({"from": sender, "text": text, "id": message_id, **extra})
    signature = sign(body.encode()) if signature is None else signature
    headers = {"HTTP_X_SIGNATURE": signature} if signature else {}
    return client.post(reverse("sms_inbound"), data=body, content_type="application/x-www-form-urlencoded",
                       **headers)


def replies(to: str = SENDER) -> list[str]:
    return [line["text"] for line in sms_lines() if line["to"] == to]


def only_reply(to: str = SENDER) -> str:
    sent = replies(to)
    assert len(sent) == 1, sent
    clear_sms_file()
    return sent[0]


# ---------------------------------------------------------------- authentication


def test_an_unsigned_or_badly_signed_message_is_refused(client, dossier):
    text = f"HS {dossier.code} 5678"
    assert post_form(client, text, signature="").status_code == 403
    assert post_form(client, text, signature="0" * 64).status_code == 403
    assert post_form(client, text, signature=sign(b"another body")).status_code == 403
    assert client.get(reverse("sms_inbound")).status_code == 405
    assert sms_lines() == [] and not InboundSms.objects.exists()


def test_without_a_configured_secret_everything_is_refused(client, dossier, settings):
    settings.PORTAL_SMS_INBOUND_SECRET = ""
    body = urlencode({"from": SENDER, "text": f"HS {dossier.code} 5678"})
    unkeyed = hmac.new(b"", body.encode(), hashlib.sha256).hexdigest()
    assert post_form(client, f"HS {dossier.code} 5678", signature=unkeyed).status_code == 403
    assert sms_lines() == []


def test_a_secret_token_header_instead_of_a_signature(client, dossier, settings):
    settings.PORTAL_SMS_INBOUND_AUTH = "token"
    settings.PORTAL_SMS_INBOUND_HEADER = "X-Gateway-Token"
    body = urlencode({"from": SENDER, "text": f"HS {dossier.code} 5678"})
    url = reverse("sms_inbound")
    ctype = "application/x-www-form-urlencoded"
    assert client.post(url, data=body, content_type=ctype, HTTP_X_GATEWAY_TOKEN="wrong").status_code == 403
    assert client.post(url, data=body, content_type=ctype, HTTP_X_SIGNATURE=sign(body.encode())).status_code == 403
    response = client.post(url, data=body, content_type=ctype, HTTP_X_GATEWAY_TOKEN=SECRET)
    assert response.status_code == 200
    assert dossier.code in only_reply()


# ---------------------------------------------------------------- answers


def test_the_status_is_answered_without_personal_data(client, dossier):
    response = post_form(client, f"HS {dossier.code} 5678", message_id="gw-1")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    reply = only_reply()
    with translation.override("vi"):
        status = str(DossierStatus(dossier.status).label)
    assert dossier.code in reply and status in reply
    assert "Sở Tư pháp" in reply
    assert dossier.appointment_date.strftime("%d/%m/%Y") in reply
    for personal in (dossier.applicant_name, dossier.applicant_id_number, CITIZEN, "5678"):
        assert personal not in reply
    log = InboundSms.objects.get()
    assert log.outcome == InboundOutcome.ANSWERED and log.reply == reply and log.reply_state == "sent"
    assert log.dossier_code == dossier.code and log.gateway_message_id == "gw-1"
    # the log keeps no whole number
    assert "987654321" not in log.sender and "5678" not in log.text
    assert log.text.startswith(f"HS {dossier.code} ")


def test_the_command_is_read_with_any_case_spacing_and_diacritics(client, dossier):
    for text in (f"hs {dossier.code.lower()} 5678", f"  Hs   {dossier.code}   5678  ", f"Hồ sơ {dossier.code} 5678",
                 f"HỒ SƠ {dossier.code} 5678."):
        post_form(client, text)
        assert dossier.code in only_reply(), text
    assert set(InboundSms.objects.values_list("outcome", flat=True)) == {InboundOutcome.ANSWERED}


def test_json_gateway_with_nested_fields(client, dossier, settings):
    settings.PORTAL_SMS_INBOUND_FORMAT = "json"
    settings.PORTAL_SMS_INBOUND_FIELD_SENDER = "message.from"
    settings.PORTAL_SMS_INBOUND_FIELD_TEXT = "message.body"
    settings.PORTAL_SMS_INBOUND_FIELD_ID = "message.id"
    body = json.dumps({"message": {"from": SENDER, "body": f"hs {dossier.code} 5678", "id": 42}}).encode()
    response = client.post(reverse("sms_inbound"), data=body, content_type="application/json",
                           HTTP_X_SIGNATURE="sha256=" + sign(body))
    assert response.status_code == 200
    assert dossier.code in only_reply()
    assert InboundSms.objects.get().gateway_message_id == "42"
    # not JSON, or no text: a clear 400, nothing sent
    bad = b"from=1&text=2"
    assert client.post(reverse("sms_inbound"), data=bad, content_type="application/json",
                       HTTP_X_SIGNATURE=sign(bad)).status_code == 400
    empty = json.dumps({"message": {"from": SENDER}}).encode()
    response = client.post(reverse("sms_inbound"), data=empty, content_type="application/json",
                           HTTP_X_SIGNATURE=sign(empty))
    assert response.status_code == 400 and response.json()["detail"] == "no text"
    assert sms_lines() == []


def test_not_found_and_not_matching_read_the_same(client, dossier):
    post_form(client, "HS 000.00.00.H99-010101-9999 5678")
    unknown = only_reply()
    post_form(client, f"HS {dossier.code} 1234")
    mismatch = only_reply()
    assert unknown == mismatch
    assert dossier.code not in mismatch
    assert list(InboundSms.objects.values_list("outcome", flat=True)) == [InboundOutcome.NOT_FOUND] * 2


def test_an_unknown_command_gets_the_help(client, dossier):
    for text in ("xin chao", f"HS {dossier.code}", "HS", f"TC {dossier.code} 5678"):
        post_form(client, text)
        assert "HS <" in only_reply(), text
    assert set(InboundSms.objects.values_list("outcome", flat=True)) == {InboundOutcome.HELP}


def test_replies_without_diacritics_when_the_setting_or_the_gateway_asks(client, dossier, settings):
    post_form(client, f"HS {dossier.code} 5678")
    with_marks = only_reply()
    assert not with_marks.isascii()  # the agency's name: Sở Tư pháp
    settings.PORTAL_SMS_ASCII = True
    post_form(client, f"HS {dossier.code} 5678")
    plain = only_reply()
    assert plain.isascii() and "So Tu phap" in plain
    settings.PORTAL_SMS_ASCII = False
    settings.PORTAL_SMS_INBOUND_FIELD_ASCII = "charset"
    post_form(client, f"HS {dossier.code} 5678", charset="GSM7")
    assert only_reply() == plain
    post_form(client, f"HS {dossier.code} 5678", charset="ucs2")
    assert only_reply() == with_marks


def test_a_message_the_gateway_sends_twice_is_answered_once(client, dossier):
    assert post_form(client, f"HS {dossier.code} 5678", message_id="dup-1").status_code == 200
    response = post_form(client, f"HS {dossier.code} 5678", message_id="dup-1")
    assert response.status_code == 200 and response.json()["duplicate"] is True
    assert len(replies()) == 1 and InboundSms.objects.count() == 1


class DownGateway(SmsBackend):
    def send(self, to, text):
        raise TemporaryError("gateway down")


def test_a_failed_reply_is_logged(client, dossier, settings):
    settings.PORTAL_SMS_BACKEND = f"{__name__}.DownGateway"
    assert post_form(client, f"HS {dossier.code} 5678").status_code == 200
    log = InboundSms.objects.get()
    assert log.reply_state == "failed" and log.last_error == "gateway down"


# ---------------------------------------------------------------- limits


def test_rate_limit_per_sender_with_one_short_answer_then_silence(client, dossier, settings, monkeypatch):
    settings.PORTAL_SMS_INBOUND_RATE_PER_SENDER = (3, 3600)
    start = 1_900_000_000.0 - (1_900_000_000.0 % 3600)
    monkeypatch.setattr(lookup_module, "clock", lambda: start + 10)
    for _ in range(3):
        post_form(client, f"HS {dossier.code} 5678")
        assert dossier.code in only_reply()
    looked_up = []
    monkeypatch.setattr(inbound, "find_by_code_and_phone_ending", lambda *a: looked_up.append(a) or [])
    post_form(client, f"HS {dossier.code} 5678")
    limited = only_reply()
    assert dossier.code not in limited
    post_form(client, f"HS {dossier.code} 5678")
    post_form(client, "xin chao")
    assert replies() == [] and looked_up == []
    assert list(InboundSms.objects.values_list("outcome", flat=True)[:3]) == [InboundOutcome.LIMITED] * 3
    # another number is not affected
    post_form(client, "xin chao", sender="0977000111")
    assert "HS <" in only_reply("0977000111")
    # the next window answers again
    monkeypatch.undo()
    monkeypatch.setattr(lookup_module, "clock", lambda: start + 3600 + 10)
    post_form(client, f"HS {dossier.code} 5678")
    assert dossier.code in only_reply()


def test_failures_count_against_the_code_from_any_number(client, dossier, monkeypatch):
    monkeypatch.setattr(lookup_module, "clock", lambda: time.time())
    attempts, _seconds = lookup_module.RATE_PER_CODE
    for number in range(attempts):
        post_form(client, f"HS {dossier.code} {1000 + number}", sender=f"09120000{number:02d}")
    clear_sms_file()
    post_form(client, f"HS {dossier.code} 5678", sender="0933000000")
    reply = only_reply("0933000000")
    assert reply == inbound.limited_text()
    assert InboundSms.objects.first().outcome == InboundOutcome.LIMITED


# ---------------------------------------------------------------- the admin


def test_staff_see_the_masked_log_in_the_admin(client, dossier, admin_client_with_second_factor):
    post_form(client, f"HS {dossier.code} 5678")
    response = admin_client_with_second_factor.get(reverse("sms_received:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html and "987654321" not in html
    log = InboundSms.objects.get()
    assert admin_client_with_second_factor.get(reverse("sms_received:inspect", args=[log.pk])).status_code == 200
    assert admin_client_with_second_factor.get(reverse("sms_received:edit", args=[log.pk])).status_code in (302, 403)
