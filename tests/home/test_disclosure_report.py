"""The Decree 43 disclosure report flags missing and stale kinds per language."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Page

from core.disclosure import DisclosureKind
from home.disclosure_report import MISSING, OK, STALE, disclosure_coverage
from home.models import NewsIndexPage, NewsPage, StandardPage
from home.setup import get_or_create_child, translate_page


def _row(report, kind):
    return {lang.language_code: lang for lang in next(r for r in report if r.kind == kind).languages}


@pytest.fixture
def sections(home_page):
    intro = get_or_create_child(home_page, StandardPage, "gioi-thieu", title="Giới thiệu", disclosure_kind="introduction")
    get_or_create_child(intro, StandardPage, "lanh-dao", title="Lãnh đạo")
    translate_page(intro, "en", title="About", slug="about")
    news = get_or_create_child(home_page, NewsIndexPage, "tin-tuc", title="Tin tức", disclosure_kind="news")
    get_or_create_child(news, NewsPage, "tin-cu", title="Tin cũ")
    # The news section was last published long ago: stale in Vietnamese, missing in English.
    old = timezone.now() - datetime.timedelta(days=400)
    Page.objects.descendant_of(news, inclusive=True).update(last_published_at=old)
    return intro, news


def test_report_lists_every_kind_of_article_10(sections):
    report = disclosure_coverage()
    assert [row.kind for row in report] == list(DisclosureKind.values)
    assert len(report) == 11


def test_report_counts_pages_and_flags_missing_and_stale(sections):
    report = disclosure_coverage(stale_days=90)
    intro = _row(report, "introduction")
    assert intro["vi"].status == OK and intro["vi"].pages == 2  # the section and the page below it
    assert intro["en"].status == OK and intro["en"].pages == 1
    assert intro["vi"].last_updated is not None
    news = _row(report, "news")
    assert news["vi"].status == STALE and news["vi"].pages == 2
    assert news["en"].status == MISSING and news["en"].pages == 0
    science = _row(report, "science")
    assert science["vi"].status == MISSING and science["en"].status == MISSING
    assert next(r for r in report if r.kind == "news").status == MISSING


def test_stale_threshold_is_configurable(sections, settings):
    settings.DISCLOSURE_STALE_DAYS = 1000
    assert _row(disclosure_coverage(), "news")["vi"].status == OK
    settings.DISCLOSURE_STALE_DAYS = 30
    assert _row(disclosure_coverage(), "news")["vi"].status == STALE


def test_unpublished_pages_do_not_count(home_page):
    page = get_or_create_child(home_page, StandardPage, "chien-luoc", title="Chiến lược", disclosure_kind="strategy")
    assert _row(disclosure_coverage(), "strategy")["vi"].status == OK
    page.unpublish()
    assert _row(disclosure_coverage(), "strategy")["vi"].status == MISSING


def test_admin_report_page(sections, admin_client_with_second_factor):
    response = admin_client_with_second_factor.get("/admin/reports/disclosure/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kind="news" data-language="vi" data-status="stale"' in html
    assert 'data-kind="news" data-language="en" data-status="missing"' in html
    assert 'data-kind="introduction" data-language="vi" data-status="ok"' in html


def test_admin_report_refuses_anonymous(sections, client):
    response = client.get("/admin/reports/disclosure/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
