"""The dossier's record: Circular 03/2025/TT-VPCP form 01, "Giấy tiếp nhận
hồ sơ và hẹn trả kết quả", as far as an online submission allows.

One set of facts (`receipt_facts`) feeds both the printable HTML page (with
the print stylesheet) and the PDF made here with reportlab, so the two never
disagree. The PDF embeds DejaVu Serif (`eforms/fonts/`), so Vietnamese text
renders and can be extracted on any reader, and carries a Code 128 barcode
of the dossier code and a QR code of the public look-up link.

Who may read a record is the caller's business (the views 404 for anyone
but the applicant); the ID number is masked all the same, because a printed
or emailed page travels further than the screen.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlencode
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from accounts.masking import mask_id_number
from eforms.drafts import display_value, version_for
from eforms.localized import localized_attr
from eforms.models import Dossier

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "PortalSerif"
FONT_BOLD = "PortalSerif-Bold"
# reportlab keeps some state at module level; one PDF at a time per process.
_PDF_LOCK = threading.Lock()


# ---------------------------------------------------------------- facts


@dataclass
class Row:
    label: str
    value: str


@dataclass
class ReceiptFacts:
    """What form 01 says about one dossier, already translated and formatted."""

    code: str
    agency_name: str
    agency_parent: str
    procedure_title: str
    procedure_code: str
    applicant: list[Row]
    submission: list[Row]
    data: list[Row]
    files: list[Row]
    lookup_url: str
    issued_on: str
    notes: list[str] = field(default_factory=list)


def lookup_url(dossier: Dossier, base_url: str = "") -> str:
    """The public look-up page with the code filled in (the QR code's target)."""
    path = reverse("lookup") + "?" + urlencode({"code": dossier.code or ""})
    return base_url.rstrip("/") + path if base_url else path


def site_base_url() -> str:
    """The portal's address for links made outside a request (emails, PDFs)."""
    return settings.WAGTAILADMIN_BASE_URL or ""


def _when(value) -> str:
    if not value:
        return ""
    return formats.date_format(timezone.localtime(value), "H:i d/m/Y")


def _day(value) -> str:
    return formats.date_format(value, "d/m/Y") if value else ""


def _text(value) -> str:
    """A form value as one line: lists joined, booleans as yes/no."""
    if isinstance(value, dict):
        if "value" in value:
            return _text(value["value"])
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value if v not in (None, ""))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


def _eform_rows(dossier: Dossier, answers: dict) -> list[Row] | None:
    """The answers labelled by the e-form version the dossier was made with
    (in the active language when the form's translation matches), or None
    when that version cannot be found."""
    try:
        version = version_for(dossier, None)
        specs = version.specs()
    except (LookupError, AttributeError, ObjectDoesNotExist):
        return None
    rows = []
    for spec in specs:
        if spec.clean_name not in answers:
            continue
        value = answers[spec.clean_name]
        if spec.is_file:
            text = ", ".join(str(f.get("name", "")) for f in value or [] if isinstance(f, dict))
        else:
            text = display_value(spec, value, [])
        if text:
            rows.append(Row(str(spec.label), text))
    return rows


def data_rows(dossier: Dossier) -> list[Row]:
    """The answers of the e-form as label/value rows: labelled by the form
    version when the dossier came from an e-form (`{"answers": …}`);
    otherwise a value stored as `{"label": …, "value": …}` keeps its label
    and a bare value is labelled by its field identifier made readable."""
    data = dossier.form_data or {}
    if isinstance(data.get("answers"), dict):
        rows = _eform_rows(dossier, data["answers"])
        if rows is not None:
            return rows
        data = data["answers"]
    rows = []
    for key, value in data.items():
        if str(key).startswith("_"):
            continue
        label = value.get("label") if isinstance(value, dict) and value.get("label") else None
        label = label or str(key).replace("_", " ").replace("-", " ").strip().capitalize()
        text = _text(value)
        if text:
            rows.append(Row(str(label), text))
    return rows


def applicant_rows(dossier: Dossier) -> list[Row]:
    snap = dossier.applicant_snapshot or {}
    rows = [
        Row(_("Full name"), snap.get("full_name") or dossier.applicant_name),
        Row(_("ID number"), mask_id_number(snap.get("id_number") or dossier.applicant_id_number or "")),
        Row(_("Address"), snap.get("address") or ""),
        Row(_("Phone"), snap.get("phone") or dossier.applicant_phone),
        Row(_("Email"), snap.get("email") or ""),
    ]
    return [row for row in rows if row.value]


def submission_rows(dossier: Dossier) -> list[Row]:
    procedure = dossier.procedure
    rows = [
        Row(_("Dossier code"), dossier.code or ""),
        Row(_("Status"), str(dossier.status_label)),
        Row(_("Submitted online at") if dossier.channel in ("online", "home_service") else _("Submitted at"),
            _when(dossier.submitted_at)),
    ]
    if procedure.processing_time is not None:
        rows.append(Row(_("Processing time set by law"), str(procedure.processing_time_display)))
    if dossier.received_at:
        rows.append(Row(_("Received at"), _when(dossier.received_at)))
    if dossier.appointment_at:
        rows.append(Row(_("Appointment for the result"), _when(dossier.appointment_at)))
    elif dossier.expected_appointment_at:
        rows.append(Row(_("Expected appointment for the result"), _when(dossier.expected_appointment_at)))
    rows.append(Row(_("How it was submitted"), str(dossier.get_channel_display())))
    if dossier.pickup_address:
        rows.append(Row(_("Documents collected at"), dossier.pickup_address))
    delivery = str(dossier.get_result_delivery_display())
    if dossier.delivery_address:
        delivery = f"{delivery}: {dossier.delivery_address}"
    rows.append(Row(_("Result delivered"), delivery))
    return [row for row in rows if row.value]


def file_rows(dossier: Dossier) -> list[Row]:
    return [
        Row(a.original_name, f"{a.kind.upper()}, {filesizeformat(a.size)}")
        for a in dossier.attachments.all()
    ]


def receipt_facts(dossier: Dossier, base_url: str = "") -> ReceiptFacts:
    """Everything form 01 prints, in the active language."""
    agency = dossier.agency
    parent = agency.parent if agency is not None else None
    at_desk = dossier.channel in ("desk", "post")
    notes = [
        _("The agency received this dossier on paper and entered it in the portal; the appointment counts from "
          "its receipt.") if at_desk else
        _("This receipt was made by the portal when the dossier was submitted online. The agency checks the "
          "dossier and confirms its receipt; the appointment then counts from that moment."),
        _("Follow the dossier at any time on the look-up page with its code and your phone number or ID number."),
    ]
    if dossier.result_delivery == "office":
        notes.append(_("Bring this receipt and your identity card when you collect the result."))
    return ReceiptFacts(
        code=dossier.code or "",
        agency_name=localized_attr(agency, "name"),
        agency_parent=localized_attr(parent, "name"),
        procedure_title=localized_attr(dossier.procedure, "title"),
        procedure_code=dossier.procedure.code,
        applicant=applicant_rows(dossier),
        submission=submission_rows(dossier),
        data=data_rows(dossier),
        files=file_rows(dossier),
        lookup_url=lookup_url(dossier, base_url),
        issued_on=_day(timezone.localdate(dossier.submitted_at) if dossier.submitted_at else None),
        notes=notes,
    )


# ---------------------------------------------------------------- drawings


def barcode_drawing(code: str, width: float | None = None):
    """Code 128 of the dossier code (what the desk's scanner reads)."""
    drawing = createBarcodeDrawing("Code128", value=code, barHeight=12 * mm, barWidth=0.3 * mm,
                                   humanReadable=True, quiet=True)
    return drawing


def qr_drawing(url: str, size: float = 90):
    """A QR code of the look-up link."""
    widget = QrCodeWidget(url, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(match) -> str:
    pairs = (declaration.partition(":") for declaration in match.group(1).split(";"))
    return "".join(f' {name.strip()}="{value.strip()}"' for name, colon, value in pairs if colon and name.strip())


def drawing_svg(drawing, title: str) -> str:
    """An inline SVG for the printable page (no image requests, prints sharp)."""
    svg = renderSVG.drawToString(drawing)
    start = svg.find("<svg")
    # The site's Content-Security-Policy blocks style attributes; SVG's
    # presentation attributes say the same and are allowed.
    svg = _STYLE_ATTRIBUTE.sub(_presentation_attributes, svg[start:])
    # A labelled image for assistive technology.
    return svg.replace("<svg", f'<svg role="img" aria-label="{escape(title)}"', 1)


def barcode_svg(code: str) -> str:
    return drawing_svg(barcode_drawing(code), _("Barcode of dossier code %(code)s") % {"code": code})


def qr_svg(url: str) -> str:
    return drawing_svg(qr_drawing(url, 110), _("QR code of the look-up page for this dossier"))


# ---------------------------------------------------------------- PDF


@cache
def register_fonts() -> None:
    """The DejaVu faces under the names the PDF styles use (once per process)."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)


def _styles():
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "center_bold": ParagraphStyle("center_bold", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD),
        "title": ParagraphStyle("title", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD, fontSize=13.5,
                                leading=18, spaceBefore=10, spaceAfter=2),
        "heading": ParagraphStyle("heading", parent=base, fontName=FONT_BOLD, spaceBefore=8, spaceAfter=3),
        "cell_label": ParagraphStyle("cell_label", parent=base, fontSize=9.5, leading=12),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12, fontName=FONT_BOLD),
    }


def _p(text: str, style):
    return Paragraph(xml_escape(text or ""), style)


def _rows_table(rows: list[Row], styles, width):
    data = [[_p(r.label, styles["cell_label"]), _p(r.value, styles["cell"])] for r in rows]
    table = Table(data, colWidths=[width * 0.36, width * 0.64], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b7c3")),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def receipt_pdf(dossier: Dossier, base_url: str | None = None, language: str | None = None) -> bytes:
    """Form 01 as an A4 PDF, in `language` (default: the active one)."""
    register_fonts()
    base_url = site_base_url() if base_url is None else base_url
    with translation.override(language or translation.get_language()):
        facts = receipt_facts(dossier, base_url)
        styles = _styles()
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
            title=_("Receipt and appointment for dossier %(code)s") % {"code": facts.code},
            author=facts.agency_name, subject=facts.procedure_title, creator=settings.WAGTAIL_SITE_NAME,
        )
        width = doc.width
        story = []
        # The national heading beside the agency, as every administrative document has.
        left = [_p(facts.agency_parent.upper(), styles["center"]) if facts.agency_parent else Spacer(1, 1),
                _p(facts.agency_name.upper(), styles["center_bold"]),
                _p(_("No.: %(code)s") % {"code": facts.code}, styles["center"])]
        right = [_p(_("SOCIALIST REPUBLIC OF VIETNAM"), styles["center_bold"]),
                 _p(_("Independence – Freedom – Happiness"), styles["center_bold"]),
                 _p(facts.issued_on, styles["center"])]
        header = Table([[left, right]], colWidths=[width * 0.45, width * 0.55])
        header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story += [header, _p(_("RECEIPT OF DOSSIER AND APPOINTMENT FOR THE RESULT"), styles["title"]),
                  _p(_("(Form 01, Circular 03/2025/TT-VPCP – dossier submitted online)")
                     if dossier.channel in ("online", "home_service")
                     else _("(Form 01, Circular 03/2025/TT-VPCP)"), styles["center"]),
                  Spacer(1, 4 * mm)]
        codes = Table([[barcode_drawing(facts.code), qr_drawing(facts.lookup_url, 26 * mm)]],
                      colWidths=[width - 30 * mm, 30 * mm])
        codes.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story += [codes, _p(_("Requested: %(procedure)s (procedure %(code)s)")
                            % {"procedure": facts.procedure_title, "code": facts.procedure_code}, styles["heading"])]
        sections = [
            (_("1. Applicant"), facts.applicant),
            (_("2. Submission and dates"), facts.submission),
            (_("3. Information given"), facts.data),
            (_("4. Documents attached"), facts.files),
        ]
        for title, rows in sections:
            if rows:
                story += [_p(title, styles["heading"]), _rows_table(rows, styles, width)]
        story.append(Spacer(1, 4 * mm))
        for note in facts.notes:
            story.append(_p("• " + note, styles["small"]))
        story.append(_p(_("Look-up: %(url)s") % {"url": facts.lookup_url}, styles["small"]))
        with _PDF_LOCK:
            doc.build(story)
    return out.getvalue()


def receipt_filename(dossier: Dossier) -> str:
    return f"giay-tiep-nhan-{dossier.code or dossier.public_id}.pdf"
