"""Emails to the applicant, sent by django-tasks, never inside a request.

When a dossier is submitted (its `submit` event is written by
`eforms.services.submit_dossier`), a receiver here enqueues
`send_dossier_receipt` once the transaction commits; the task renders the
summary in the dossier's language and attaches the receipt PDF (Circular
03/2025 form 01). The request only enqueues: with the database backend
(`PORTAL_TASKS_BACKEND=database`) `manage.py db_worker` sends it.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.observability import request_id_headers
from core.tasks import task
from eforms.models import Dossier, DossierEvent
from eforms.record import receipt_facts, receipt_filename, receipt_pdf, site_base_url

logger = logging.getLogger(__name__)
_state = threading.local()


@contextmanager
def receipts_suppressed():
    """Submit without emailing receipts (demo content, data imports)."""
    previous = getattr(_state, "suppressed", False)
    _state.suppressed = True
    try:
        yield
    finally:
        _state.suppressed = previous


def applicant_email(dossier: Dossier) -> str:
    """Where the applicant wants mail: the address at submission, else the account's."""
    snapshot = dossier.applicant_snapshot or {}
    return snapshot.get("email") or (dossier.applicant.email if dossier.applicant_id else "") or ""


@task()
def send_dossier_receipt(dossier_id: int, base_url: str = "") -> bool:
    """Email the applicant the dossier's summary with the receipt PDF attached.
    Returns False (and logs) when there is nobody to write to. Run twice (a
    requeued task), it sends the same receipt again: at least once, since
    the receipt is the applicant's proof of submission."""
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "agency__parent", "applicant")
        .filter(pk=dossier_id).first()
    )
    if dossier is None or not dossier.code:
        return False
    to = applicant_email(dossier)
    if not to:
        logger.info("Dossier %s: no email address for the receipt", dossier.code)
        return False
    base_url = base_url or site_base_url()
    language = dossier.language or translation.get_language()
    with translation.override(language):
        facts = receipt_facts(dossier, base_url)
        context = {
            "dossier": dossier,
            "facts": facts,
            "LANGUAGE_CODE": language,
            "detail_url": base_url.rstrip("/") + reverse("my_dossier", args=[dossier.code]),
        }
        subject = _("Dossier %(code)s received: %(procedure)s") % {
            "code": dossier.code, "procedure": dossier.procedure.title}
        text = render_to_string("eforms/record/email_receipt.txt", context)
        html = render_to_string("eforms/record/email_receipt.html", context)
        pdf = receipt_pdf(dossier, base_url, language)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[to], headers=request_id_headers())
    message.attach_alternative(html, "text/html")
    message.attach(receipt_filename(dossier), pdf, "application/pdf")
    message.send()
    return True


@receiver(post_save, sender=DossierEvent, dispatch_uid="eforms.notifications.submitted")
def _on_submitted(sender, instance: DossierEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """The one hook into submission: the `submit` event, once it commits."""
    if raw or not created or instance.action != "submit" or getattr(_state, "suppressed", False):
        return
    dossier_id = instance.dossier_id
    transaction.on_commit(lambda: enqueue_receipt(dossier_id))


def enqueue_receipt(dossier_id: int) -> None:
    """Enqueue the receipt email; a broken queue must not break the submission."""
    try:
        send_dossier_receipt.enqueue(dossier_id, site_base_url())
    except Exception:  # the dossier is saved; the email can be resent
        logger.exception("Could not send or enqueue the receipt of dossier %s", dossier_id)
