"""Circular 03/2025/TT-VPCP documents: made from a dossier's data, issued
once, shown again as a printable page and as the PDF made at issue.

One template per document (`eforms/documents/<kind>.html`, the document's
body) serves both: the page wraps it in the site's layout (or the back
office's printable layout), the PDF wraps it in `eforms/documents/pdf.html`
and xhtml2pdf turns it into A4. xhtml2pdf rather than WeasyPrint: it is
pure-Python wheels on top of reportlab, which the receipt already uses,
while WeasyPrint needs the system's Pango, which a fresh machine with only
Python lacks (`make run` must work there). The PDF embeds the same DejaVu
Serif as the receipt (`eforms.record.FONT_DIR`), so Vietnamese prints and
can be extracted everywhere.

The facts are copied into `IssuedDocument.data` when the document is
issued, in the dossier's language, so a document reads the same later
whatever happens to the dossier. `issue` runs inside the lifecycle
action's transaction (with the dossier row locked): the status event, the
document and its `issue_document` event are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from xhtml2pdf import pisa

from accounts.masking import mask_id_number

# The module, not its names: record imports drafts → services → lifecycle,
# which imports this module, so record may still be loading here.
from eforms import record
from eforms.localized import localized_attr
from eforms.models import (
    Attachment,
    AttachmentRole,
    DocumentKind,
    Dossier,
    DossierEvent,
    IssuedDocument,
    ResultDelivery,
    ScanStatus,
)
from eforms.models.documents import APPLICANT_KINDS
from signing import services as signing
from signing.models import SignedKind

logger = logging.getLogger(__name__)

ISSUE_ACTION = "issue_document"


class DocumentError(Exception):
    """The PDF could not be made."""


# ---------------------------------------------------------------- facts


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "H:i d/m/Y") if value else ""


def _day(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return formats.date_format(value, "d/m/Y") if value else ""


def document_language(dossier: Dossier) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    language = (dossier.language or "").lower().split("-")[0]
    return language if language in codes else settings.LANGUAGE_CODE


def _rows(rows) -> list[list[str]]:
    return [[row.label, row.value] for row in rows]


def history(dossier: Dossier, labels: dict[str, str]) -> list[dict[str, str]]:
    """The control slip's table: every step (named by `labels`, the
    lifecycle's action names), who took it, the status it led to."""
    steps = []
    for event in dossier.events.order_by("created_at", "pk"):
        status = event.get_to_status_display() if event.to_status else ""
        step = labels.get(event.action) or (event.note if event.action == ISSUE_ACTION else event.action)
        note = "" if event.action == ISSUE_ACTION else event.note
        steps.append({"at": _when(event.created_at), "step": str(step), "actor": event.actor_label,
                      "status": str(status), "note": note})
    return steps


def snapshot(dossier: Dossier, kind: str, number: str, issued_at, issued_by: str, facts: dict | None) -> dict:
    """What the document prints, formatted in the active language."""
    agency = dossier.agency
    parent = agency.parent if agency is not None else None
    applicant = dossier.applicant_snapshot or {}
    data = {
        "kind": kind,
        "title": str(DocumentKind(kind).label),
        "number": number,
        "issued_on": _day(issued_at),
        "issued_at": _when(issued_at),
        "issued_by": issued_by,
        "agency_parent": localized_attr(parent, "name"),
        "agency_name": localized_attr(agency, "name"),
        "agency_address": getattr(agency, "address", "") or "",
        "agency_phone": getattr(agency, "phone", "") or "",
        "code": dossier.code or "",
        "procedure_title": localized_attr(dossier.procedure, "title"),
        "procedure_code": dossier.procedure.code,
        "applicant_name": applicant.get("full_name") or dossier.applicant_name,
        "applicant_id": mask_id_number(applicant.get("id_number") or dossier.applicant_id_number or ""),
        "applicant_address": applicant.get("address") or "",
        "applicant_phone": applicant.get("phone") or dossier.applicant_phone or "",
        "applicant_email": applicant.get("email") or "",
        "submitted_at": _when(dossier.submitted_at),
        "received_at": _when(dossier.received_at),
        "appointment": _when(dossier.appointment_at),
        "channel": str(dossier.get_channel_display()),
        "lookup_url": record.lookup_url(dossier, record.site_base_url()),
    }
    if kind == DocumentKind.RECEIPT:
        data["applicant_rows"] = _rows(record.applicant_rows(dossier))
        data["submission_rows"] = _rows(record.submission_rows(dossier))
        data["file_rows"] = _rows(record.file_rows(dossier))
    if kind == DocumentKind.CONTROL:
        data["handler"] = (dossier.assigned_to.get_full_name() or dossier.assigned_to.get_username()
                           if dossier.assigned_to_id else "")
    for key, value in (facts or {}).items():
        if isinstance(value, dt.datetime):
            value = _when(value)
        elif isinstance(value, dt.date):
            value = _day(value)
        elif isinstance(value, Sequence) and not isinstance(value, str):
            value = [v if isinstance(v, dict) else str(v) for v in value]
        data[key] = value
    return data


# ---------------------------------------------------------------- rendering


def render_body(document: IssuedDocument) -> str:
    """The document's own template, in the language it was issued in."""
    with translation.override(document.language):
        return render_to_string(f"eforms/documents/{document.kind}.html", {"document": document, "d": document.data})


def _fonts_only(uri: str, rel: str) -> str:
    """xhtml2pdf asks for every file a document refers to; only the embedded
    fonts are served (no images, no network, no other local file)."""
    if uri.startswith("font:"):
        path = (record.FONT_DIR / uri.removeprefix("font:")).resolve()
        if path.parent == record.FONT_DIR.resolve() and path.suffix == ".ttf" and path.is_file():
            return str(path)
    logger.warning("Document PDF: refused to load %r", uri)
    return ""


def render_pdf(document: IssuedDocument) -> bytes:
    body = render_body(document)
    with translation.override(document.language):
        html = render_to_string("eforms/documents/pdf.html", {
            "document": document, "d": document.data, "body": body,  # a SafeString: rendered and escaped by its template
            "LANGUAGE_CODE": document.language, "creator": settings.WAGTAIL_SITE_NAME,
        })
    return html_to_pdf(html, document.number)


def html_to_pdf(html: str, name: str) -> bytes:
    """A whole HTML page (such as one wrapped in `eforms/documents/pdf.html`)
    as a PDF, with the embedded fonts and nothing else loaded; `name` says
    which document failed in the error."""
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=_fonts_only)
    if result.err:
        raise DocumentError(f"xhtml2pdf reported {result.err} error(s) for {name}")
    return out.getvalue()


# ---------------------------------------------------------------- issuing


def next_number(dossier: Dossier, kind: str) -> str:
    """`<dossier code>/<form>-<n>`: the n-th document of this form for the dossier
    (the caller holds the dossier's row lock)."""
    count = IssuedDocument.objects.filter(dossier=dossier, kind=kind).count()
    return f"{dossier.code}/{kind}-{count + 1}"


def issue(dossier: Dossier, kind: str, actor, *, facts: dict | None = None, now=None,
          announced_with: DossierEvent | None = None) -> IssuedDocument:
    """Make document `kind` for the dossier, store its PDF and write the
    `issue_document` event (no status change: `to_status` stays empty; the
    title is the note, which the applicant's message quotes). Call it inside
    the transaction that holds the dossier's row lock; `actor` is a
    `lifecycle.Actor`.

    A document issued by a status change (01 on receive, 02, 03, 05) travels
    with that change's message: `announced_with` is its event, and the
    issue event says `"announce": False` so the applicant gets one message
    for the step, with the PDF attached. The control slip is internal and
    never announced."""
    now = now or timezone.now()
    language = document_language(dossier)
    user = actor.user if getattr(actor, "user", None) is not None and actor.user.pk else None
    number = next_number(dossier, kind)
    with translation.override(language):
        data = snapshot(dossier, kind, number, now, actor.display_label, facts)
    document = IssuedDocument(dossier=dossier, kind=kind, number=number, issued_at=now, issued_by=user,
                              issued_by_label=actor.display_label, language=language, data=data)
    # Signed with the agency's certificate (unsigned when it has none): the
    # stored file and its SHA-256 are what the applicant receives and /verify/ knows.
    pdf = signing.sign_pdf(render_pdf(document), dossier.agency, code=number, kind=SignedKind.DOCUMENT,
                           reason=f"{data['title']} ({number})", title=data["title"], dossier_code=dossier.code or "",
                           unsigned_on_error=True)
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.size = len(pdf)
    document.file.save(document.filename, ContentFile(pdf), save=False)
    try:
        document.event = DossierEvent.objects.create(
            dossier=dossier, created_at=now, action=ISSUE_ACTION, actor_kind=actor.kind, actor_user=user,
            actor_label=actor.display_label, from_status=dossier.status, to_status="", note=data["title"],
            data=_event_data(kind, number, announced_with),
        )
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def _event_data(kind: str, number: str, announced_with: DossierEvent | None) -> dict:
    data = {"kind": kind, "number": number}
    if announced_with is not None:
        data.update(announce=False, announced_with=announced_with.pk)
    elif kind not in APPLICANT_KINDS:
        data["announce"] = False
    return data


# ---------------------------------------------------------------- reading


def read_pdf(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


def pdf_response(document: IssuedDocument, inline: bool = False) -> HttpResponse:
    """The stored PDF as a download (the caller has checked who asks)."""
    response = HttpResponse(read_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def event_attachments(event) -> list[tuple[str, bytes, str]]:
    """The files the email announcing `event` carries: the document of an
    `issue_document` event, or those issued with a status change
    (`announced_with`), and for `complete` the result files when the result
    is delivered online (`result_attachments`); [(file name, content, type)]."""
    if event is None:
        return []
    if event.action == ISSUE_ACTION:
        found = IssuedDocument.objects.filter(event=event)
    else:
        found = IssuedDocument.objects.filter(dossier_id=event.dossier_id, event__data__announced_with=event.pk)
    attached = [(d.filename, read_pdf(d), "application/pdf") for d in found.for_applicant()]
    if event.action == "complete":
        attached += result_attachments(event)
    return attached


# ---------------------------------------------------------------- result files


def sign_result(attachment: Attachment, dossier: Dossier) -> Attachment:
    """A PDF result file signed by the dossier's agency (`signing.sign_pdf`),
    recorded as `<dossier code>/KQ-<n>`; the stored file, its size and
    SHA-256 become the signed ones. Other kinds stay as they are. Call it in
    the transaction that issues the result (the dossier's row lock held);
    raises `signing.SigningError` for a PDF that cannot be signed."""
    if attachment.kind != "pdf":
        return attachment
    with attachment.file.open("rb") as stored:
        content = stored.read()
    code = signing.next_code(f"{dossier.code}/KQ-")
    with translation.override(document_language(dossier)):
        title = gettext("Result of the dossier: %(procedure)s") % {
            "procedure": localized_attr(dossier.procedure, "title")}
    signed = signing.sign_pdf(content, dossier.agency, code=code, kind=SignedKind.RESULT, reason=f"{title} ({code})",
                              title=title, dossier_code=dossier.code or "")
    if signed == content:
        return attachment
    previous = attachment.file.name
    attachment.file.save("upload", ContentFile(signed), save=False)
    attachment.size = len(signed)
    attachment.sha256 = hashlib.sha256(signed).hexdigest()
    attachment.save(update_fields=["file", "size", "sha256"])
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(previous))
    return attachment


def result_attachments(event) -> list[tuple[str, bytes, str]]:
    """The result files issued with a `complete` event, for its email: only
    when the result is delivered online, never a file a scan found infected
    or has not cleared, and only when together they fit in
    `PORTAL_RESULT_EMAIL_MAX_BYTES` (otherwise none: the applicant
    downloads them from My dossiers)."""
    dossier = event.dossier
    if dossier.result_delivery != ResultDelivery.ONLINE:
        return []
    files = list(Attachment.objects.filter(event=event, role=AttachmentRole.RESULT).order_by("created_at", "pk"))
    if any(f.scan_status not in (ScanStatus.CLEAN, ScanStatus.NOT_REQUIRED) for f in files):
        return []
    if sum(f.size for f in files) > settings.PORTAL_RESULT_EMAIL_MAX_BYTES:
        return []
    attached = []
    for attachment in files:
        try:
            with attachment.file.open("rb") as stored:
                attached.append((attachment.download_name, stored.read(), attachment.content_type))
        except FileNotFoundError:
            logger.error("Result file %s of dossier %s is missing; the email goes without it",
                         attachment.pk, dossier.code)
    return attached


def documents_for_applicant(dossier: Dossier):
    return IssuedDocument.objects.filter(dossier=dossier).for_applicant()


def documents_for_staff(dossier: Dossier):
    return IssuedDocument.objects.filter(dossier=dossier)
