"""A procedure page asks little of the database for an anonymous visitor
with the page cache off (issue "Fast for every visitor": at most 10
queries, in both languages), and what it takes from the content cache
(core.pages) follows every change an editor makes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Locale

from feedback.models import PublishedQuestion
from home.models import PortalSettings
from home.setup import translate_page
from procedures.models import ProcedureFee, ProcedurePage
from tests.eform_factories import make_eform
from tests.procedures.fixtures import (
    JUSTICE,
    WARD,
    build_catalogue,
    make_document,
    make_legal_document,
    make_procedure,
    module_data,
    refetch,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def _build(home):
    """A procedure showing every section: a co-handling agency, components
    with a form template, fee items, legal basis, an e-form and a published
    question, in Vietnamese and English."""
    PortalSettings.load()  # made on first use: its save would refresh the content cache
    catalogue = build_catalogue(home)
    law = make_legal_document(catalogue.legal_index, "60/2014/QH13", "Luật Hộ tịch", "Law on Civil Status",
                              doc_type="law", issuer="Quốc hội", signed_date=datetime.date(2014, 11, 20))
    template = make_document("Tờ khai đăng ký khai sinh", "to-khai-khai-sinh.docx", b"x" * 2048)
    birth = make_procedure(
        catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"], catalogue.agencies[WARD],
        level=4, legal=[law], co_agencies=[catalogue.agencies[JUSTICE]],
        components=[("Tờ khai đăng ký khai sinh theo mẫu", 1, "original", template),
                    ("Giấy chứng sinh", 1, "original", None)],
        fees=[("Lệ phí đăng ký khai sinh", 8000, "submission", "", "Miễn cho trẻ em hộ nghèo.")],
        en_title="Birth registration",
    )
    make_eform(birth, translate=False)
    PublishedQuestion.objects.create(
        title="Đăng ký khai sinh cần giấy tờ gì?", question_text="Cần mang gì?", answer="Tờ khai và giấy chứng sinh.",
        procedure=birth, locale=Locale.objects.get(language_code="vi"), published_at=timezone.now(),
    )
    return catalogue, birth


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    yield from module_data(django_db_blocker, _build)


@pytest.fixture
def catalogue(db, shared):
    return refetch(shared[0])


@pytest.fixture
def birth(db, shared):
    return ProcedurePage.objects.get(pk=shared[1].pk)


def _english(page):
    return page.get_translation(Locale.objects.get(language_code="en"))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_procedure_page_costs_at_most_ten_queries(client, birth, language, django_assert_max_num_queries):
    page = birth if language == "vi" else _english(birth)
    client.get(page.url)  # the first visitor after a change fills the content cache
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    # every section is there, with what it takes from other tables
    amount = "8.000" if language == "vi" else "8,000"
    for text in ("fee-table", amount, "to-khai-khai-sinh", "60/2014/QH13", "/p/1.001193/apply/",
                 "Đăng ký khai sinh cần giấy tờ gì?", 'class="breadcrumbs"', 'hreflang="'):
        assert text in html, text
    assert ("Department of Justice" if language == "en" else "Sở Tư pháp") in html


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_permalink_costs_at_most_ten_queries(client, birth, prefix, django_assert_max_num_queries):
    client.get(f"{prefix}/p/1.001193/")
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(f"{prefix}/p/1.001193/").status_code == 301


def test_agency_and_field_changes_show_at_once(client, birth, catalogue):
    assert "Sở Tư pháp" in client.get(birth.url).content.decode()
    justice = catalogue.agencies[JUSTICE]
    justice.name = "Sở Tư pháp tỉnh"
    justice.address = "Số 2 Lê Duẩn"
    justice.save()
    field = catalogue.fields["ho-tich"]
    field.name = "Hộ tịch và quốc tịch"
    field.save()
    html = client.get(birth.url).content.decode()
    assert "Sở Tư pháp tỉnh" in html and "Hộ tịch và quốc tịch" in html


def test_a_published_change_shows_and_a_draft_only_in_preview(client, birth):
    client.get(birth.url)
    birth.fees = [ProcedureFee(name="Lệ phí mới", amount_vnd=12000, due="submission", sort_order=0)]
    birth.fee_vnd = None
    birth.save_revision()
    assert "Lệ phí mới" not in client.get(birth.url).content.decode()
    preview = ProcedurePage.objects.get(pk=birth.pk).get_latest_revision_as_object().make_preview_request()
    assert preview.status_code == 200
    assert "Lệ phí mới" in preview.content.decode()
    ProcedurePage.objects.get(pk=birth.pk).get_latest_revision().publish()
    html = client.get(birth.url).content.decode()
    assert "Lệ phí mới" in html and "12.000" in html


def test_legal_document_and_question_changes_show_at_once(client, birth, catalogue):
    client.get(birth.url)
    law = birth.legal_basis.get()
    law.title = "Luật Hộ tịch (sửa đổi)"
    law.save_revision().publish()
    PublishedQuestion.objects.create(
        title="Khai sinh cho con ở nước ngoài?", question_text="?", answer="Có.", procedure=birth,
        locale=Locale.objects.get(language_code="vi"), published_at=timezone.now(),
    )
    html = client.get(birth.url).content.decode()
    assert "Luật Hộ tịch (sửa đổi)" in html and "Khai sinh cho con ở nước ngoài?" in html
    PublishedQuestion.objects.filter(title="Khai sinh cho con ở nước ngoài?").get().delete()
    assert "Khai sinh cho con ở nước ngoài?" not in client.get(birth.url).content.decode()


def test_an_english_translation_published_later_shows_in_english(client, birth, catalogue):
    english = _english(birth)
    client.get(english.url)
    english.title = "Registration of a birth"
    english.save_revision().publish()
    assert "Registration of a birth" in client.get(english.url).content.decode()
    legal = translate_page(catalogue.documents.get("law") or birth.legal_basis.get(), "en")
    assert legal.title in client.get(english.url).content.decode()
