"""The language switcher never leads to a 404: on every page type (with and
without an English version) and on the main non-page views, every link it
offers answers 200; a page without English links to the nearest translated
ancestor or the English home page and says the page is not translated."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Page, get_page_models

from home.models import NewsIndexPage, NewsPage, StandardPage
from home.setup import get_or_create_child, translate_page

SWITCHER = re.compile(r'<nav class="language-switcher".*?</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)" hreflang="([a-z]+)"')


def _switcher_links(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    nav = SWITCHER.search(response.content.decode())
    assert nav, f"{url}: no language switcher"
    return nav.group(0), LINK.findall(nav.group(0))


def _assert_links_work(client, url):
    nav, links = _switcher_links(client, url)
    assert links, f"{url}: the switcher offers no other language"
    for href, code in links:
        response = client.get(href, follow=True)
        assert response.status_code == 200, (url, href, response.status_code)
        assert response.headers.get("Content-Language") == code, (url, href)
    return nav, links


@pytest.fixture
def tree(home_page):
    section = get_or_create_child(home_page, StandardPage, "gioi-thieu", title="Giới thiệu")
    translate_page(section, "en", title="About", slug="about")
    untranslated = get_or_create_child(section, StandardPage, "lich-su", title="Lịch sử")
    news = get_or_create_child(home_page, NewsIndexPage, "tin-tuc", title="Tin tức")
    article = get_or_create_child(news, NewsPage, "tin-moi", title="Tin mới")
    return {"section": section, "untranslated": untranslated, "news": news, "article": article}


@pytest.mark.django_db
def test_every_live_page_of_every_type_has_working_switcher_links(client, tree):
    from tests.dossier_factories import make_procedure

    make_procedure()
    seen_types = set()
    for page in Page.objects.live().filter(depth__gt=1).specific():
        url = page.get_url()
        if not url:
            continue
        seen_types.add(type(page))
        _assert_links_work(client, url)
    assert {NewsIndexPage, NewsPage, StandardPage} <= seen_types
    # every page model the portal routes a URL to was visited
    served = {m for m in get_page_models() if m is not Page and m.objects.live().exists()}
    assert served <= seen_types | {m for m in served if not m.objects.live().first().get_url()}


@pytest.mark.django_db
def test_a_page_without_english_links_to_the_nearest_translated_ancestor(client, tree):
    with translation.override("vi"):
        url = tree["untranslated"].get_url()
    nav, links = _assert_links_work(client, url)
    en = Locale.objects.get(language_code="en")
    assert {code: href for href, code in links}["en"] == tree["section"].get_translation(en).get_url()
    with translation.override("vi"):
        assert "(trang này chưa được dịch)" in nav or "(this page is not translated)" in nav


@pytest.mark.django_db
def test_a_page_without_english_under_an_untranslated_section_links_to_the_english_home(client, tree, en_home_page):
    nav, links = _assert_links_work(client, tree["article"].get_url())
    assert {code: href for href, code in links}["en"] == en_home_page.get_url()


@pytest.mark.django_db
def test_a_translated_page_links_to_its_translation_without_a_note(client, tree):
    nav, links = _assert_links_work(client, tree["section"].get_url())
    assert {code: href for href, code in links}["en"].rstrip("/").endswith("/about")
    assert "language-switcher__note" not in nav


@pytest.mark.django_db
def test_non_page_views_switch_to_working_addresses(client, home_page):
    from tests.dossier_factories import make_procedure

    procedure = make_procedure()
    code = getattr(procedure, "code", None)
    urls = ["/lookup/", "/en/lookup/", "/verify/", "/en/verify/", reverse("search")]
    if code:
        urls += [f"/p/{code}/", f"/en/p/{code}/"]
    for url in urls:
        _assert_links_work(client, url)
