"""Making the messages of an event, and delivering one message once.

The `Message` row is the truth; tasks only wake it up. One delivery attempt:

1. claim: one conditional UPDATE moves the row from `queued` (with
   `attempts == attempt - 1`) to `sending` and counts the attempt. It is
   committed before anything is sent, so a second run of the same task, or
   a duplicate wake-up, finds nothing to claim and sends nothing;
2. send through the email backend or the SMS gateway;
3. record: `sent` with the provider's id; a refusal → `failed` (never
   retried); a temporary error → back to `queued` with `next_attempt_at`
   after an exponential backoff, or `failed` after PORTAL_MESSAGE_MAX_ATTEMPTS.

The crash window: a worker that dies between 1 and 3 leaves the row
`sending`. `manage.py retry_messages` requeues rows `sending` for longer
than PORTAL_MESSAGE_SENDING_TIMEOUT_MINUTES. If the gateway had accepted
the message before the crash, it is sent again: at-least-once at the
gateway for that window only, exactly-once otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from core.observability import current_request_id, request_id_context
from core.text import to_ascii
from eforms.documents import event_attachments
from eforms.models import DossierEvent
from eforms.notifications import applicant_email

from .events import Channel, announcement
from .mail import send_email
from .models import Message, MessageState, MessageTemplate
from .rendering import event_values
from .sms import Refused, TemporaryError, get_backend

logger = logging.getLogger(__name__)

#: The longest wait between two attempts, whatever the settings say.
MAX_BACKOFF = dt.timedelta(days=1)


# ---------------------------------------------------------------- making messages


def message_language(dossier) -> str:
    """The dossier's language as one of the portal's languages."""
    codes = [code for code, _name in settings.LANGUAGES]
    language = (dossier.language or "").lower().split("-")[0]
    return language if language in codes else settings.LANGUAGE_CODE


def recipient(dossier, channel: str) -> str:
    """Where this channel reaches the applicant; empty when it does not.
    SMS needs a phone and the applicant's consent (`sms_consent` in the
    snapshot; missing means no)."""
    if channel == Channel.EMAIL:
        return applicant_email(dossier).strip()
    snapshot = dossier.applicant_snapshot or {}
    if snapshot.get("sms_consent") is not True:
        return ""
    return str(snapshot.get("phone") or dossier.applicant_phone or "").strip()


def find_template(kind: str, channel: str, language: str) -> MessageTemplate | None:
    templates = {t.language: t for t in MessageTemplate.objects.filter(kind=kind, channel=channel)}
    return templates.get(language) or templates.get(settings.LANGUAGE_CODE)


def create_messages(event_id: int, now: dt.datetime | None = None) -> list[Message]:
    """The messages announcing this event, rendered and queued; those made
    by an earlier call are not made again. Returns the new ones. Each keeps
    the request id it was made under (the request that changed the dossier)."""
    event = DossierEvent.objects.select_related(
        "dossier", "dossier__procedure", "dossier__agency", "dossier__applicant"
    ).filter(pk=event_id).first()
    found = announcement(event.action) if event is not None else None
    if found is None:
        return []
    kind, channels = found
    dossier = event.dossier
    language = message_language(dossier)
    now = now or timezone.now()
    values = None
    created = []
    rid = current_request_id()
    for channel in channels:
        to = recipient(dossier, channel)
        if not to:
            continue
        template = find_template(kind, channel, language)
        if template is None:
            logger.warning("No %s template for %s in %s: dossier %s not told", channel, kind, language, dossier)
            continue
        values = values or event_values(dossier, event, language, settings.WAGTAILADMIN_BASE_URL)
        subject, body = template.render(values)
        if channel == Channel.SMS and settings.PORTAL_SMS_ASCII:
            body = to_ascii(body)
        message, is_new = Message.objects.get_or_create(
            event=event, channel=channel,
            defaults={"dossier": dossier, "kind": kind, "language": template.language, "recipient": to,
                      "subject": subject, "body": body, "next_attempt_at": now,
                      "request_id": rid if rid != "-" else ""},
        )
        if is_new:
            created.append(message)
    return created


# ---------------------------------------------------------------- delivering


@dataclass(frozen=True)
class Outcome:
    state: str  # the message's state after this run, or "skipped"
    retry_at: dt.datetime | None = None
    next_attempt: int | None = None


SKIPPED = Outcome("skipped")


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base…"""
    seconds = settings.PORTAL_MESSAGE_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


def claim(message_id: int, attempt: int, now: dt.datetime) -> bool:
    return bool(
        Message.objects.filter(pk=message_id, state=MessageState.QUEUED, attempts=attempt - 1).update(
            state=MessageState.SENDING, attempts=F("attempts") + 1, sending_since=now, updated_at=now
        )
    )


def send(message: Message) -> str:
    """An email announcing an issued document carries its PDF (read from
    private storage at each attempt, not copied into the message row)."""
    if message.channel == Channel.EMAIL:
        return send_email(message.recipient, message.subject, message.body, message.language,
                          attachments=event_attachments(message.event))
    return get_backend().send(message.recipient, message.body)


def attempt_delivery(message_id: int, attempt: int, now: dt.datetime | None = None) -> Outcome:
    """Try to deliver the message once, if this `attempt` is still due.
    Must run outside a transaction, so the claim is committed before sending.
    Runs under the request id that made the message, whoever woke it up."""
    now = now or timezone.now()
    if not claim(message_id, attempt, now):
        return SKIPPED
    message = Message.objects.get(pk=message_id)
    with request_id_context(message.request_id):
        outcome = _deliver(message, attempt, now)
    return outcome


def _deliver(message: Message, attempt: int, now: dt.datetime) -> Outcome:
    message_id = message.pk
    try:
        provider_id = send(message)
    except Refused as error:
        return _finish(message, MessageState.FAILED, now, last_error=str(error)[:2000])
    except TemporaryError as error:
        return _retry_or_fail(message, str(error), now)
    except Exception as error:  # a bug or an unexpected backend error: retried like a temporary one
        logger.exception("Message %s: unexpected delivery error", message_id)
        return _retry_or_fail(message, f"{type(error).__name__}: {error}", now)
    # Sent: also when the row was requeued meanwhile (stale), so it is not sent twice.
    Message.objects.filter(pk=message_id, state__in=[MessageState.SENDING, MessageState.QUEUED]).update(
        state=MessageState.SENT, sent_at=timezone.now(), provider_message_id=provider_id[:255], last_error="",
        next_attempt_at=None, sending_since=None, updated_at=timezone.now(),
    )
    logger.info("Message %s (%s, %s) sent, attempt %s", message_id, message.channel, message.kind, attempt)
    return Outcome(MessageState.SENT)


def _finish(message: Message, state: str, now, **fields) -> Outcome:
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING, attempts=message.attempts).update(
        state=state, sending_since=None, next_attempt_at=None, updated_at=now, **fields
    )
    return Outcome(state)


def _retry_or_fail(message: Message, error: str, now) -> Outcome:
    if message.attempts >= settings.PORTAL_MESSAGE_MAX_ATTEMPTS:
        logger.warning("Message %s failed after %s attempts: %s", message.pk, message.attempts, error)
        return _finish(message, MessageState.FAILED, now, last_error=error[:2000])
    retry_at = now + backoff(message.attempts)
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING, attempts=message.attempts).update(
        state=MessageState.QUEUED, sending_since=None, next_attempt_at=retry_at, last_error=error[:2000],
        updated_at=now,
    )
    return Outcome(MessageState.QUEUED, retry_at=retry_at, next_attempt=message.attempts + 1)


# ---------------------------------------------------------------- the sweeper


def requeue_stale(now: dt.datetime | None = None) -> list[Message]:
    """Rows left `sending` by a worker that died: queued again (or failed
    when out of attempts). Returns the requeued ones."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.PORTAL_MESSAGE_SENDING_TIMEOUT_MINUTES)
    requeued = []
    for message in Message.objects.filter(state=MessageState.SENDING, sending_since__lt=cutoff):
        error = "interrupted while sending; it may have reached the recipient"
        if message.attempts >= settings.PORTAL_MESSAGE_MAX_ATTEMPTS:
            _finish(message, MessageState.FAILED, now, last_error=error)
            continue
        if Message.objects.filter(pk=message.pk, state=MessageState.SENDING, attempts=message.attempts).update(
            state=MessageState.QUEUED, sending_since=None, next_attempt_at=now, last_error=error, updated_at=now
        ):
            message.refresh_from_db()
            requeued.append(message)
    return requeued


def due(now: dt.datetime | None = None):
    """Queued messages whose next attempt is due."""
    now = now or timezone.now()
    return Message.objects.filter(state=MessageState.QUEUED, next_attempt_at__lte=now).order_by("next_attempt_at")
