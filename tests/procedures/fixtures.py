"""Builders for the procedure catalogue tests (no tests here): a small
province with two fields, three agencies, a catalogue and a legal document
index in Vietnamese and English. Import the fixtures into a test module with
`from tests.procedures.fixtures import catalogue_fixture  # noqa: F401`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pytest
from anyascii import anyascii
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from wagtail.documents.models import Document
from wagtail.models import Locale

from home.setup import get_or_create_child, translate_page
from procedures.models import (
    Agency,
    Field,
    LegalDocumentIndexPage,
    LegalDocumentPage,
    ProcedureComponent,
    ProcedureFee,
    ProcedureIndexPage,
    ProcedurePage,
)

PROVINCE, JUSTICE, WARD = "000.00.00.H30", "000.00.10.H30", "000.20.30.H30"


@dataclass
class Catalogue:
    index: ProcedureIndexPage
    en_index: ProcedureIndexPage
    legal_index: LegalDocumentIndexPage
    fields: dict[str, Field]
    agencies: dict[str, Agency]
    documents: dict[str, LegalDocumentPage] = field(default_factory=dict)


def make_field(code: str, vi: str, en: str) -> Field:
    field = Field.objects.create(code=code, name=vi, locale=Locale.objects.get(language_code="vi"))
    translation = field.copy_for_translation(Locale.objects.get(language_code="en"))
    translation.name = en
    translation.save()
    return field


def make_agency(code: str, vi: str, en: str, tier: str, parent: Agency | None = None, **extra) -> Agency:
    agency = Agency.objects.create(
        unit_code=code, name=vi, tier=tier, parent=parent, locale=Locale.objects.get(language_code="vi"), **extra,
    )
    translation = agency.copy_for_translation(Locale.objects.get(language_code="en"))
    translation.name = en
    translation.save()
    return agency


def make_document(title: str, filename: str, content: bytes = b"PK\x03\x04 demo form template") -> Document:
    return Document.objects.create(title=title, file=ContentFile(content, name=filename))


def make_legal_document(index: LegalDocumentIndexPage, number: str, title: str, en_title: str, **fields):
    values = {
        "doc_type": "decree", "issuer": "Chính phủ", "signed_date": datetime.date(2015, 11, 15),
        "status": "in_force", "summary": "Tóm tắt.", **fields,
    }
    page = get_or_create_child(index, LegalDocumentPage, slugify(anyascii(number.replace("/", "-"))),
                               number=number, title=title, **values)
    translate_page(page, "en", title=en_title, issuer="Government", summary="Summary.")
    return page


def make_procedure(index: ProcedureIndexPage, code: str, title: str, field: Field, agency: Agency, *,
                   tier: str = "commune", level: int = 2, usage: int = 0, legal=(), components=(),
                   co_agencies=(), en_title: str | None = None, fees=(), **extra) -> ProcedurePage:
    """A published procedure page; `fees` are its fee items as (name, amount,
    due, payer, exemptions), whose total then is `fee_vnd` unless given."""
    values = {
        "processing_time": Decimal("3"), "fee_vnd": None if fees else 8000,
        "fee_note": "Miễn lệ phí cho người có công.",
        "applicants": "Công dân Việt Nam\nNgười nước ngoài cư trú tại Việt Nam",
        "steps": "Nộp hồ sơ\nCán bộ kiểm tra hồ sơ\nNhận kết quả",
        "submission_methods": ["in_person", "online"], "result": "Giấy khai sinh (bản chính)",
        "requirements": "",
        # a level 4 procedure delivers online or by post and takes its fee online (fee_rules)
        **({"online_payment": True, "result_methods": ["office", "post", "online"]} if level == 4 else {}),
        **extra,
    }
    page = ProcedurePage(
        title=title, slug=slugify(anyascii(title)), code=code, field=field, agency=agency, tier=tier, level=level,
        usage_count=usage, **values,
    )
    page.legal_basis = list(legal)
    page.co_agencies = list(co_agencies)
    page.components = [ProcedureComponent(name=name, copies=copies, kind=kind, form_template=template)
                       for name, copies, kind, template in components]
    page.fees = [ProcedureFee(name=name, amount_vnd=amount, due=due, payer=payer, exemptions=exemptions, sort_order=i)
                 for i, (name, amount, due, payer, exemptions) in enumerate(fees)]
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    if en_title:
        translate_page(page, "en", title=en_title, slug=slugify(en_title), applicants="Vietnamese citizens",
                       steps="Submit the dossier\nCollect the result")
    return page


def build_catalogue(home_page) -> Catalogue:
    fields = {
        "ho-tich": make_field("ho-tich", "Hộ tịch", "Civil status"),
        "dat-dai": make_field("dat-dai", "Đất đai", "Land"),
    }
    province = make_agency(PROVINCE, "Ủy ban nhân dân tỉnh Đắk Lắk", "Dak Lak Provincial People's Committee", "province")
    agencies = {
        PROVINCE: province,
        JUSTICE: make_agency(JUSTICE, "Sở Tư pháp", "Department of Justice", "department", province,
                             address="Số 01 Phạm Văn Đồng", phone="0262 3852 430",
                             opening_hours="Từ thứ Hai đến thứ Sáu"),
        WARD: make_agency(WARD, "Ủy ban nhân dân phường Buôn Ma Thuột", "Buon Ma Thuot Ward People's Committee",
                          "commune", province),
    }
    index = get_or_create_child(home_page, ProcedureIndexPage, "thu-tuc-hanh-chinh", title="Thủ tục hành chính",
                                disclosure_kind="online_services")
    en_index = translate_page(index, "en", title="Administrative procedures", slug="procedures")
    legal_index = get_or_create_child(home_page, LegalDocumentIndexPage, "van-ban", title="Văn bản pháp luật",
                                      disclosure_kind="legal_documents")
    translate_page(legal_index, "en", title="Legal documents", slug="legal-documents")
    return Catalogue(index=index, en_index=en_index, legal_index=legal_index, fields=fields, agencies=agencies)


def refetch(catalogue: Catalogue) -> Catalogue:
    """The same catalogue with fresh instances from the database (a test
    may have changed the cached ones before its rollback)."""
    def fresh(obj):
        return type(obj).objects.get(pk=obj.pk)

    return replace(
        catalogue, index=fresh(catalogue.index), en_index=fresh(catalogue.en_index),
        legal_index=fresh(catalogue.legal_index),
        fields={k: fresh(v) for k, v in catalogue.fields.items()},
        agencies={k: fresh(v) for k, v in catalogue.agencies.items()},
        documents={k: fresh(v) for k, v in catalogue.documents.items()},
    )


def module_data(django_db_blocker, build):
    """Build data once for a test module, inside a transaction rolled back at
    the module's end; each test runs in a savepoint within it (pytest-django's
    `db`), so the tests stay independent while the pages are made only once.
    Use as the body of a module-scoped generator fixture."""
    from home.setup import ensure_site

    with django_db_blocker.unblock(), transaction.atomic():
        yield build(ensure_site())
        transaction.set_rollback(True)


@pytest.fixture(name="catalogue")
def catalogue_fixture(home_page) -> Catalogue:
    return build_catalogue(home_page)
