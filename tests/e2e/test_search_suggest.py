"""The search box's suggestions listbox, by keyboard, in Chromium: ARIA
combobox pattern, arrows, Enter, Escape; and the plain GET
form with JavaScript off."""

from __future__ import annotations

import pytest

from tests.search.test_queries import build_catalogue


@pytest.fixture
def catalogue(transactional_db):
    return build_catalogue()


def test_keyboard_suggestions(page, catalogue, assert_accessible):
    page.goto("/search/")
    box = page.locator("#search-q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("dang ky kh", delay=30)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    option = listbox.get_by_role("option", name="Đăng ký khai sinh")
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert "gợi ý" in box.locator("xpath=..").locator("[role=status]").inner_text()
    assert_accessible(page)

    # Escape closes the list and keeps the text; ArrowDown opens it again
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert listbox.is_hidden()
    assert box.input_value() == "dang ky kh"

    box.press("ArrowDown")
    assert box.get_attribute("aria-expanded") == "true"
    first = listbox.get_by_role("option").first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert page.evaluate("document.activeElement.id") == "search-q"  # focus stays in the box

    # move to "Đăng ký khai sinh" with the arrows and open it with Enter
    options = listbox.get_by_role("option")
    titles = [options.nth(i).inner_text() for i in range(options.count())]
    target = next(i for i, text in enumerate(titles) if text.startswith("Đăng ký khai sinh"))
    for _ in range(target):
        box.press("ArrowDown")
    assert options.nth(target).get_attribute("aria-selected") == "true"
    if target:  # and back up one and down again: ArrowUp moves too
        box.press("ArrowUp")
        assert options.nth(target - 1).get_attribute("aria-selected") == "true"
        box.press("ArrowDown")
    with page.expect_navigation():
        box.press("Enter")
    assert page.locator("h1").inner_text() == "Đăng ký khai sinh"
    assert page.console_errors == []


def test_enter_without_a_chosen_option_submits_the_search(page, catalogue, assert_accessible):
    page.goto("/search/")
    box = page.locator("#search-q")
    box.press_sequentially("giay phep xay dung", delay=20)
    page.get_by_role("listbox").get_by_role("option").first.wait_for()
    with page.expect_navigation():
        box.press("Enter")
    assert "q=giay+phep+xay+dung" in page.url
    assert page.get_by_role("link", name="Cấp giấy phép xây dựng nhà ở riêng lẻ").is_visible()
    assert_accessible(page)
    assert page.console_errors == []


def test_search_works_without_javascript(browser, live_server, catalogue):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto("/search/")
        page.locator("#search-q").fill("dang ky khai sinh")
        page.locator("#search-q").press("Enter")
        page.wait_for_url("**/search/?q=dang+ky+khai+sinh*")
        assert page.get_by_role("link", name="Đăng ký khai sinh", exact=True).first.is_visible()
        page.get_by_role("link", name="Hộ tịch").first.click()
        assert "field=ho-tich" in page.url
    finally:
        context.close()
