"""The catalogue journey: from the home page to a procedure through the catalogue
filters, then download its form template; the catalogue and procedure pages
pass axe-core and log no console errors."""

import pytest

from tests.procedures.fixtures import JUSTICE, WARD, build_catalogue, make_document, make_procedure

TEMPLATE_BYTES = b"PK\x03\x04" + b"to khai dang ky khai sinh " * 200


@pytest.fixture
def demo_catalogue(transactional_db):
    from wagtail.models import Collection, Locale

    from home.setup import ensure_site

    # a transactional test before this one flushed what the migrations made
    for code in ("vi", "en"):
        Locale.objects.get_or_create(language_code=code)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    catalogue = build_catalogue(ensure_site())
    civil, land = catalogue.fields["ho-tich"], catalogue.fields["dat-dai"]
    template = make_document("Tờ khai đăng ký khai sinh", "to-khai-dang-ky-khai-sinh.docx", TEMPLATE_BYTES)
    birth = make_procedure(
        catalogue.index, "1.001193", "Đăng ký khai sinh", civil, catalogue.agencies[WARD], level=4, usage=12,
        components=[("Tờ khai đăng ký khai sinh theo mẫu", 1, "original", template),
                    ("Giấy chứng sinh", 1, "original", None)],
    )
    make_procedure(catalogue.index, "1.000894", "Đăng ký kết hôn", civil, catalogue.agencies[WARD], level=3)
    make_procedure(catalogue.index, "2.000488", "Cấp Phiếu lý lịch tư pháp", civil, catalogue.agencies[JUSTICE],
                   tier="province", level=4)
    make_procedure(catalogue.index, "1.012345", "Đăng ký đất đai lần đầu", land, catalogue.agencies[WARD], level=2)
    return catalogue, birth


def test_home_to_procedure_through_the_filters_then_download_the_form(page, demo_catalogue, assert_accessible):
    catalogue, birth = demo_catalogue
    page.goto("/")
    assert page.get_by_role("heading", name="Thủ tục được sử dụng nhiều nhất").is_visible()
    page.get_by_role("link", name="Tất cả thủ tục hành chính").click()
    page.wait_for_url(f"**{catalogue.index.url}")
    assert page.get_by_role("heading", level=2, name="4 thủ tục").is_visible()
    assert_accessible(page)

    # filter with the plain GET form: civil status, commune tier, level 4
    page.get_by_label("Lĩnh vực").select_option("ho-tich")
    page.get_by_label("Cấp thực hiện").select_option("commune")
    page.get_by_label("Mức độ dịch vụ công trực tuyến").select_option("4")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**level=4**")
    assert page.get_by_role("heading", level=2, name="1 thủ tục").is_visible()
    assert page.get_by_label("Lĩnh vực").input_value() == "ho-tich"
    assert_accessible(page)

    page.get_by_role("link", name="Đăng ký khai sinh").click()
    page.wait_for_url(f"**{birth.url}")
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
    assert page.get_by_text("Dịch vụ công trực tuyến toàn trình").first.is_visible()
    assert_accessible(page)

    link = page.get_by_role("link", name="Tờ khai đăng ký khai sinh")
    assert "(DOCX, " in link.locator("xpath=..").inner_text()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    with open(download.path(), "rb") as fh:
        assert fh.read() == TEMPLATE_BYTES
    assert page.console_errors == []


def test_catalogue_filters_work_without_javascript(browser, live_server, demo_catalogue):
    catalogue, _birth = demo_catalogue
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{catalogue.index.url}linh-vuc/ho-tich/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hộ tịch"
    page.get_by_label("Cơ quan", exact=True).select_option(JUSTICE)
    page.get_by_role("button", name="Lọc").click()
    assert page.get_by_role("heading", level=2, name="1 thủ tục").is_visible()
    assert page.get_by_role("link", name="Cấp Phiếu lý lịch tư pháp").is_visible()
    context.close()
