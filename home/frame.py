"""What every page's header and footer shows (home link, main menu, the
Decree 43 links, the portal settings), and the parts of a page's frame that
depend on the page but not on the visitor (its breadcrumbs, its versions in
the other languages), computed once and kept in the content cache
(`core.pages`) until an editor publishes, unpublishes, moves, saves or
deletes a page or changes the portal settings. Without it the frame costs
more queries than most pages' content.
"""

from __future__ import annotations

import copy

from django.apps import apps
from django.conf import settings
from wagtail.models import Page

from core import pages
from core.disclosure import DisclosureKind, DisclosureSectionMixin

from .models import HomePage, NewsPage, PortalSettings

invalidate = pages.invalidate


def _cached(name: str, language_code: str, build):
    return pages.cached(f"frame.{name}.{language_code}", build)


def _link(page: Page) -> dict:
    return {"pk": page.pk, "title": page.title, "url": page.get_url()}


def locale_home(language_code: str) -> dict | None:
    """The home page of a language as {pk, title, url}, or None."""
    def build():
        home = HomePage.objects.live().filter(locale__language_code=language_code, depth=2).first()
        return _link(home) if home else {}

    return _cached("home", language_code, build) or None


def main_menu(language_code: str) -> list[dict]:
    def build():
        home = HomePage.objects.live().filter(locale__language_code=language_code, depth=2).first()
        if home is None:
            return []
        return [_link(page) for page in home.get_children().live().public().in_menu()]

    return _cached("menu", language_code, build)


def disclosure_links(language_code: str) -> list[dict]:
    """The home page of each Decree 43 kind in that language, in the decree's order."""

    def build():
        locale = pages.locale_for(language_code)
        if locale is None:
            return []
        order = {kind: i for i, kind in enumerate(DisclosureKind.values)}
        found = []
        for model in apps.get_models():
            if issubclass(model, DisclosureSectionMixin) and issubclass(model, Page):
                found += list(model.objects.live().public().filter(locale=locale).exclude(disclosure_kind=""))
        seen, links = set(), []
        for page in sorted(found, key=lambda p: (order.get(p.disclosure_kind, 99), p.depth, p.path)):
            if page.disclosure_kind not in seen:
                seen.add(page.disclosure_kind)
                links.append(_link(page))
        return links

    return _cached("disclosure", language_code, build)


def portal_settings() -> PortalSettings:
    """The portal settings (a copy of the cached row: callers may change it)."""
    return copy.copy(pages.cached("frame.settings", PortalSettings.load_from_database))


def latest_news(locale_id: int, count: int = 4) -> list[NewsPage]:
    """The newest live public news in a locale (without their bodies)."""

    def build():
        news = NewsPage.objects.live().public().filter(locale_id=locale_id).defer_streamfields()
        return list(news.order_by("-date", "-first_published_at")[:count])

    return pages.cached(f"frame.news.{locale_id}.{count}", build)


# ---------------------------------------------------------------- per page


def breadcrumbs(page: Page, request=None) -> list[dict]:
    """{pk, title, url} of the page's ancestors from the home page down."""

    def build():
        return [
            {"pk": p.pk, "title": p.title, "url": p.get_url(request=request)}
            for p in page.get_ancestors().filter(depth__gt=1)
        ]

    if not page.pk:
        return build()
    return pages.cached(f"frame.breadcrumbs.{page.pk}.{pages.site_id(request)}", build)


def _nearest_translated_ancestor_url(page: Page, code: str, request) -> str | None:
    ancestors = page.get_ancestors().filter(depth__gt=2).order_by("-depth")
    keys = list(ancestors.values_list("translation_key", flat=True))
    if not keys:
        return None
    translated = {
        p.translation_key: p
        for p in Page.objects.filter(translation_key__in=keys, locale__language_code=code).live().public()
    }
    for key in keys:
        if key in translated:
            return translated[key].get_url(request=request)
    return None


def page_versions(page: Page, request=None) -> list[dict]:
    """For each language: {code, name, url, same_page}: the URL of this page
    in that language, or, where it is not translated (`same_page` False),
    of its nearest translated ancestor, else of that language's home page,
    so the switcher never leads to a 404."""

    def build():
        translations = {
            p.locale.language_code: p for p in page.get_translations(inclusive=True).live().select_related("locale")
        }
        versions = []
        for code, name in settings.LANGUAGES:
            target = translations.get(code)
            if target is not None:
                versions.append({"code": code, "name": name, "url": target.get_url(request=request), "same_page": True})
                continue
            url = _nearest_translated_ancestor_url(page, code, request)
            if url is None:
                home = locale_home(code)
                url = home["url"] if home else "/"
            versions.append({"code": code, "name": name, "url": url, "same_page": False})
        return versions

    if not page.pk:
        return build()
    return pages.cached(f"frame.versions.{page.pk}.{pages.site_id(request)}", build)


def connect() -> None:
    """Called by HomeConfig.ready(): any change to the page tree (core.pages)
    or to the portal settings can change the frame."""
    pages.connect()
    pages.watch(PortalSettings)
