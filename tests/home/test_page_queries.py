"""The home page asks little of the database for an anonymous visitor with
the page cache off (issue "Fast for every visitor": at most 10 queries, in
both languages), and what it takes from the content cache (core.pages)
follows editors' changes."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from home.models import NewsIndexPage, NewsPage, PortalSettings
from home.setup import get_or_create_child, translate_page
from procedures.models import ProcedurePage
from tests.procedures.fixtures import WARD, build_catalogue, make_procedure

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


@pytest.fixture
def portal(home_page):
    PortalSettings.load()  # made on first use: its save would refresh the content cache
    catalogue = build_catalogue(home_page)
    birth = make_procedure(catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"],
                           catalogue.agencies[WARD], usage=3, en_title="Birth registration")
    news_index = get_or_create_child(home_page, NewsIndexPage, "tin-tuc", title="Tin tức", show_in_menus=True)
    translate_page(news_index, "en", title="News", slug="news")
    news = get_or_create_child(news_index, NewsPage, "khai-truong", title="Khai trương cổng dịch vụ công",
                               date=datetime.date(2026, 11, 1), summary="Cổng mới.")
    translate_page(news, "en", title="The portal opens", slug="the-portal-opens")
    return {"catalogue": catalogue, "birth": birth, "news_index": news_index}


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_home_page_costs_at_most_ten_queries(portal, path, django_assert_max_num_queries):
    client = Client()
    client.get(path)  # the first visitor after a change fills the content cache
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    english = path == "/en/"
    for text in (("Birth registration", "The portal opens", "Civil status", "Most used procedures")
                 if english else ("Đăng ký khai sinh", "Khai trương cổng dịch vụ công", "Hộ tịch")):
        assert text in html, text


def test_home_page_follows_news_settings_and_use_at_once(portal):
    client = Client()
    assert "Tin thứ hai" not in client.get("/").content.decode()
    get_or_create_child(portal["news_index"], NewsPage, "tin-thu-hai", title="Tin thứ hai",
                        date=datetime.date(2026, 11, 20))
    settings = PortalSettings.load()
    settings.portal_name = "Cổng dịch vụ công tỉnh thử"
    settings.save()
    other = make_procedure(portal["catalogue"].index, "1.000894", "Đăng ký kết hôn", portal["catalogue"].fields["ho-tich"],
                           portal["catalogue"].agencies[WARD])
    html = client.get("/").content.decode()
    assert "Tin thứ hai" in html and "Cổng dịch vụ công tỉnh thử" in html and "(2 thủ tục)" in html
    assert "Đăng ký kết hôn" not in html  # never used yet
    for _ in range(5):
        ProcedurePage.objects.get(pk=other.pk).record_use()  # an UPDATE, no signal: read at every request
    assert "Đăng ký kết hôn" in client.get("/").content.decode()
