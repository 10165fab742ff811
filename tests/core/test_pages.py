"""core.pages and core.cache: what serving a page takes from the content
cache gives Wagtail's own answers, and follows every change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.views import serve

from core import pages
from core.cache import VersionedCache
from home.models import HomePage, PortalSettings, StandardPage
from home.setup import get_or_create_child, translate_page
from procedures.models import ProcedurePage
from tests.procedures.fixtures import JUSTICE, build_catalogue, make_procedure

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- the versioned cache


def test_local_namespace_builds_once_per_version_and_rebuilds_after_invalidation():
    space = VersionedCache("tests.local", local=True)
    built = []

    def build():
        built.append(1)
        return len(built)

    assert space.get_or_build("x", build) == 1
    assert space.get_or_build("x", build) == 1
    space.invalidate()
    assert space.get_or_build("x", build) == 2
    cache.clear()  # a flushed cache (or a new test) starts a new, unrelated version
    assert space.get_or_build("x", build) == 3


def test_another_workers_change_shows_from_the_next_request_on():
    space = VersionedCache("tests.requests", local=True)
    value = {"n": 1}
    request_started.send(sender=None)
    assert space.get_or_build("x", lambda: value["n"]) == 1
    cache.incr(space.version_key)  # what another worker's invalidate() does
    value["n"] = 2
    assert space.get_or_build("x", lambda: value["n"]) == 1  # one version for the whole request
    request_finished.send(sender=None)
    request_started.send(sender=None)
    assert space.get_or_build("x", lambda: value["n"]) == 2
    request_finished.send(sender=None)


def test_outside_a_request_every_read_asks_the_shared_version():
    space = VersionedCache("tests.outside", local=True)
    assert space.get_or_build("x", lambda: 1) == 1
    cache.incr(space.version_key)
    assert space.get_or_build("x", lambda: 2) == 2


# ---------------------------------------------------------------- routing


@pytest.fixture
def tree(home_page):
    PortalSettings.load()  # made on first use: its save would refresh the content cache
    catalogue = build_catalogue(home_page)
    procedure = make_procedure(catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"],
                               catalogue.agencies[JUSTICE], en_title="Birth registration")
    hidden = get_or_create_child(home_page, StandardPage, "an-di", title="Ẩn đi")
    inside = get_or_create_child(hidden, StandardPage, "ben-trong", title="Bên trong")
    hidden.unpublish()
    return {"catalogue": catalogue, "procedure": procedure, "hidden": hidden, "inside": inside}


def _outcome(route):
    try:
        page, args, kwargs = route()
    except Http404:
        return "404"
    args = [getattr(getattr(a, "__func__", a), "__name__", a) for a in args]
    return (page.pk, type(page).__name__, repr(args), kwargs)


@pytest.mark.parametrize("language, path", [
    ("vi", ""),
    ("vi", "thu-tuc-hanh-chinh/"),
    ("vi", "thu-tuc-hanh-chinh/dang-ky-khai-sinh/"),
    ("vi", "thu-tuc-hanh-chinh/co-quan/000_00_10_H30/"),
    ("vi", "thu-tuc-hanh-chinh/linh-vuc/ho-tich/"),
    ("vi", "thu-tuc-hanh-chinh/dang-ky-khai-sinh/them/"),
    ("vi", "thu-tuc-hanh-chinh/khong-co/"),
    ("vi", "khong-co/"),
    ("vi", "an-di/"),
    ("vi", "an-di/ben-trong/"),
    ("vi", "van-ban/"),
    ("en", ""),
    ("en", "procedures/birth-registration/"),
    ("en", "procedures/agency/000_00_10_H30/"),
    ("en", "procedures/no-such-page/"),
])
def test_routing_along_the_path_finds_what_wagtail_finds(tree, language, path):
    components = [part for part in path.split("/") if part]
    with translation.override(language):
        home = Site.objects.get(is_default_site=True).root_page.specific.localized
        assert isinstance(home, HomePage)
        ours = _outcome(lambda: home.route(RequestFactory().get("/" + path), components))
        wagtails = _outcome(lambda: Page.route(home, RequestFactory().get("/" + path), components))
    assert ours == wagtails


def test_a_page_is_found_in_two_queries_after_the_site(tree, client, django_assert_max_num_queries):
    url = tree["procedure"].url
    client.get(url)
    with django_assert_max_num_queries(2):  # the pages along the path, the procedure's own row
        assert client.get(url).status_code == 200


def test_the_home_pages_translation_is_wagtails(tree):
    vi_home = HomePage.objects.get(locale__language_code="vi", depth=2)
    with translation.override("en"):
        english = vi_home.localized
        assert english.locale.language_code == "en" and english.pk == Page.localized.fget(vi_home).pk
        english.title = "changed here"
        assert vi_home.localized.title != "changed here"  # every caller gets a copy
    with translation.override("vi"):
        assert vi_home.localized is vi_home


def test_site_middleware_hands_wagtail_the_cached_site(home_page, django_assert_num_queries):
    """Wagtail keeps the request's site in `request._wagtail_site`: if an
    upgrade renames it, `Site.find_for_request` queries again here."""
    middleware = pages.CachedSiteMiddleware(lambda request: None)
    request = RequestFactory().get("/")
    middleware.process_view(request, serve, (), {})
    with django_assert_num_queries(0):
        site = Site.find_for_request(request)
    assert site == Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page, HomePage) and site.root_page.pk == home_page.pk
    other = RequestFactory().get("/")
    middleware.process_view(other, serve, (), {})
    assert Site.find_for_request(other) is not site  # a copy per request


def test_a_changed_site_root_is_served_at_once(home_page, client):
    assert client.get("/").status_code == 200
    site = Site.objects.get(is_default_site=True)
    site.root_page = get_or_create_child(home_page, StandardPage, "goc-moi", title="Gốc mới")
    site.save()
    assert "Gốc mới" in client.get("/").content.decode()


# ---------------------------------------------------------------- locales and restrictions


def test_locales_and_localized_answer_like_wagtail(tree):
    field = tree["catalogue"].fields["ho-tich"]
    for code in ("vi", "en", "en-us"):
        with translation.override(code):
            assert pages.active_locale() == Locale.get_active()
            assert pages.localized(field) == field.localized
    assert pages.locale_for("fr") is None


def test_view_restrictions_still_apply_and_follow_changes(tree, client):
    procedure = tree["procedure"]
    assert client.get(procedure.url).status_code == 200
    assert list(ProcedurePage.objects.get(pk=procedure.pk).get_view_restrictions()) == []
    restriction = PageViewRestriction.objects.create(page=tree["catalogue"].index, restriction_type="login")
    response = client.get(procedure.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert list(ProcedurePage.objects.get(pk=procedure.pk).get_view_restrictions()) == [restriction]
    assert procedure.pk not in pages.public(ProcedurePage.objects.all()).values_list("pk", flat=True)
    restriction.delete()
    assert client.get(procedure.url).status_code == 200


def test_public_is_wagtails_public(tree):
    restriction = PageViewRestriction.objects.create(page=tree["hidden"], restriction_type="groups")
    restriction.groups.add(Group.objects.create(name="Cán bộ"))
    ours = set(pages.public(Page.objects.all()).values_list("pk", flat=True))
    assert ours == set(Page.objects.public().values_list("pk", flat=True))
    assert tree["inside"].pk not in ours


def test_an_alias_of_a_restricted_page_is_restricted(tree, client):
    source = tree["inside"]
    source.save_revision().publish()
    alias = source.create_alias(parent=tree["catalogue"].index.get_parent(), update_slug="ban-sao")
    PageViewRestriction.objects.create(page=source, restriction_type="login")
    assert pages.restricted_paths() and any(alias.path.startswith(p) for p in pages.restricted_paths())
    assert client.get("/ban-sao/").status_code == 302


def test_english_home_is_served_and_unknown_paths_are_404(tree, client):
    translate_page(tree["hidden"], "en", title="Hidden", slug="hidden")
    assert client.get("/en/").status_code == 200
    assert client.get("/en/procedures/birth-registration/").status_code == 200
    assert client.get("/khong-co/").status_code == 404
    assert client.get("/an-di/").status_code == 404
