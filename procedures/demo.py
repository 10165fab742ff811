"""Demo content of the procedures app: the province's agencies, the fields,
the legal documents the procedures cite, and the catalogue and legal
document index pages, in Vietnamese and English. The procedures themselves
come last, from `procedures.demo_procedures` (imported through the
importer), because they link to everything made here.

Idempotent: existing rows and pages are left as editors may have changed
them, so a second `load_demo` is quick.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from core.disclosure import DisclosureKind
from core.text import to_slug
from home.setup import ensure_site, get_or_create_child, translate_page

from . import demo_procedures
from .management.commands.seed_calendar import vietnam_calendar
from .models import Agency, CalendarDay, Field, LegalDocumentIndexPage, LegalDocumentPage, ProcedureIndexPage

DATA = Path(__file__).resolve().parent / "demo_data"

# code → (Vietnamese name, English name, Vietnamese description, English description)
FIELDS = {
    "ho-tich": ("Hộ tịch", "Civil status",
                "Đăng ký khai sinh, kết hôn, khai tử, nhận cha, mẹ, con và các việc hộ tịch khác.",
                "Registering births, marriages, deaths, parentage and other civil status events."),
    "ly-lich-tu-phap": ("Lý lịch tư pháp", "Judicial records",
                        "Cấp Phiếu lý lịch tư pháp cho cá nhân, cơ quan, tổ chức.",
                        "Judicial record certificates for individuals and organisations."),
    "chung-thuc": ("Chứng thực", "Certification",
                   "Chứng thực bản sao, chữ ký, hợp đồng và giao dịch.",
                   "Certifying copies, signatures, contracts and transactions."),
    "dat-dai": ("Đất đai", "Land",
                "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất, chuyển mục đích sử dụng đất.",
                "Land registration, land-use certificates and changes of land use."),
    "xay-dung": ("Xây dựng", "Construction",
                 "Giấy phép xây dựng và các thủ tục về hoạt động xây dựng.",
                 "Building permits and other construction procedures."),
    "ho-kinh-doanh": ("Thành lập và hoạt động của hộ kinh doanh", "Household businesses",
                      "Đăng ký thành lập, thay đổi, tạm ngừng, chấm dứt hoạt động hộ kinh doanh.",
                      "Registering, changing, suspending and closing a household business."),
    "doanh-nghiep": ("Thành lập và hoạt động doanh nghiệp", "Enterprises",
                     "Đăng ký doanh nghiệp, thay đổi nội dung đăng ký, giải thể.",
                     "Registering an enterprise, changing its registration, dissolution."),
    "giao-duc": ("Giáo dục và Đào tạo", "Education and training",
                 "Văn bằng, chứng chỉ, chuyển trường và hoạt động của cơ sở giáo dục.",
                 "Diplomas and certificates, school transfers and educational institutions."),
    "y-te": ("Khám bệnh, chữa bệnh", "Health care",
             "Giấy phép hành nghề và giấy phép hoạt động khám bệnh, chữa bệnh.",
             "Practising and operating licences for health care."),
    "lao-dong": ("Lao động, việc làm", "Labour and employment",
                 "Trợ cấp thất nghiệp, giấy phép lao động và các thủ tục về việc làm.",
                 "Unemployment benefit, work permits and employment procedures."),
    "bao-tro-xa-hoi": ("Bảo trợ xã hội", "Social protection",
                       "Trợ cấp xã hội hằng tháng, hỗ trợ mai táng và trợ giúp xã hội khác.",
                       "Monthly social allowances, funeral support and other social assistance."),
    "van-hoa": ("Văn hóa", "Culture",
                "Cấp phép tổ chức biểu diễn, lễ hội và hoạt động văn hóa.",
                "Licences for performances, festivals and cultural events."),
    "giao-thong": ("Đường bộ", "Road transport",
                   "Giấy phép lái xe, đăng ký phương tiện và hoạt động vận tải đường bộ.",
                   "Driving licences, vehicle registration and road transport."),
    "moi-truong": ("Môi trường", "Environment",
                   "Giấy phép môi trường, đăng ký môi trường và báo cáo công tác bảo vệ môi trường.",
                   "Environmental permits, environmental registration and reporting."),
}

CATALOGUE = {
    "slug": "thu-tuc-hanh-chinh",
    "vi": {"title": "Thủ tục hành chính",
           "intro": "<p>Tra cứu thủ tục hành chính của các cơ quan trong tỉnh: hồ sơ cần chuẩn bị, thời hạn giải quyết, "
                    "phí, lệ phí, nơi nộp và biểu mẫu để tải về. Lọc theo lĩnh vực, cơ quan, cấp thực hiện và mức độ "
                    "dịch vụ công trực tuyến.</p>"},
    "en": {"title": "Administrative procedures", "slug": "procedures",
           "intro": "<p>Find the administrative procedures of the province's agencies: the documents to prepare, "
                    "how long it takes, the fees, where to apply and the forms to download. Filter by field, "
                    "agency, tier and online service level.</p>"},
}
LEGAL_INDEX = {
    "slug": "van-ban-phap-luat",
    "vi": {"title": "Văn bản quy phạm pháp luật",
           "intro": "<p>Hệ thống văn bản quy phạm pháp luật làm căn cứ giải quyết thủ tục hành chính. Lọc theo loại "
                    "văn bản, cơ quan ban hành, năm và tình trạng hiệu lực.</p>"},
    "en": {"title": "Legal documents", "slug": "legal-documents",
           "intro": "<p>The legal documents the administrative procedures are based on. Filter by type, issuing "
                    "body, year and status.</p>"},
}


def _locales() -> tuple[Locale, Locale]:
    return Locale.objects.get(language_code="vi"), Locale.objects.get(language_code="en")


def _translate_snippet(obj, locale: Locale, **fields):
    """The translation of a snippet into `locale`, made from `fields` when
    missing (editors translate with wagtail-localize)."""
    translation = obj.get_translation_or_none(locale)
    if translation is None:
        translation = obj.copy_for_translation(locale)
        for name, value in fields.items():
            setattr(translation, name, value)
        translation.save()
    return translation


def load_fields() -> dict[str, Field]:
    vi, en = _locales()
    fields = {}
    for code, (name_vi, name_en, desc_vi, desc_en) in FIELDS.items():
        field = Field.objects.filter(code=code, locale=vi).first()
        if field is None:
            field = Field.objects.create(code=code, name=name_vi, description=desc_vi, locale=vi)
        _translate_snippet(field, en, name=name_en, description=desc_en)
        fields[code] = field
    return fields


def load_agencies() -> dict[str, Agency]:
    vi, en = _locales()
    rows = json.loads((DATA / "agencies.json").read_text(encoding="utf-8"))
    agencies: dict[str, Agency] = {}
    for row in rows:  # parents come before their children in the file
        agency = Agency.objects.filter(unit_code=row["unit_code"], locale=vi).first()
        if agency is None:
            agency = Agency.objects.create(
                locale=vi, unit_code=row["unit_code"], tier=row["tier"],
                parent=agencies.get(row["parent"]) if row["parent"] else None,
                phone=row["phone"], email=row["email"], website=row["website"], **row["vi"],
            )
        _translate_snippet(agency, en, **row["en"])
        agencies[row["unit_code"]] = agency
    return agencies


def _index(home, model, spec: dict, kind: str):
    page = get_or_create_child(
        home, model, spec["slug"], title=spec["vi"]["title"], intro=spec["vi"]["intro"], disclosure_kind=kind,
        show_in_menus=True,
    )
    translate_page(page, "en", title=spec["en"]["title"], slug=spec["en"]["slug"], intro=spec["en"]["intro"])
    return page


def document_slug(number: str) -> str:
    """`43/2011/NĐ-CP` → `43-2011-nd-cp` (slugify alone drops Đ)."""
    return to_slug(number.replace("/", "-"))


def load_legal_documents(index: LegalDocumentIndexPage) -> dict[str, LegalDocumentPage]:
    rows = json.loads((DATA / "legal_documents.json").read_text(encoding="utf-8"))
    documents = {}
    for row in rows:
        dates = {
            "signed_date": datetime.date.fromisoformat(row["signed_date"]),
            "effective_date": datetime.date.fromisoformat(row["effective_date"]) if row["effective_date"] else None,
        }
        common = {"number": row["number"], "doc_type": row["doc_type"], "status": row["status"], **dates}
        page = LegalDocumentPage.objects.filter(number=row["number"], locale=index.locale).first()
        if page is None:
            page = get_or_create_child(index, LegalDocumentPage, document_slug(row["number"]), **common, **row["vi"])
        en = row["en"]
        translate_page(page, "en", slug=document_slug(row["number"]), title=en["title"], issuer=en["issuer"],
                       summary=en["summary"])
        documents[row["number"]] = page
    return documents


@transaction.atomic
def load_catalogue(stdout) -> None:
    home = ensure_site()
    fields = load_fields()
    agencies = load_agencies()
    _index(home, ProcedureIndexPage, CATALOGUE, DisclosureKind.ONLINE_SERVICES)
    legal_index = _index(home, LegalDocumentIndexPage, LEGAL_INDEX, DisclosureKind.LEGAL_DOCUMENTS)
    documents = load_legal_documents(legal_index)
    stdout.write(
        f"procedures: {len(agencies)} agencies, {len(fields)} fields, {len(documents)} legal documents, "
        "catalogue and legal document index ready (vi, en)"
    )


def load_calendar(stdout) -> None:
    """Seed this year's and next year's days off, once, so that demo
    appointment dates skip Tết and the other public holidays."""
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        if CalendarDay.objects.filter(date__year=year).exists():
            continue
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=day, kind=kind, name=name) for day, kind, name in vietnam_calendar(year)]
        )
    stdout.write(f"procedures: working-day calendar seeded for {this_year} and {this_year + 1}")


def load(stdout) -> None:
    load_calendar(stdout)
    load_catalogue(stdout)
    # The procedures link to everything above.
    demo_procedures.load(stdout)
