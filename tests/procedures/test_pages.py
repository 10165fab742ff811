"""Procedure and legal document pages: what they show, in both languages;
the `/p/<code>/` permalink; legal basis links both ways."""

import datetime
import html
import re

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Locale

from home.setup import translate_page
from procedures.models import ProcedurePage
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


def _build(home):
    catalogue = build_catalogue(home)
    law = make_legal_document(catalogue.legal_index, "60/2014/QH13", "Luật Hộ tịch", "Law on Civil Status",
                              doc_type="law", issuer="Quốc hội", signed_date=datetime.date(2014, 11, 20))
    decree = make_legal_document(catalogue.legal_index, "123/2015/NĐ-CP", "Nghị định 123", "Decree 123",
                                 status="amended")
    catalogue.documents = {"law": law, "decree": decree}
    template = make_document("Tờ khai đăng ký khai sinh", "to-khai-khai-sinh.docx", b"x" * 2048)
    birth = make_procedure(
        catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"], catalogue.agencies[WARD],
        level=4, legal=[law, decree], co_agencies=[catalogue.agencies[JUSTICE]],
        components=[("Tờ khai đăng ký khai sinh theo mẫu", 1, "original", template),
                    ("Giấy chứng sinh", 1, "original", None),
                    ("Giấy tờ tùy thân của người đi đăng ký", 1, "certified_copy", None)],
        en_title="Birth registration",
    )
    return catalogue, birth


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    """The catalogue and the birth registration page, built once for the module."""
    yield from module_data(django_db_blocker, _build)


@pytest.fixture
def catalogue(db, shared):
    return refetch(shared[0])


@pytest.fixture
def birth(db, shared):
    return ProcedurePage.objects.get(pk=shared[1].pk)


def _text(response) -> str:
    """The page's visible text (the JSON-LD data block left out)."""
    body = re.sub(r"<script[^>]*>.*?</script>", " ", response.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_procedure_page_shows_every_field_in_order(client, birth):
    response = client.get(birth.url)
    assert response.status_code == 200
    text = _text(response)
    headings = ["Mã thủ tục", "Lĩnh vực", "Cơ quan thực hiện", "Cơ quan phối hợp", "Cấp thực hiện",
                "Mức độ dịch vụ công trực tuyến", "Thời hạn giải quyết", "Phí, lệ phí", "Đối tượng thực hiện",
                "Trình tự thực hiện", "Thành phần hồ sơ", "Cách thức thực hiện", "Kết quả thực hiện",
                "Yêu cầu, điều kiện", "Căn cứ pháp lý"]
    positions = [text.find(h) for h in headings]
    assert -1 not in positions, dict(zip(headings, positions, strict=True))
    assert positions == sorted(positions)
    for value in ["1.001193", "Hộ tịch", "Ủy ban nhân dân phường Buôn Ma Thuột", "Sở Tư pháp", "Cấp xã",
                  "Mức độ 4", "Dịch vụ công trực tuyến toàn trình", "3 ngày làm việc", "8.000 đồng",
                  "Miễn lệ phí cho người có công", "Nộp hồ sơ", "Giấy chứng sinh", "Bản sao có chứng thực",
                  "Trực tiếp", "Trực tuyến", "Luật 60/2014/QH13"]:
        assert value in text, value


def test_form_template_is_a_download_link_with_type_and_size(client, birth):
    html = client.get(birth.url).content.decode()
    doc = birth.components.get(form_template__isnull=False).form_template
    assert re.search(rf'<a class="document-link" href="{re.escape(doc.url)}" download>Tờ khai đăng ký khai sinh</a>', html)
    assert "(DOCX, 2,0\xa0KB)" in html or "(DOCX, 2,0 KB)" in html


def test_procedure_page_in_english(client, birth):
    en = birth.get_translation(Locale.objects.get(language_code="en"))
    response = client.get(en.url)
    assert response.status_code == 200
    assert en.url.startswith("/en/")
    text = _text(response)
    for value in ["Birth registration", "Procedure code", "1.001193", "Civil status", "Level 4",
                  "Full online public service", "3 working days", "Buon Ma Thuot Ward People's Committee",
                  "Department of Justice", "Legal basis", "Law on Civil Status", "/en/p/1.001193/"]:
        assert value in text, value
    assert '<html lang="en">' in response.content.decode()


def test_level_and_2022_kind(catalogue):
    field, agency = catalogue.fields["ho-tich"], catalogue.agencies[WARD]
    kinds = {}
    for level in (1, 2, 3, 4):
        page = make_procedure(catalogue.index, f"1.00{level}", f"Thủ tục {level}", field, agency, level=level)
        kinds[level] = page.service_kind
    assert kinds == {1: None, 2: None, 3: "partial", 4: "full"}


def test_code_is_unique_within_a_locale(catalogue, birth):
    twin = ProcedurePage(title="Bản sao", slug="ban-sao", code="1.001193", field=birth.field, agency=birth.agency,
                         tier="commune", level=2, processing_time=1, locale=birth.locale)
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "code" in error.value.message_dict
    # the English translation has the same code in its own locale: allowed
    en = birth.get_translation(Locale.objects.get(language_code="en"))
    en.full_clean()


@pytest.mark.parametrize("prefix,language", [("", "vi"), ("/en", "en")])
def test_permalink_redirects_permanently_to_the_page_in_that_language(client, birth, prefix, language):
    response = client.get(f"{prefix}/p/1.001193/")
    assert response.status_code == 301
    target = birth.get_translation(Locale.objects.get(language_code=language))
    assert response["Location"] == target.url
    assert client.get(response["Location"]).status_code == 200


def test_permalink_falls_back_to_the_vietnamese_page_when_not_translated(client, catalogue):
    page = make_procedure(catalogue.index, "2.000001", "Chứng thực bản sao", catalogue.fields["ho-tich"],
                          catalogue.agencies[WARD])
    response = client.get("/en/p/2.000001/")
    assert response.status_code == 301
    assert response["Location"] == page.url


@pytest.mark.parametrize("prefix,message", [("", "Không có thủ tục nào"), ("/en", "No procedure with the code")])
def test_unknown_code_is_a_helpful_404(client, catalogue, prefix, message):
    response = client.get(f"{prefix}/p/9.999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert message in html
    assert 'value="9.999999"' in html  # the search form is filled in
    assert catalogue.index.url in html or catalogue.en_index.url in html


def test_unpublished_procedure_is_not_reachable_by_permalink(client, birth):
    en = birth.get_translation(Locale.objects.get(language_code="en"))
    birth.unpublish()
    # the English page is still there: the Vietnamese address falls back to it
    assert client.get("/p/1.001193/")["Location"] == en.url
    en.unpublish()
    assert client.get("/p/1.001193/").status_code == 404


def test_permalink_method(birth):
    assert birth.permalink() == "/p/1.001193/"


def test_legal_basis_links_both_ways(client, catalogue, birth):
    law = catalogue.documents["law"]
    html = client.get(birth.url).content.decode()
    assert f'href="{law.url}"' in html
    law_page = client.get(law.url)
    assert law_page.status_code == 200
    assert "Thủ tục hành chính căn cứ văn bản này" in law_page.content.decode()
    assert f'href="{birth.url}"' in law_page.content.decode()
    # and in English: the English procedure links the English document, and back
    en_locale = Locale.objects.get(language_code="en")
    en_birth, en_law = birth.get_translation(en_locale), law.get_translation(en_locale)
    assert f'href="{en_law.url}"' in client.get(en_birth.url).content.decode()
    en_html = client.get(en_law.url).content.decode()
    assert "Procedures based on this document" in en_html
    assert f'href="{en_birth.url}"' in en_html


def test_legal_document_page_shows_its_facts(client, catalogue):
    doc = make_legal_document(catalogue.legal_index, "43/2011/NĐ-CP", "Nghị định 43", "Decree 43",
                              signed_date=datetime.date(2011, 6, 13), effective_date=datetime.date(2011, 8, 1),
                              status="amended", document=make_document("Nghị định 43", "nd-43.pdf", b"%PDF-1.4"))
    text = _text(client.get(doc.url))
    for value in ["43/2011/NĐ-CP", "Nghị định", "Chính phủ", "Ngày 13 tháng 6 năm 2011", "Ngày 01 tháng 8 năm 2011",
                  "Đã được sửa đổi, còn hiệu lực một phần", "(PDF"]:
        assert value in text, value
    assert doc.url.endswith("/43-2011-nd-cp/")


def test_translation_keeps_the_synchronised_fields(birth):
    en = birth.get_translation(Locale.objects.get(language_code="en")).specific
    assert (en.code, en.level, en.tier, en.field_id, en.agency_id) == (
        birth.code, birth.level, birth.tier, birth.field_id, birth.agency_id)
    assert list(en.legal_basis.values_list("pk", flat=True)) == list(birth.legal_basis.values_list("pk", flat=True))
    assert en.components.count() == 3
    assert en.components.first().locale.language_code == "en"


def test_record_use_counts_on_every_translation(birth):
    birth.record_use()
    birth.record_use()
    assert set(ProcedurePage.objects.filter(translation_key=birth.translation_key)
               .values_list("usage_count", flat=True)) == {2}


def test_home_page_lists_most_used_procedures_and_fields(client, catalogue, birth):
    html = client.get("/").content.decode()
    assert "Thủ tục được sử dụng nhiều nhất" not in html  # nobody has used one yet: no empty section
    assert "Thủ tục theo lĩnh vực" in html
    assert f'href="{catalogue.index.url}linh-vuc/ho-tich/"' in html
    birth.record_use()
    html = client.get("/").content.decode()
    assert "Thủ tục được sử dụng nhiều nhất" in html
    assert f'href="{birth.url}"' in html
    en_html = client.get("/en/").content.decode()
    assert "Most used procedures" in en_html and "Civil status" in en_html
    assert f'href="{catalogue.en_index.url}field/ho-tich/"' in en_html


def test_home_page_without_catalogue_has_no_catalogue_sections(client, catalogue):
    catalogue.index.unpublish()
    html = client.get("/").content.decode()
    assert "popular-title" not in html and "fields-title" not in html


def test_catalogue_pages_are_in_the_footer_disclosure_links(client, catalogue):
    translate_page(catalogue.legal_index, "en")
    html = client.get("/").content.decode()
    footer = html[html.index("site-footer"):]
    assert f'href="{catalogue.index.url}"' in footer
    assert f'href="{catalogue.legal_index.url}"' in footer


def test_wagtail_localize_translation_keeps_identity_and_links(catalogue):
    """What an editor's "Translate" does: texts become segments to translate,
    while code, level, agencies and legal basis follow the Vietnamese page."""
    from wagtail_localize.models import StringSegment, TranslationSource

    page = make_procedure(
        catalogue.index, "1.004884", "Đăng ký kết hôn", catalogue.fields["ho-tich"], catalogue.agencies[WARD],
        level=3, legal=[catalogue.documents["law"]], co_agencies=[catalogue.agencies[JUSTICE]],
        components=[("Tờ khai đăng ký kết hôn", 1, "original", None)],
    )
    source, _created = TranslationSource.get_or_create_from_instance(page)
    texts = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    assert {"Đăng ký kết hôn", "Tờ khai đăng ký kết hôn"} <= texts
    assert any(text.startswith("Nộp hồ sơ") for text in texts)  # the steps
    assert "1.004884" not in texts  # the code is not a text to translate

    en, _created = source.create_or_update_translation(Locale.objects.get(language_code="en"), fallback=True)
    en = en.specific
    assert (en.code, en.level, en.tier, en.agency_id, en.field_id) == ("1.004884", 3, "commune", page.agency_id,
                                                                       page.field_id)
    assert list(en.co_agencies.all()) == [catalogue.agencies[JUSTICE]]
    assert list(en.legal_basis.all()) == [catalogue.documents["law"]]
    assert [(c.name, c.locale.language_code) for c in en.components.all()] == [("Tờ khai đăng ký kết hôn", "en")]
