"""The catalogue part of `load_demo`: agencies, fields, legal documents and
the two index pages, in Vietnamese and English, marked as their Decree 43
disclosure kinds; a second run changes nothing."""

import pytest
from wagtail.models import Locale

from procedures import demo
from procedures.models import Agency, Field, LegalDocumentIndexPage, LegalDocumentPage, ProcedureIndexPage

pytestmark = pytest.mark.django_db

CONTRACT_AGENCIES = {
    "000.00.00.H30": "province", "000.00.01.H30": "department", "000.00.02.H30": "department",
    "000.00.10.H30": "department", "000.00.11.H30": "department", "000.00.12.H30": "department",
    "000.00.13.H30": "department", "000.00.14.H30": "department", "000.00.15.H30": "department",
    "000.00.16.H30": "department", "000.00.17.H30": "department", "000.00.18.H30": "department",
    "000.20.30.H30": "commune", "000.21.30.H30": "commune", "000.22.30.H30": "commune",
    "000.23.30.H30": "commune", "000.24.30.H30": "commune", "000.25.30.H30": "commune",
    "000.40.30.H30": "district",
}
CITED = ["60/2014/QH13", "123/2015/NĐ-CP", "31/2024/QH15", "50/2014/QH13", "168/2025/NĐ-CP", "118/2025/NĐ-CP",
         "03/2025/TT-VPCP", "43/2011/NĐ-CP", "42/2022/NĐ-CP"]


class Out:
    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(text)


def _counts():
    return (Agency.objects.count(), Field.objects.count(), LegalDocumentPage.objects.count(),
            ProcedureIndexPage.objects.count(), LegalDocumentIndexPage.objects.count())


def test_demo_catalogue_in_both_languages_and_idempotent(home_page):
    vi, en = Locale.objects.get(language_code="vi"), Locale.objects.get(language_code="en")
    demo.load_catalogue(Out())

    agencies = {a.unit_code: a for a in Agency.objects.filter(locale=vi)}
    assert {code: a.tier for code, a in agencies.items()} == CONTRACT_AGENCIES
    assert agencies["000.00.10.H30"].name == "Sở Tư pháp"
    assert agencies["000.20.30.H30"].parent == agencies["000.00.00.H30"]
    assert Agency.objects.get(unit_code="000.00.10.H30", locale=en).name == "Department of Justice"
    assert Field.objects.filter(locale=vi).count() == Field.objects.filter(locale=en).count() == 14
    assert Field.objects.get(code="ho-kinh-doanh", locale=en).name == "Household businesses"

    numbers = set(LegalDocumentPage.objects.filter(locale=vi).values_list("number", flat=True))
    assert set(CITED) <= numbers
    law = LegalDocumentPage.objects.get(number="60/2014/QH13", locale=vi)
    assert (law.doc_type, law.issuer, law.title) == ("law", "Quốc hội", "Luật Hộ tịch")
    en_law = law.get_translation(en)
    assert (en_law.title, en_law.issuer, en_law.number) == ("Law on Civil Status", "National Assembly", "60/2014/QH13")
    assert LegalDocumentPage.objects.get(number="61/2018/NĐ-CP", locale=vi).status == "expired"

    catalogue = ProcedureIndexPage.objects.get(locale=vi)
    legal_index = LegalDocumentIndexPage.objects.get(locale=vi)
    assert (catalogue.disclosure_kind, legal_index.disclosure_kind) == ("online_services", "legal_documents")
    assert catalogue.url == "/thu-tuc-hanh-chinh/" and catalogue.get_translation(en).url == "/en/procedures/"
    assert legal_index.get_translation(en).url == "/en/legal-documents/"
    assert catalogue.show_in_menus and legal_index.get_translation(en).disclosure_kind == "legal_documents"

    before = _counts()
    demo.load_catalogue(Out())
    assert _counts() == before
