"""The home journey: open the home page, switch to English, follow a link;
no console errors and no axe-core violations."""

import pytest

from home.models import NewsIndexPage, NewsPage, StandardPage
from home.setup import get_or_create_child, translate_page


@pytest.fixture
def demo_pages(transactional_db):
    from home.setup import ensure_site

    home = ensure_site()
    about = get_or_create_child(home, StandardPage, "gioi-thieu", title="Giới thiệu", show_in_menus=True,
                                summary="Chức năng, nhiệm vụ của UBND tỉnh.", disclosure_kind="introduction")
    translate_page(about, "en", title="About us", slug="about-us", summary="What the committee does.")
    news_index = get_or_create_child(home, NewsIndexPage, "tin-tuc", title="Tin tức", show_in_menus=True)
    translate_page(news_index, "en", title="News", slug="news")
    news = get_or_create_child(news_index, NewsPage, "thanh-toan", title="Thanh toán trực tuyến lệ phí",
                               summary="Thêm 120 thủ tục.")
    translate_page(news, "en", title="More fees can be paid online", slug="online-fees", summary="120 more.")
    return home


def test_home_switch_to_english_and_follow_a_link(page, demo_pages, assert_accessible):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("combobox", name="Bạn cần làm thủ tục gì?").is_visible()  # the search box, enhanced
    assert page.get_by_role("heading", name="Thanh toán trực tuyến lệ phí").is_visible()
    assert_accessible(page)

    # keyboard: the first Tab reaches the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"

    page.get_by_role("navigation", name="Ngôn ngữ").get_by_role("link", name="English").click()
    page.wait_for_url("**/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="More fees can be paid online").is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="About us").click()
    page.wait_for_url("**/en/about-us/")
    assert page.get_by_role("heading", level=1).inner_text() == "About us"
    assert_accessible(page)

    # and back to Vietnamese lands on the same page's translation
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_url("**/gioi-thieu/")
    assert page.get_by_role("heading", level=1).inner_text() == "Giới thiệu"
    assert page.console_errors == []


def test_pages_work_without_javascript(browser, live_server, demo_pages):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    search_box = page.locator("#hero-search")  # a plain search box without JavaScript
    search_box.fill("thanh toan")
    search_box.press("Enter")
    page.wait_for_url("**/search/?q=thanh+toan*")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("link", name="Thanh toán trực tuyến lệ phí").is_visible()
    context.close()
