"""The page cache (core.pagecache): anonymous pages are stored and served
again without a query; nobody else ever gets a stored page; no public page
sets a cookie for an anonymous visitor; every kind of change editors make
to what public pages show purges it; 304s on pages and open data."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale

from core import pagecache
from home.models import NewsIndexPage, NewsPage, PortalSettings, StandardPage
from home.setup import get_or_create_child, translate_page
from procedures.models import EmbedOrigin
from tests.eform_factories import make_eform
from tests.procedures.fixtures import JUSTICE, build_catalogue, make_legal_document, make_procedure

pytestmark = pytest.mark.usefixtures("vietnamese")

ON = override_settings(PORTAL_PAGE_CACHE_SECONDS=300, PORTAL_PAGE_CACHE_MAX_AGE=60,
                       PORTAL_STATISTICS_REFRESH_SECONDS=60)


@pytest.fixture
def site(home_page):
    """A small portal: content pages, news, the catalogue with a procedure
    (and its e-form) in two languages, a legal document, a published
    question."""
    from feedback.models import PublishedQuestion

    catalogue = build_catalogue(home_page)
    decree = make_legal_document(catalogue.legal_index, "123/2015/NĐ-CP", "Nghị định về hộ tịch",
                                 "Decree on civil status")
    procedure = make_procedure(catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"],
                               catalogue.agencies[JUSTICE], level=3, legal=[decree], en_title="Birth registration")
    make_eform(procedure, translate=False)
    about = get_or_create_child(home_page, StandardPage, "gioi-thieu", title="Giới thiệu", summary="Về cổng")
    translate_page(about, "en", title="About", slug="about")
    news = get_or_create_child(home_page, NewsIndexPage, "tin-tuc", title="Tin tức")
    article = get_or_create_child(news, NewsPage, "tin-moi", title="Tin mới", summary="Tóm tắt")
    question = PublishedQuestion.objects.create(
        title="Hỏi về khai sinh", question_text="Câu hỏi?", answer="Trả lời.", procedure=procedure,
        published_at=timezone.now(), locale=procedure.locale,
    )
    return {"home": home_page, "catalogue": catalogue, "procedure": procedure, "decree": decree, "about": about,
            "news": news, "article": article, "question": question}


def public_urls(site) -> list[str]:
    """Every kind of public page an anonymous visitor GETs."""
    catalogue, procedure = site["catalogue"], site["procedure"]
    en = Locale.objects.get(language_code="en")
    return [
        "/", "/en/",
        site["about"].url, site["about"].get_translation(en).url,
        site["news"].url, site["article"].url,
        catalogue.index.url, catalogue.index.agency_url(JUSTICE), catalogue.index.field_url("ho-tich"),
        catalogue.en_index.url,
        procedure.url, procedure.get_translation(en).url,
        catalogue.legal_index.url, site["decree"].url,
        reverse("search"), reverse("search") + "?q=khai+sinh", reverse("search_suggest") + "?q=khai",
        reverse("statistics"), reverse("statistics_download", args=["figures", "csv"]),
        reverse("procedure_embed", args=[procedure.code]),
        reverse("questions_list"), reverse("questions_detail", args=[site["question"].translation_key]),
        reverse("feedback_complaints"),
        reverse("eforms_communes", args=["66"]),
        "/sitemap.xml", "/robots.txt",
        "/api/v1/open/fields", "/api/v1/open/procedures", f"/api/v1/open/procedures/{procedure.code}",
        "/api/v1/openapi.json",
    ]


def get(url, client=None, **headers):
    with translation.override("vi"):
        return (client or Client()).get(url, **headers)


# ---------------------------------------------------------------- stored and served again


@ON
def test_every_public_page_is_stored_without_a_cookie_and_served_again_without_a_query(
        site, django_assert_num_queries):
    for url in public_urls(site):
        first = get(url)
        assert first.status_code == 200, url
        assert not first.cookies, (url, first.cookies)
        assert first[pagecache.STATUS_HEADER] == "miss", url
        assert "public" in first["Cache-Control"], (url, first["Cache-Control"])
        assert "Cookie" in first["Vary"], url
        with django_assert_num_queries(0, info=url):
            again = get(url)
        assert again[pagecache.STATUS_HEADER] == "hit", url
        assert again.content == first.content, url
        assert not again.cookies, url
