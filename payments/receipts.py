"""The e-receipt (biên lai điện tử) of a paid payment.

A receipt is made once per paid payment, the first time anyone asks for it
(the applicant in My dossiers, staff in the admin), and stored: the facts
it printed (`PaymentReceipt.data`, in the dossier's language) and its PDF in
private storage with its SHA-256, so every later download is the same file.
Its number is `BL-<our reference>`: our reference is unique, so the number
is too, and it is known before the PDF is made, whoever makes it first; it
is also written once to `Payment.receipt_number`.

The PDF is laid out like the Circular 03/2025 documents (`eforms.documents`):
the body `payments/receipt.html` inside `eforms/documents/pdf.html`, made by
xhtml2pdf with the embedded DejaVu Serif, so Vietnamese prints and can be
copied out.

Who may read a receipt is the caller's business; `applicant_receipt_pdf`
below serves the applicant's own (anyone else gets 404), the admin view
serves staff within `payments.payment_scope`.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.masking import mask_id_number
from eforms import documents, record
from eforms.localized import localized_attr

from .models import Payment, PaymentReceipt, PaymentState
from .reconciliation import provider_label
from .services import record_event

__all__ = [
    "ReceiptError", "applicant_receipt_url", "ensure_receipt", "format_vnd", "read_receipt", "receipt_number",
    "receipt_response",
]

RECEIPT_ACTION = "receipt_issued"


class ReceiptError(Exception):
    """No receipt can be made for this payment (it is not paid)."""


def receipt_number(payment: Payment) -> str:
    return payment.receipt_number or f"BL-{payment.reference}"


def format_vnd(amount: int | None) -> str:
    """An amount in đồng, grouped the active language's way: "1.200.000 đồng"."""
    if amount is None:
        return ""
    # Django's vi formats set no NUMBER_GROUPING (as procedures' fee_display says)
    figures = f"{amount:,}".replace(",", formats.get_format("THOUSAND_SEPARATOR"))
    return _("%(amount)s VND") % {"amount": figures}


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i d/m/Y") if moment else ""


def receipt_facts(payment: Payment, number: str, issued_at) -> dict:
    """What the receipt prints, in the active language."""
    dossier = payment.dossier
    agency = dossier.agency
    parent = agency.parent if agency is not None else None
    applicant = dossier.applicant_snapshot or {}
    notice = payment.notice
    items = [{"name": item.name, "payer": item.payer, "amount": format_vnd(item.amount_vnd)}
             for item in notice.items.all()]
    return {
        "title": _("E-receipt of fees and charges paid online"),
        "number": number,
        "issued_on": formats.date_format(timezone.localdate(issued_at), "d/m/Y"),
        "issued_at": _when(issued_at),
        "agency_parent": localized_attr(parent, "name"),
        "agency_name": localized_attr(agency, "name"),
        "agency_address": getattr(agency, "address", "") or "",
        "code": dossier.code or "",
        "procedure_title": localized_attr(dossier.procedure, "title"),
        "procedure_code": dossier.procedure.code,
        "payer_name": applicant.get("full_name") or dossier.applicant_name,
        "payer_id": mask_id_number(applicant.get("id_number") or dossier.applicant_id_number or ""),
        "notice_number": notice.number,
        "items": items,
        "total": format_vnd(payment.amount_vnd),
        "amount_vnd": payment.amount_vnd,
        "provider": provider_label(payment.provider),
        "provider_reference": payment.provider_reference,
        "reference": payment.reference,
        "bank_code": payment.bank_code,
        "paid_at": _when(payment.paid_at),
        "lookup_url": record.lookup_url(dossier, record.site_base_url()),
    }


def render_receipt_pdf(data: dict, language: str) -> bytes:
    with translation.override(language):
        body = render_to_string("payments/receipt.html", {"d": data})
        html = render_to_string("eforms/documents/pdf.html", {
            "d": data, "body": body, "LANGUAGE_CODE": language, "creator": settings.WAGTAIL_SITE_NAME,
        })
    return documents.html_to_pdf(html, data["number"])


def _make(payment: Payment, now) -> PaymentReceipt:
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related(
            "dossier", "dossier__agency", "dossier__procedure", "notice").get(pk=payment.pk)
        existing = PaymentReceipt.objects.filter(payment=locked).first()
        if existing is not None:
            return existing
        if locked.state != PaymentState.PAID or locked.paid_at is None:
            raise ReceiptError(locked.reference)
        number = receipt_number(locked)
        language = documents.document_language(locked.dossier)
        with translation.override(language):
            data = receipt_facts(locked, number, now)
        pdf = render_receipt_pdf(data, language)
        receipt = PaymentReceipt(payment=locked, number=number, issued_at=now, language=language, data=data,
                                 size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest())
        receipt.file.save(receipt.filename, ContentFile(pdf), save=False)
        try:
            with transaction.atomic():
                receipt.save()
                if not locked.receipt_number:
                    locked.receipt_number = number
                    locked.save(update_fields=["receipt_number"])
                record_event(locked, RECEIPT_ACTION, data={"number": number, "sha256": receipt.sha256}, now=now)
        except Exception:
            receipt.file.delete(save=False)
            raise
        return receipt


def ensure_receipt(payment: Payment, *, now=None) -> PaymentReceipt:
    """The payment's receipt, made now if it has none yet; `ReceiptError`
    if the payment is not paid and has no receipt. The payment's row is
    locked while the receipt is made, so two first requests make one."""
    try:
        return PaymentReceipt.objects.get(payment_id=payment.pk)
    except PaymentReceipt.DoesNotExist:
        pass
    try:
        return _make(payment, now or timezone.now())
    except IntegrityError:
        # made by a racing request (a database without row locks): theirs stands
        return PaymentReceipt.objects.get(payment_id=payment.pk)


def read_receipt(receipt: PaymentReceipt) -> bytes:
    with receipt.file.open("rb") as stored:
        return stored.read()


def receipt_response(receipt: PaymentReceipt):
    """The stored PDF as a download (the caller has checked who asks)."""
    # eforms serves its documents the same way: a file and a file name.
    return documents.pdf_response(receipt)


# ---------------------------------------------------------------- the applicant's download


def applicant_receipt_url(payment: Payment) -> str:
    """Where the applicant downloads the receipt (My dossiers links here)."""
    return reverse("payment_receipt_pdf", args=[payment.dossier.code, payment.public_id])


@login_required
@require_safe
def applicant_receipt_pdf(request, code: str, public_id):
    """The applicant's own receipt; 404 for anyone else (staff use the admin)."""
    payment = (Payment.objects.select_related("dossier").filter(public_id=public_id, dossier__code=code).first())
    if payment is None or not payment.dossier.is_applicant(request.user):
        raise Http404
    try:
        receipt = ensure_receipt(payment)
    except ReceiptError:
        raise Http404 from None
    return receipt_response(receipt)
