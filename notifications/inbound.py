"""Look-up by SMS (seed 003; issue 16, point 8): a citizen texts
`HS <dossier code> <last 4 digits of the applicant's phone>` to the
portal's number; the SMS gateway POSTs the message to `/sms/inbound/`
(`notifications.views_inbound`), and the portal answers through the SMS
backend with the status, the agency and the appointment date, never
anything personal.

* The gateway is one the operator configures (settings
  `PORTAL_SMS_INBOUND_*`, README "Messages to applicants"): form-encoded
  or JSON body, which fields hold the sender, the text and the message id,
  and how the request is authenticated (an HMAC-SHA256 of the body, or a
  secret token, in a header). Without a secret every request is refused.
* The command is read case-insensitively, with any spacing, with or
  without diacritics (`hs`, `HS`, `Hồ sơ`, `ho so`).
* Finding, what the public may see and the throttles are the status
  look-up's (`eforms.lookup`): "not found" and "does not match" get the
  same answer; failures count against the dossier code as on the page,
  and each sender number has its own limit. Over a limit nothing is looked
  up and the sender gets one short answer per window, then silence.
* Replies are in the portal's language (Vietnamese), without diacritics
  when PORTAL_SMS_ASCII is on or the gateway asks for it.
* Every message is logged (`InboundSms`, sender and digits masked) for staff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.masking import MASK, mask_phone
from accounts.validators import normalise_phone
from core.tasks import task
from core.text import to_ascii
from eforms.lookup import RATE_PER_CODE, find_by_code_and_phone_ending, hit, limited, public_view

from .models import InboundOutcome, InboundSms, MessageState
from .sms import DeliveryError, get_backend

logger = logging.getLogger(__name__)

#: Dossier codes as the look-up page accepts them (eforms.views.lookup).
CODE_RE = re.compile(r"^[0-9A-Z.\-]{6,64}$")
#: `HS <code> <4 digits>` once folded to lower-case ASCII; "ho so" is "hồ sơ" typed out.
COMMAND_RE = re.compile(r"^(?:hs|ho\s+so)\s*[:.]?\s+(\S+?)[,;.]?\s+(\d{4})[.!]?$")
MAX_TEXT = 480
ASCII_VALUES = {"1", "true", "yes", "ascii", "gsm", "gsm7", "gsm-7"}


class BadPayload(ValueError):
    """The request is not a message in the configured format."""


@dataclass(frozen=True)
class Incoming:
    sender: str
    text: str
    message_id: str = ""
    wants_ascii: bool = False


@dataclass(frozen=True)
class Command:
    code: str
    phone_ending: str


# ---------------------------------------------------------------- the gateway's request


def signature_ok(body: bytes, header_value: str) -> bool:
    """The request carries the shared secret's proof: an HMAC-SHA256 of the
    raw body (hex, optionally prefixed `sha256=`), or the token itself."""
    secret = settings.PORTAL_SMS_INBOUND_SECRET or ""
    given = (header_value or "").strip()
    if not secret or not given:
        return False
    mode = settings.PORTAL_SMS_INBOUND_AUTH
    if mode == "token":
        return hmac.compare_digest(given.encode(), secret.encode())
    if mode != "hmac":
        logger.error("PORTAL_SMS_INBOUND_AUTH must be 'hmac' or 'token', not %r: inbound SMS refused", mode)
        return False
    if given.lower().startswith("sha256="):
        given = given[len("sha256="):]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given.lower().encode(), expected.encode())


def field_value(document, path: str):
    """`a.b.0.c` in a parsed JSON document; None when absent."""
    current = document
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def parse_payload(content_type: str, body: bytes, form) -> Incoming:
    """The message in the gateway's request, in the configured format."""
    if settings.PORTAL_SMS_INBOUND_FORMAT == "json":
        try:
            document = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise BadPayload("the body is not JSON") from error

        def get(name):
            return field_value(document, name) if name else None
    else:

        def get(name):
            return form.get(name) if name else None

    sender = get(settings.PORTAL_SMS_INBOUND_FIELD_SENDER)
    text = get(settings.PORTAL_SMS_INBOUND_FIELD_TEXT)
    if not isinstance(sender, str | int) or not str(sender).strip():
        raise BadPayload("no sender")
    if not isinstance(text, str):
        raise BadPayload("no text")
    message_id = get(settings.PORTAL_SMS_INBOUND_FIELD_ID)
    wants_ascii = get(settings.PORTAL_SMS_INBOUND_FIELD_ASCII)
    return Incoming(
        sender=str(sender).strip()[:32],
        text=text[:MAX_TEXT],
        message_id=str(message_id).strip()[:100] if isinstance(message_id, str | int) else "",
        wants_ascii=str(wants_ascii).strip().lower() in ASCII_VALUES if wants_ascii is not None else False,
    )


# ---------------------------------------------------------------- reading the command


def parse_command(text: str) -> Command | None:
    folded = " ".join(to_ascii(text or "").lower().split())
    match = COMMAND_RE.fullmatch(folded)
    if match is None:
        return None
    code = match.group(1).upper()
    if not CODE_RE.fullmatch(code):
        return None
    return Command(code=code, phone_ending=match.group(2))


def mask_text(text: str) -> str:
    """The text for the log: every number that is not a dossier code (all
    digits and separators) has its digits masked."""
    words = []
    for word in (text or "").split():
        if re.fullmatch(r"\+?[\d().\-]+", word) and sum(c.isdigit() for c in word) >= 3:
            word = re.sub(r"\d", MASK, word)
        words.append(word)
    return " ".join(words)[:200]


# ---------------------------------------------------------------- the answers


def status_text(dossier) -> str:
    shown = public_view(dossier)
    parts = [_("Dossier %(code)s: %(status)s.") % {"code": shown.code, "status": shown.status},
             _("Agency: %(agency)s.") % {"agency": shown.agency}]
    if shown.returned_at:
        parts.append(_("Result returned on %(date)s.") % {"date": shown.returned_at.strftime("%d/%m/%Y")})
    elif shown.appointment:
        parts.append(_("Appointment: %(date)s.") % {"date": shown.appointment.strftime("%d/%m/%Y")})
    return " ".join(parts)


def not_found_text() -> str:
    # The same words whether the code is unknown or the digits do not match.
    return _("No dossier matches this code and phone number. Check the code on your receipt.")


def help_text() -> str:
    return _("To look up a dossier, send: HS <dossier code> <last 4 digits of the applicant's phone>. "
             "Example: HS 000.00.00.H30-261122-0001 5678")


def limited_text() -> str:
    return _("Too many messages. Please try again later.")


def sender_limit() -> tuple[int, int]:
    attempts, seconds = settings.PORTAL_SMS_INBOUND_RATE_PER_SENDER
    return int(attempts), int(seconds)


# ---------------------------------------------------------------- handling one message


def answer(incoming: Incoming) -> tuple[str, str, str]:
    """(outcome, reply, dossier code) for one message, applying the limits.
    The reply is empty when nothing is to be sent."""
    sender_key = normalise_phone(incoming.sender) or incoming.sender
    rate = sender_limit()
    command = parse_command(incoming.text)
    code = command.code if command else ""

    def over_limit():
        # one short answer per window, then silence
        told = hit("sms-limit-told", sender_key, (1, rate[1]))
        return InboundOutcome.LIMITED, (limited_text() if told else ""), code

    if limited("sms-sender", sender_key, rate):
        return over_limit()
    hit("sms-sender", sender_key, rate)
    if command is None:
        return InboundOutcome.HELP, help_text(), ""
    if limited("code", command.code, RATE_PER_CODE):
        return over_limit()
    found = find_by_code_and_phone_ending(command.code, command.phone_ending)
    if not found:
        hit("code", command.code, RATE_PER_CODE)
        return InboundOutcome.NOT_FOUND, not_found_text(), code
    return InboundOutcome.ANSWERED, status_text(found[0]), code


def handle(incoming: Incoming) -> InboundSms | None:
    """Answer one message and log it; None when the gateway sent the same
    message (same id) again: it was answered already."""
    if incoming.message_id and InboundSms.objects.filter(gateway_message_id=incoming.message_id).exists():
        return None
    with translation.override(settings.LANGUAGE_CODE):
        outcome, reply, code = answer(incoming)
    if reply and (incoming.wants_ascii or settings.PORTAL_SMS_ASCII):
        reply = to_ascii(reply)
    try:
        with transaction.atomic():
            log = InboundSms.objects.create(
                gateway_message_id=incoming.message_id, sender=mask_phone(normalise_phone(incoming.sender)),
                text=mask_text(incoming.text), dossier_code=code, outcome=outcome, reply=reply,
                reply_state=MessageState.QUEUED if reply else "",
            )
    except IntegrityError:  # the same message, arrived twice at once
        return None
    if reply:
        send_inbound_reply.enqueue(log.pk, incoming.sender)
    return log


@task()
def send_inbound_reply(inbound_id: int, to: str) -> str:
    """Send the reply of one logged message (one attempt: an answer that
    comes much later is of little use; the log says what failed). The reply
    is claimed (queued → sending) before it is sent, so a second run of the
    task sends nothing; a worker killed mid-send leaves it "sending"."""
    if not InboundSms.objects.filter(pk=inbound_id, reply_state=MessageState.QUEUED).update(
            reply_state=MessageState.SENDING):
        return "skipped"
    log = InboundSms.objects.get(pk=inbound_id)
    try:
        provider_id = get_backend().send(to, log.reply)
    except DeliveryError as error:
        logger.warning("Reply to inbound SMS %s not sent: %s", inbound_id, error)
        InboundSms.objects.filter(pk=inbound_id).update(reply_state=MessageState.FAILED, last_error=str(error)[:2000])
        return MessageState.FAILED
    InboundSms.objects.filter(pk=inbound_id).update(reply_state=MessageState.SENT, provider_message_id=provider_id)
    return MessageState.SENT
