"""Email through Django's email backend: the rendered text, and the same
text as simple HTML (paragraphs, links)."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string
from django.utils import translation

from core.observability import request_id_headers

from .sms import Refused, TemporaryError


def send_email(to: str, subject: str, body: str, language: str, attachments=()) -> str:
    """Send one email, with `attachments` as (file name, content, type);
    return its Message-ID as the provider's id. It carries the request id it
    is sent under (`X-Request-ID`), so a bounce or a complaint about it leads
    to the request's log lines."""
    message_id = make_msgid(domain="portal")
    with translation.override(language):
        html = render_to_string("notifications/email.html",
                                {"subject": subject, "body": body, "LANGUAGE_CODE": language})
    email = EmailMultiAlternatives(subject, body, to=[to], headers={"Message-ID": message_id, **request_id_headers()})
    email.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        email.attach(filename, content, mimetype)
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise Refused(f"recipient refused: {error.recipients}") from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise Refused(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
        raise TemporaryError(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryError(f"mail server: {error}") from error
    return message_id
