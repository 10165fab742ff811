"""The procedure catalogue and the legal document index: GET filters with
counts, sorting, pagination, one page per agency and per field; agencies and
fields in the admin."""

import datetime
import re

import pytest
from wagtail.models import Locale

from core.text import sort_key
from procedures.models import Agency, Field
from tests.procedures.fixtures import (
    JUSTICE,
    PROVINCE,
    WARD,
    build_catalogue,
    make_legal_document,
    make_procedure,
    module_data,
    refetch,
)

pytestmark = pytest.mark.django_db
# unit codes travel with underscores for dots in catalogue addresses
JUSTICE_SLUG, WARD_SLUG = JUSTICE.replace(".", "_"), WARD.replace(".", "_")


def _build(home):
    catalogue = build_catalogue(home)
    civil, land = catalogue.fields["ho-tich"], catalogue.fields["dat-dai"]
    ward, justice, province = catalogue.agencies[WARD], catalogue.agencies[JUSTICE], catalogue.agencies[PROVINCE]
    procedures = {
        "birth": make_procedure(catalogue.index, "1.001193", "Đăng ký khai sinh", civil, ward, level=4, usage=50,
                                en_title="Birth registration"),
        "marriage": make_procedure(catalogue.index, "1.000894", "Đăng ký kết hôn", civil, ward, level=3, usage=20),
        "record": make_procedure(catalogue.index, "2.000488", "Cấp Phiếu lý lịch tư pháp", civil, justice,
                                 tier="province", level=4, usage=70),
        "land": make_procedure(catalogue.index, "1.012345", "Đăng ký đất đai lần đầu", land, ward, level=2),
        "zoning": make_procedure(catalogue.index, "1.012346", "Ân hạn thuê đất", land, province, tier="province",
                                 level=3, usage=5),
    }
    index = catalogue.legal_index
    documents = [
        make_legal_document(index, "60/2014/QH13", "Luật Hộ tịch", "Law on Civil Status", doc_type="law",
                            issuer="Quốc hội", signed_date=datetime.date(2014, 11, 20)),
        make_legal_document(index, "50/2014/QH13", "Luật Xây dựng", "Law on Construction", doc_type="law",
                            issuer="Quốc hội", signed_date=datetime.date(2014, 6, 18), status="amended"),
        make_legal_document(index, "118/2025/NĐ-CP", "Nghị định một cửa", "One-stop decree",
                            signed_date=datetime.date(2025, 6, 9)),
        make_legal_document(index, "61/2018/NĐ-CP", "Nghị định 61", "Decree 61", signed_date=datetime.date(2018, 4, 23),
                            status="expired"),
    ]
    return catalogue, procedures, documents


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    """Five procedures and four legal documents, built once for the module."""
    yield from module_data(django_db_blocker, _build)


@pytest.fixture
def catalogue(db, shared):
    return refetch(shared[0])


@pytest.fixture
def procedures(db, shared):
    return {name: type(page).objects.get(pk=page.pk) for name, page in shared[1].items()}


@pytest.fixture
def documents(db, shared):
    return [type(doc).objects.get(pk=doc.pk) for doc in shared[2]]


def _options(html: str, name: str) -> dict[str, str]:
    """value → visible text of the options of the <select name=…>."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return {v: t.strip() for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))}


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', html)


def test_catalogue_lists_all_with_counts_per_option(client, catalogue, procedures):
    html = client.get(catalogue.index.url).content.decode()
    assert "5 thủ tục" in html
    assert _options(html, "field") == {"": "Tất cả", "ho-tich": "Hộ tịch (3)", "dat-dai": "Đất đai (2)"}
    assert _options(html, "tier") == {"": "Tất cả", "province": "Cấp tỉnh (2)", "commune": "Cấp xã (3)"}
    levels = _options(html, "level")
    assert levels["4"] == "Mức độ 4 – Dịch vụ công trực tuyến toàn trình (2)"
    assert levels["3"] == "Mức độ 3 – Dịch vụ công trực tuyến một phần (2)"
    assert levels["2"] == "Mức độ 2 (1)"
    assert "1" not in levels  # no procedure at level 1: no dead-end option
    assert _options(html, "agency")[WARD] == "Ủy ban nhân dân phường Buôn Ma Thuột (3)"


def test_filters_combine_and_counts_follow_the_other_filters(client, catalogue, procedures):
    html = client.get(catalogue.index.url, {"field": "ho-tich", "tier": "commune"}).content.decode()
    assert sorted(_titles(html)) == ["Đăng ký khai sinh", "Đăng ký kết hôn"]
    # field counts apply the tier filter, tier counts apply the field filter
    assert _options(html, "field")["ho-tich"] == "Hộ tịch (2)"
    assert _options(html, "field")["dat-dai"] == "Đất đai (1)"
    assert _options(html, "tier")["province"] == "Cấp tỉnh (1)"
    assert 'value="ho-tich" selected' in html and 'value="commune" selected' in html
    # each active filter can be removed on its own
    assert 'href="?tier=commune"' in html and 'href="?field=ho-tich"' in html


def test_filter_by_agency_and_level(client, catalogue, procedures):
    html = client.get(catalogue.index.url, {"agency": WARD, "level": "4"}).content.decode()
    assert _titles(html) == ["Đăng ký khai sinh"]


def test_unknown_filter_values_are_ignored(client, catalogue, procedures):
    response = client.get(catalogue.index.url, {"field": "khong-co", "level": "9", "tier": "<script>", "page": "x"})
    assert response.status_code == 200
    assert len(_titles(response.content.decode())) == 5


def test_no_match_says_so(client, catalogue, procedures):
    html = client.get(catalogue.index.url, {"field": "dat-dai", "agency": JUSTICE}).content.decode()
    assert "Không có thủ tục nào phù hợp với điều kiện lọc." in html


def test_sort_by_name_in_vietnamese_order_and_by_most_used(client, catalogue, procedures):
    html = client.get(catalogue.index.url).content.decode()
    assert _titles(html) == ["Ân hạn thuê đất", "Cấp Phiếu lý lịch tư pháp", "Đăng ký đất đai lần đầu",
                             "Đăng ký kết hôn", "Đăng ký khai sinh"]
    html = client.get(catalogue.index.url, {"sort": "popular"}).content.decode()
    assert _titles(html) == ["Cấp Phiếu lý lịch tư pháp", "Đăng ký khai sinh", "Đăng ký kết hôn", "Ân hạn thuê đất",
                             "Đăng ký đất đai lần đầu"]


def test_sort_key():
    assert sorted(["Ăn", "Ân", "Anh"], key=sort_key) == ["Anh", "Ăn", "Ân"]
    assert sorted(["Đăng", "Dân", "Em"], key=sort_key) == ["Dân", "Đăng", "Em"]
    assert sorted(["hồ", "hổ", "hỗ", "ho", "hò", "hó", "họ"], key=sort_key) == [
        "ho", "hò", "hó", "họ", "hồ", "hổ", "hỗ"]


def test_pagination_keeps_the_filters(client, catalogue, procedures, monkeypatch):
    monkeypatch.setattr(type(catalogue.index), "per_page", 2)
    html = client.get(catalogue.index.url, {"field": "ho-tich", "sort": "popular"}).content.decode()
    assert _titles(html) == ["Cấp Phiếu lý lịch tư pháp", "Đăng ký khai sinh"]
    assert 'href="?field=ho-tich&amp;sort=popular&amp;page=2"' in html
    html = client.get(catalogue.index.url, {"field": "ho-tich", "sort": "popular", "page": "2"}).content.decode()
    assert _titles(html) == ["Đăng ký kết hôn"]


def test_field_page(client, catalogue, procedures):
    response = client.get(f"{catalogue.index.url}linh-vuc/dat-dai/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Đất đai</h1>" in html
    # the breadcrumb leads back to the whole catalogue
    assert f'<li><a href="{catalogue.index.url}">Thủ tục hành chính</a></li>' in html
    assert '<span aria-current="page">Đất đai</span>' in html
    assert sorted(_titles(html)) == ["Ân hạn thuê đất", "Đăng ký đất đai lần đầu"]
    assert 'name="field"' not in html  # the field is fixed on this page; the other filters remain
    html = client.get(f"{catalogue.index.url}linh-vuc/dat-dai/", {"tier": "province"}).content.decode()
    assert _titles(html) == ["Ân hạn thuê đất"]


def test_agency_page_shows_where_to_go(client, catalogue, procedures):
    response = client.get(f"{catalogue.index.url}co-quan/{JUSTICE_SLUG}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Sở Tư pháp</h1>" in html
    assert "Số 01 Phạm Văn Đồng" in html and "0262 3852 430" in html
    assert _titles(html) == ["Cấp Phiếu lý lịch tư pháp"]


def test_agency_and_field_pages_in_english(client, catalogue, procedures):
    html = client.get(f"{catalogue.en_index.url}field/ho-tich/").content.decode()
    assert "<h1>Civil status</h1>" in html
    assert "Birth registration" in _titles(html)
    assert len(_titles(html)) == 1  # only what is translated lives in the English catalogue
    html = client.get(f"{catalogue.en_index.url}agency/{WARD_SLUG}/").content.decode()
    assert "<h1>Buon Ma Thuot Ward People&#x27;s Committee</h1>" in html
    en = client.get(catalogue.en_index.url).content.decode()
    assert _options(en, "field") == {"": "All", "ho-tich": "Civil status (1)"}
    assert "Level 4 – Full online public service (1)" in en


def test_unknown_agency_or_field_page_is_404(client, catalogue):
    assert client.get(f"{catalogue.index.url}co-quan/999_99_99_X99/").status_code == 404
    assert client.get(f"{catalogue.index.url}linh-vuc/khong-co/").status_code == 404


def test_cards_link_to_field_and_agency_pages(client, catalogue, procedures):
    html = client.get(catalogue.index.url).content.decode()
    assert f'href="{catalogue.index.url}linh-vuc/ho-tich/"' in html
    assert f'href="{catalogue.index.url}co-quan/{JUSTICE_SLUG}/"' in html


# ---------------------------------------------------------------- legal documents

def _doc_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', html)


def test_legal_documents_filter_by_type_issuer_year_status_with_counts(client, catalogue, documents):
    url = catalogue.legal_index.url
    html = client.get(url).content.decode()
    assert _doc_titles(html) == ["Nghị định 118/2025/NĐ-CP", "Nghị định 61/2018/NĐ-CP", "Luật 60/2014/QH13",
                                 "Luật 50/2014/QH13"]
    assert _options(html, "type") == {"": "Tất cả", "law": "Luật (2)", "decree": "Nghị định (2)"}
    assert _options(html, "issuer") == {"": "Tất cả", "Chính phủ": "Chính phủ (2)", "Quốc hội": "Quốc hội (2)"}
    assert _options(html, "year") == {"": "Tất cả", "2025": "2025 (1)", "2018": "2018 (1)", "2014": "2014 (2)"}
    assert _options(html, "status")["expired"] == "Hết hiệu lực (1)"
    html = client.get(url, {"year": "2014", "status": "amended"}).content.decode()
    assert _doc_titles(html) == ["Luật 50/2014/QH13"]
    html = client.get(url, {"issuer": "Chính phủ", "type": "decree", "sort": "oldest"}).content.decode()
    assert _doc_titles(html) == ["Nghị định 61/2018/NĐ-CP", "Nghị định 118/2025/NĐ-CP"]


def test_legal_documents_in_english(client, catalogue, documents):
    en_index = catalogue.legal_index.get_translation(Locale.objects.get(language_code="en"))
    html = client.get(en_index.url).content.decode()
    assert "4 documents" in html
    assert _options(html, "issuer") == {"": "All", "Government": "Government (4)"}
    assert "Decree 118/2025/NĐ-CP" in html


# ---------------------------------------------------------------- admin

def test_agencies_and_fields_are_managed_in_the_admin(admin_client_with_second_factor, catalogue):
    client = admin_client_with_second_factor
    response = client.get("/admin/snippets/procedures/agency/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Tư pháp" in html and JUSTICE in html
    response = client.get("/admin/snippets/procedures/agency/", {"q": "Tư pháp"})
    html = response.content.decode()
    assert "Sở Tư pháp" in html and "phường Buôn Ma Thuột" not in html
    response = client.get("/admin/snippets/procedures/field/")
    assert response.status_code == 200 and "Đất đai" in response.content.decode()
    add = client.get("/admin/snippets/procedures/agency/add/")
    assert add.status_code == 200 and 'name="unit_code"' in add.content.decode()


def test_agencies_and_fields_are_translatable(catalogue):
    en = Locale.objects.get(language_code="en")
    justice = catalogue.agencies[JUSTICE]
    assert justice.get_translation(en).name == "Department of Justice"
    assert justice.get_translation(en).unit_code == JUSTICE
    assert Field.objects.get(code="dat-dai", locale=en).name == "Land"
    assert Agency.objects.filter(unit_code=JUSTICE).count() == 2


def test_procedure_edit_form_in_the_admin(admin_client_with_second_factor, catalogue, procedures):
    client = admin_client_with_second_factor
    page = procedures["birth"]
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["code", "field", "agency", "co_agencies", "tier", "level", "processing_time", "fee_vnd",
                 "applicants", "steps", "components-TOTAL_FORMS", "submission_methods", "result", "requirements",
                 "legal_basis"]:
        assert f'name="{name}"' in html, name
