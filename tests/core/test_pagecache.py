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
from tests.procedures.fixtures import (
    JUSTICE,
    Catalogue,
    build_catalogue,
    make_legal_document,
    make_procedure,
    module_data,
    refetch,
)

pytestmark = pytest.mark.usefixtures("vietnamese")

ON = override_settings(PORTAL_PAGE_CACHE_SECONDS=300, PORTAL_PAGE_CACHE_MAX_AGE=60,
                       PORTAL_STATISTICS_REFRESH_SECONDS=60)


def build_site(home_page) -> dict:
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


@pytest.fixture(scope="module")
def site_data(django_db_setup, django_db_blocker):
    with translation.override("vi"):
        yield from module_data(django_db_blocker, build_site)


@pytest.fixture
def site(site_data, db, home_page):
    """The module's portal, as fresh instances (a test changes and saves them;
    its savepoint is rolled back)."""
    return {name: refetch(value) if isinstance(value, Catalogue) else type(value).objects.get(pk=value.pk)
            for name, value in site_data.items()}


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


# ---------------------------------------------------------------- who never gets a stored page


@ON
def test_a_signed_in_visitor_gets_a_fresh_private_page_and_never_the_stored_one(site):
    from tests.dossier_factories import make_citizen

    anonymous = get("/")
    assert anonymous[pagecache.STATUS_HEADER] == "miss"
    member = Client()
    member.force_login(make_citizen("pagecache-citizen"))
    signed_in = get("/", member)
    assert signed_in[pagecache.STATUS_HEADER] == "pass"
    assert "My dossiers" in signed_in.content.decode() or "Hồ sơ của tôi" in signed_in.content.decode()
    cache_control = signed_in["Cache-Control"]
    assert "private" in cache_control and "public" not in cache_control
    # the signed-in page was not stored either: strangers still get the anonymous copy
    again = get("/")
    assert again[pagecache.STATUS_HEADER] == "hit" and again.content == anonymous.content


@ON
def test_a_flash_message_is_never_stored_nor_shown_to_a_stranger(site):
    from allauth.account.models import EmailAddress

    from tests.dossier_factories import make_citizen

    citizen = make_citizen("pagecache-leaver")
    EmailAddress.objects.create(user=citizen, email=citizen.email, primary=True, verified=True)
    visitor = Client()
    visitor.force_login(citizen)
    with translation.override("vi"):
        out = visitor.post(reverse("account_logout"))
    assert out.status_code == 302
    assert "messages" in visitor.cookies and visitor.cookies["messages"].value, "allauth says goodbye in a cookie"
    assert settings_session_cookie() not in visitor.cookies or not visitor.cookies[settings_session_cookie()].value
    # the next page shows the message; it was neither looked up nor stored
    after = get("/", visitor)
    text = after.content.decode()
    assert 'class="notice' in text
    assert after[pagecache.STATUS_HEADER] == "pass" and "private" in after["Cache-Control"]
    stranger = get("/")
    assert 'class="notice' not in stranger.content.decode()
    assert stranger[pagecache.STATUS_HEADER] == "miss"


def settings_session_cookie() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


@ON
def test_pages_with_a_form_are_private_and_never_stored(site):
    for url in (reverse("lookup"), reverse("signing_verify"), reverse("feedback_complaint_new"),
                reverse("feedback_track"), reverse("questions_ask"), reverse("account_login")):
        first = get(url)
        assert first.status_code == 200, url
        assert "csrftoken" in first.cookies, url
        assert "private" in first["Cache-Control"] and "public" not in first["Cache-Control"], url
        assert first[pagecache.STATUS_HEADER] == "pass", url
        assert get(url)[pagecache.STATUS_HEADER] == "pass", url


@ON
def test_posts_api_tokens_and_the_admin_bypass_the_cache(site):
    posted = Client().post(reverse("lookup"), {})
    assert "private" in posted["Cache-Control"] and posted[pagecache.STATUS_HEADER] == "pass"
    with_token = get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert with_token.status_code == 401
    assert "no-store" in with_token["Cache-Control"] and "public" not in with_token["Cache-Control"]
    admin_login = get(reverse("wagtailadmin_login"))
    assert admin_login[pagecache.STATUS_HEADER] == "pass" and "private" in admin_login["Cache-Control"]


@ON
def test_a_preview_of_a_draft_is_never_stored(site):
    article = site["article"]
    article.title = "Bản nháp chưa đăng"
    article.save_revision()
    preview = article.make_preview_request()
    assert "Bản nháp chưa đăng" in preview.content.decode()
    assert preview.get(pagecache.STATUS_HEADER) in (None, "pass")
    public = get(site["article"].url)
    assert public[pagecache.STATUS_HEADER] == "miss"
    assert "Bản nháp chưa đăng" not in public.content.decode()


# ---------------------------------------------------------------- off


@override_settings(PORTAL_PAGE_CACHE_SECONDS=0)
def test_zero_seconds_turns_the_cache_off_without_a_single_lookup(site, monkeypatch):
    cache = pagecache.page_cache()
    reads, writes = [], []
    real_get, real_set = cache.get, cache.set
    monkeypatch.setattr(cache, "get", lambda key, *a, **kw: reads.append(key) or real_get(key, *a, **kw))
    monkeypatch.setattr(cache, "set", lambda key, *a, **kw: writes.append(key) or real_set(key, *a, **kw))
    for url in ("/", site["procedure"].url, reverse("search") + "?q=khai+sinh", "/api/v1/open/fields"):
        for _ in range(2):
            response = get(url)
            assert response.status_code == 200
            assert pagecache.STATUS_HEADER not in response
            assert "public" not in response.get("Cache-Control", "") or url.startswith("/api/")
    page_keys = [k for k in reads + writes if str(k).startswith("pagecache:")]
    assert page_keys == []


# ---------------------------------------------------------------- purges


def fresh(url: str) -> str:
    """The page as an anonymous visitor gets it now, after checking the
    cache held it (so a purge, not a miss, explains a change)."""
    response = get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def stored(url: str) -> str:
    get(url)
    response = get(url)
    assert response[pagecache.STATUS_HEADER] == "hit", url
    return response.content.decode()


@ON
def test_publishing_a_page_purges_it_and_the_pages_that_list_it(site):
    article, news = site["article"], site["news"]
    assert "Tin mới" in stored(article.url) and "Tin mới" in stored(news.url) and "Tin mới" in stored("/")
    article.title = "Tin đã sửa"
    article.save_revision().publish()
    for url in (article.url, news.url, "/"):
        response = get(url)
        assert response[pagecache.STATUS_HEADER] == "miss", url
        assert "Tin đã sửa" in response.content.decode(), url


@ON
def test_saving_a_draft_changes_nothing_public(site):
    article = site["article"]
    stored(article.url)
    article.title = "Nháp"
    article.save_revision()
    response = get(article.url)
    assert response[pagecache.STATUS_HEADER] == "hit" and "Nháp" not in response.content.decode()


@ON
def test_unpublishing_a_page_purges_it(site):
    article = site["article"]
    stored(article.url)
    article.unpublish()
    assert get(article.url).status_code == 404
    assert "Tin mới" not in fresh(site["news"].url)


@ON
def test_moving_a_page_purges_its_old_and_new_places(site, home_page):
    article = site["article"]
    old_url = article.url
    other = get_or_create_child(home_page, NewsIndexPage, "thong-bao", title="Thông báo")
    stored(old_url), stored(site["news"].url), stored(other.url)
    article.move(other, pos="last-child")
    article.refresh_from_db()
    gone = get(old_url)  # Wagtail leaves a redirect to the new place
    assert gone.status_code == 301 and gone["Location"] == article.url
    assert "Tin mới" not in fresh(site["news"].url)
    assert "Tin mới" in fresh(other.url)
    assert fresh(article.url)


@ON
def test_deleting_a_page_purges_it(site):
    article = site["article"]
    url = article.url
    stored(url), stored(site["news"].url)
    article.delete()
    assert get(url).status_code == 404
    assert "Tin mới" not in fresh(site["news"].url)


@ON
def test_editing_an_agency_snippet_purges_the_procedure_pages(site):
    agency = site["catalogue"].agencies[JUSTICE]
    procedure_url = site["procedure"].url
    assert "Sở Tư pháp" in stored(procedure_url)
    agency.name = "Sở Tư pháp tỉnh (tên mới)"
    agency.save()
    assert "Sở Tư pháp tỉnh (tên mới)" in fresh(procedure_url)


@ON
def test_editing_the_portal_settings_purges_every_page(site):
    portal = PortalSettings.load()
    stored("/"), stored(site["about"].url)
    portal.portal_name = "Cổng dịch vụ công (tên mới)"
    portal.save()
    assert "Cổng dịch vụ công (tên mới)" in fresh("/")
    assert "Cổng dịch vụ công (tên mới)" in fresh(site["about"].url)


@ON
def test_a_published_question_and_a_new_embedding_site_purge_what_shows_them(site):
    question, procedure = site["question"], site["procedure"]
    assert "Hỏi về khai sinh" in stored(procedure.url)
    question.title = "Câu hỏi đã sửa"
    question.save()
    assert "Câu hỏi đã sửa" in fresh(procedure.url)
    card = reverse("procedure_embed", args=[procedure.code])
    stored(card)
    EmbedOrigin.objects.create(agency=procedure.agency, origin="https://sotuphap.example.gov.vn")
    assert "https://sotuphap.example.gov.vn" in get(card)["Content-Security-Policy"]


@ON
def test_restricting_a_page_takes_the_public_copy_away_at_once(site):
    from wagtail.models import PageViewRestriction

    about = site["about"]
    stored(about.url)
    PageViewRestriction.objects.create(page=about, restriction_type=PageViewRestriction.LOGIN)
    response = get(about.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@ON
def test_purging_leaves_the_rest_of_a_shared_cache_alone(site):
    shared = caches["default"]
    assert pagecache.page_cache() is shared  # no PORTAL_PAGE_CACHE_URL: the default cache
    shared.set("rate-limit:192.0.2.1", 3, 600)
    stored("/")
    before = pagecache.generation()
    pagecache.purge()
    assert pagecache.generation() == before + 1
    assert shared.get("rate-limit:192.0.2.1") == 3
    assert get("/")[pagecache.STATUS_HEADER] == "miss"


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": "pagecache-test-default"},
                           "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                     "LOCATION": "pagecache-test-pages"}},
                   PORTAL_PAGE_CACHE_ALIAS="pages", PORTAL_PAGE_CACHE_SECONDS=300)
def test_a_dedicated_cache_holds_the_pages_when_configured(site):
    assert pagecache.page_cache() is caches["pages"]
    stored("/")
    assert caches["pages"].get(pagecache.GENERATION_KEY) is not None
    assert caches["default"].get(pagecache.GENERATION_KEY) is None
    caches["default"].clear()  # what the default cache holds has nothing to do with it
    assert get("/")[pagecache.STATUS_HEADER] == "hit"


# ---------------------------------------------------------------- counted on hits too


@ON
def test_a_search_and_a_procedure_view_answered_from_the_cache_still_count(site):
    from search import stats

    stats.discard()
    search = reverse("search") + "?q=khai+sinh"
    for _ in range(3):
        get(search)
        get(site["procedure"].url)
    payload = stats.take()
    assert [row[3] for row in payload["queries"]] == [3]
    assert [row[2] for row in payload["views"]] == [3]


# ---------------------------------------------------------------- ETag and 304


@pytest.mark.parametrize("cache_on", [True, False], ids=["cache-on", "cache-off"])
def test_pages_and_open_data_answer_a_matching_if_none_match_with_304(site, cache_on, settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 300 if cache_on else 0
    for url in ("/", site["procedure"].url, "/api/v1/open/fields", "/api/v1/open/procedures"):
        first = get(url)
        etag = first["ETag"]
        assert etag, url
        for _ in range(2):  # the second answer comes from the cache when it is on
            again = get(url, HTTP_IF_NONE_MATCH=etag)
            assert again.status_code == 304, url
            assert not again.content
        assert get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_open_data_is_public_with_a_max_age_and_private_api_answers_are_not(site, settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    answer = get("/api/v1/open/agencies")
    assert answer["Cache-Control"].startswith("public") and "max-age=" in answer["Cache-Control"]
    refused = get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer nope")
    assert "public" not in refused["Cache-Control"] and "no-store" in refused["Cache-Control"]


# ---------------------------------------------------------------- the middleware's place


def test_the_page_cache_wraps_every_middleware_that_varies_and_looks_up_last():
    from django.conf import settings

    chain = settings.MIDDLEWARE
    update, fetch = chain.index("core.pagecache.UpdateCacheMiddleware"), chain.index(
        "core.pagecache.FetchFromCacheMiddleware")
    assert fetch == len(chain) - 1
    for varies in ("django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.locale.LocaleMiddleware",
                   "api.middleware.ApiLanguageMiddleware", "core.csp.PortalCSPMiddleware"):
        assert update < chain.index(varies) < fetch, varies
    # 304s are made from what the cache stored, after it
    assert chain.index("django.middleware.http.ConditionalGetMiddleware") < update


# ---------------------------------------------------------------- the cache in front (Varnish, a CDN)


class PurgeRecorder:
    """A stand-in for Varnish on a loopback port: records each PURGE it
    receives (path and Host) and answers 200."""

    def __init__(self):
        import http.server
        import threading

        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):
                received.append((self.headers["Host"], self.path))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def location(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def varnish(settings):
    recorder = PurgeRecorder()
    settings.WAGTAILFRONTENDCACHE = {"varnish": {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": recorder.location}}
    yield recorder
    recorder.close()


def test_publishing_sends_purges_for_the_page_its_parent_and_the_home_page(site, varnish):
    article = site["article"]
    article.title = "Tin đã sửa"
    article.save_revision().publish()
    assert {path for _host, path in varnish.received} == {"/tin-tuc/tin-moi/", "/tin-tuc/", "/"}
    assert {host for host, _path in varnish.received} == {"localhost"}  # the Site's host name


def test_unpublishing_and_moving_purge_the_old_address(site, varnish, home_page):
    article = site["article"]
    other = get_or_create_child(home_page, NewsIndexPage, "thong-bao", title="Thông báo")
    varnish.received.clear()
    article.move(other, pos="last-child")
    assert {"/tin-tuc/tin-moi/", "/thong-bao/tin-moi/", "/tin-tuc/", "/thong-bao/", "/"} <= {
        path for _host, path in varnish.received}
    varnish.received.clear()
    article.refresh_from_db()
    article.unpublish()
    assert {path for _host, path in varnish.received} == {"/thong-bao/tin-moi/", "/thong-bao/", "/"}


def test_an_english_page_is_purged_at_its_english_address(site, varnish):
    english = site["about"].get_translation(Locale.objects.get(language_code="en"))
    english.title = "About us"
    english.save_revision().publish()
    assert {path for _host, path in varnish.received} == {"/en/about/", "/en/"}


def test_without_a_front_cache_nothing_is_sent(site, settings):
    recorder = PurgeRecorder()
    try:
        settings.WAGTAILFRONTENDCACHE = {}
        site["article"].save_revision().publish()
        assert recorder.received == []
    finally:
        recorder.close()


def test_the_caches_are_configured_from_the_environment(tmp_path):
    import json

    from tests.config.test_foundation_ops import _run_production

    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'front': s.WAGTAILFRONTENDCACHE, 'alias': s.PORTAL_PAGE_CACHE_ALIAS,"
        "'pages': s.CACHES['pages'], 'seconds': s.PORTAL_PAGE_CACHE_SECONDS, 'max_age': s.PORTAL_PAGE_CACHE_MAX_AGE,"
        "'apps': 'wagtail.contrib.frontend_cache' in s.INSTALLED_APPS}))"
    )
    result = _run_production(code, tmp_path, {
        "PORTAL_FRONTEND_CACHE_URL": "http://127.0.0.1:6081", "PORTAL_CLOUDFLARE_ZONE_ID": "zone-1",
        "PORTAL_CLOUDFLARE_API_TOKEN": "token-1", "PORTAL_PAGE_CACHE_URL": "redis://127.0.0.1:6379/3",
    })
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["front"] == {
        "http": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": "http://127.0.0.1:6081"},
        "cloudflare": {"BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
                       "ZONEID": "zone-1", "BEARER_TOKEN": "token-1"},
    }
    assert values["alias"] == "pages" and values["pages"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert (values["seconds"], values["max_age"], values["apps"]) == (300, 60, True)
    # a page cache of each worker's own would miss the others' purges
    refused = _run_production("import django; django.setup()", tmp_path, {"PORTAL_PAGE_CACHE_URL": "locmem://"})
    assert refused.returncode != 0 and "PORTAL_PAGE_CACHE_URL must name a cache shared" in refused.stderr
