"""Page types, rendering in both languages, the language switcher,
hreflang alternates and the frame every page shares."""

import re

import pytest
from django.test import Client
from wagtail.models import Locale, Page
from wagtail.test.utils import WagtailPageTestCase

from home.models import HomePage, NewsIndexPage, NewsPage, StandardPage
from home.setup import ensure_site, get_or_create_child, translate_page


class PageTreeTests(WagtailPageTestCase):
    def setUp(self):
        self.home = ensure_site()

    def test_page_type_rules(self):
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanCreateAt(StandardPage, StandardPage)
        self.assertCanNotCreateAt(HomePage, NewsPage)
        self.assertCanNotCreateAt(StandardPage, HomePage)

    def test_editor_can_create_content_page_with_streamfield_body(self):
        body = self.rich_text_body = [
            {"type": "heading", "value": {"text": "Thủ tục cần biết", "level": "h2"}},
            {"type": "paragraph", "value": "<p>Nội dung <b>quan trọng</b>.</p>"},
            {"type": "callout", "value": {"kind": "warning", "title": "Lưu ý", "text": "<p>Mang theo bản chính.</p>"}},
            {"type": "table", "value": {"data": [["Cột A", "Cột B"], ["1", "2"]], "first_row_is_table_header": True,
                                        "first_col_is_header": False, "table_caption": "Bảng phí"}},
        ]
        page = get_or_create_child(self.home, StandardPage, "huong-dan-moi", title="Hướng dẫn mới", body=body)
        response = self.client.get(page.url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("<h2>Thủ tục cần biết</h2>", html)
        self.assertIn("<b>quan trọng</b>", html)
        self.assertIn('class="callout callout--warning"', html)
        self.assertIn("<th", html)
        self.assertIn("Bảng phí", html)

    def test_pages_render_in_both_languages(self):
        news_index = get_or_create_child(self.home, NewsIndexPage, "tin-tuc", title="Tin tức")
        news = get_or_create_child(news_index, NewsPage, "bai-mot", title="Bài một", summary="Tóm tắt")
        en_news = translate_page(news, "en", title="First article", slug="first-article", summary="Summary")
        for page in [self.home, news_index, news]:
            self.assertPageIsRenderable(page)
        response = self.client.get("/tin-tuc/bai-mot/")
        self.assertContains(response, '<html lang="vi">')
        self.assertContains(response, "Bài một")
        response = self.client.get(en_news.url)
        self.assertEqual(en_news.url, "/en/tin-tuc/first-article/")
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "First article")
        self.assertContains(response, "Skip to main content")

    def test_home_lists_latest_news_in_its_own_language(self):
        news_index = get_or_create_child(self.home, NewsIndexPage, "tin-tuc", title="Tin tức")
        news = get_or_create_child(news_index, NewsPage, "bai-moi", title="Tin tiếng Việt")
        translate_page(news, "en", title="English news")
        vi = self.client.get("/").content.decode()
        en = self.client.get("/en/").content.decode()
        self.assertIn("Tin tiếng Việt", vi)
        self.assertNotIn("English news", vi)
        self.assertIn("English news", en)
        self.assertNotIn("Tin tiếng Việt", en)


@pytest.mark.django_db
def test_locales_exist_after_migrate():
    assert set(Locale.objects.values_list("language_code", flat=True)) >= {"vi", "en"}


@pytest.mark.django_db
def test_ensure_site_is_idempotent():
    first = ensure_site()
    second = ensure_site()
    assert first.pk == second.pk
    assert HomePage.objects.count() == 2  # vi + en
    assert Page.objects.filter(depth=2).count() == 2


def _switcher_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    return {code: url for url, code in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', nav)}


def test_switcher_lands_on_the_same_page_translation(home_page):
    page = get_or_create_child(home_page, StandardPage, "gioi-thieu", title="Giới thiệu")
    translate_page(page, "en", title="About", slug="about")
    client = Client()
    assert _switcher_links(client.get("/gioi-thieu/").content.decode()) == {"en": "/en/about/"}
    assert _switcher_links(client.get("/en/about/").content.decode()) == {"vi": "/gioi-thieu/"}


def test_switcher_falls_back_to_that_languages_home(home_page):
    get_or_create_child(home_page, StandardPage, "chi-tieng-viet", title="Chỉ có tiếng Việt")
    html = Client().get("/chi-tieng-viet/").content.decode()
    assert _switcher_links(html) == {"en": "/en/"}
    # no hreflang alternate for a translation that does not exist
    assert 'hreflang="en"' not in html.split("</head>")[0]


def test_switcher_on_non_page_views_keeps_the_path(home_page):
    html = Client().get("/search/?q=abc").content.decode()
    assert _switcher_links(html) == {"en": "/en/search/?q=abc"}


def test_hreflang_alternates(home_page):
    page = get_or_create_child(home_page, StandardPage, "lien-he", title="Liên hệ")
    translate_page(page, "en", title="Contact", slug="contact")
    head = Client().get("/lien-he/").content.decode().split("</head>")[0]
    assert '<link rel="alternate" hreflang="vi" href="http://testserver/lien-he/">' in head
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/contact/">' in head
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/lien-he/">' in head


def test_frame_has_landmarks_search_and_login(home_page):
    html = Client().get("/").content.decode()
    for needle in ['<header class="site-header">', '<main id="main"', "<footer", 'role="search"',
                   'href="#main"', 'href="/accounts/login/"', 'name="q"']:
        assert needle in html
    assert 'href="/static/css/portal.css"' in html
    # nothing from a CDN
    assert not re.search(r'<script[^>]*src="(https?:)?//', html)
    assert not re.search(r'<link rel="stylesheet"[^>]*href="(https?:)?//', html)


def test_footer_links_disclosure_sections(home_page):
    page = get_or_create_child(home_page, StandardPage, "gioi-thieu", title="Giới thiệu", disclosure_kind="introduction")
    translate_page(page, "en", title="About us", slug="about-us")
    vi = Client().get("/").content.decode()
    footer = vi.split("<footer")[1]
    assert 'href="/gioi-thieu/">Giới thiệu</a>' in footer
    en_footer = Client().get("/en/").content.decode().split("<footer")[1]
    assert 'href="/en/about-us/">About us</a>' in en_footer


def test_unknown_page_is_a_translated_404(home_page):
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    response = Client().get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_frame_follows_editors_changes(home_page):
    client = Client()

    def menu(path="/"):
        html = client.get(path).content.decode()
        return re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0) if 'class="main-nav"' in html else ""

    assert "Dịch vụ mới" not in menu()
    page = get_or_create_child(home_page, StandardPage, "dich-vu-moi", title="Dịch vụ mới", show_in_menus=True)
    assert 'href="/dich-vu-moi/"' in menu()
    page.title = "Dịch vụ công mới"
    page.save_revision().publish()
    assert "Dịch vụ công mới" in menu()
    page.unpublish()
    assert "dich-vu-moi" not in menu()


def test_frame_is_cached_between_requests(home_page, django_assert_max_num_queries):
    page = get_or_create_child(home_page, StandardPage, "gioi-thieu", title="Giới thiệu", show_in_menus=True,
                               disclosure_kind="introduction")
    translate_page(page, "en", title="About", slug="about")
    client = Client()
    client.get("/gioi-thieu/")  # fills the cache
    # Wagtail routing and serving, the settings and this page's translations; the menu,
    # home link and disclosure links come from the cache
    with django_assert_max_num_queries(11):
        response = client.get("/gioi-thieu/")
    assert 'href="/gioi-thieu/"' in response.content.decode().split("<footer")[1]
