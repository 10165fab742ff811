"""The home app's demo content, in both languages: guidance on the online services, the home service and contacts,
news, and a section for each Decree 43 kind the home app holds."""

import io

import pytest
from django.utils import translation
from wagtail.models import Locale

from core.disclosure import DisclosureKind
from home import demo
from home.models import NewsPage, PortalSettings, StandardPage


@pytest.fixture
def loaded(db, settings):
    out = io.StringIO()
    demo.load(out)
    return out.getvalue()


def _live(model, language_code):
    return model.objects.live().filter(locale=Locale.objects.get(language_code=language_code))


def test_guidance_pages_exist_in_both_languages(loaded):
    vi = {p.slug: p for p in _live(StandardPage, "vi")}
    for slug in ("nop-ho-so-truc-tuyen", "dich-vu-cong-tai-nha", "lien-he"):
        page = vi[slug]
        assert page.get_parent().slug == "huong-dan"
        assert len(page.body) >= 1
        english = page.get_translation(Locale.objects.get(language_code="en"))
        assert english.live and english.title != page.title
    home_service = vi["dich-vu-cong-tai-nha"]
    assert "bưu điện" in home_service.title


def test_home_sections_cover_their_decree_43_kinds(loaded):
    kinds = set(_live(StandardPage, "vi").exclude(disclosure_kind="").values_list("disclosure_kind", flat=True))
    home_kinds = set(DisclosureKind.values) - {"legal_documents", "online_services", "news"}
    assert kinds == home_kinds
    en_kinds = set(_live(StandardPage, "en").exclude(disclosure_kind="").values_list("disclosure_kind", flat=True))
    assert en_kinds == home_kinds


def test_news_and_settings_in_both_languages(loaded):
    assert _live(NewsPage, "vi").count() == _live(NewsPage, "en").count() >= 4
    portal = PortalSettings.load()
    assert portal.portal_name.startswith("Cổng dịch vụ công") and portal.portal_name_en
    assert "Wagtail admin" in loaded


def test_loading_twice_changes_nothing(loaded):
    before = StandardPage.objects.count(), NewsPage.objects.count()
    demo.load(io.StringIO())
    assert (StandardPage.objects.count(), NewsPage.objects.count()) == before


# Things the portal does not do yet, which demo pages must not promise.
UNKEPT_PROMISES = ["98,6", "98.6", "tin nhắn", "text message", "SMS", "Nhân viên bưu điện sẽ liên hệ",
                   "postal officer contacts you", "can pay fees"]


def test_demo_pages_promise_only_what_the_portal_does(loaded, client):
    pages = [*_live(StandardPage, "vi"), *_live(StandardPage, "en"), *_live(NewsPage, "vi"), *_live(NewsPage, "en")]
    for page in pages:
        with translation.override(translation.get_language()):  # the request switches this thread's language
            response = client.get(page.url)
        assert response.status_code == 200, page.url
        text = response.content.decode()
        for phrase in UNKEPT_PROMISES:
            assert phrase not in text, (page.url, phrase)
