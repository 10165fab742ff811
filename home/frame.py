"""What every page's header and footer shows (home link, main menu, the
Decree 43 links), computed once per language and kept in the cache until an
editor publishes, unpublishes, moves or deletes a page or changes the portal
settings. Without it the frame costs more queries than most pages' content.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from wagtail.models import Locale, Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from core.cache import VersionedCache
from core.disclosure import DisclosureKind, DisclosureSectionMixin

from .models import HomePage, PortalSettings

FRAME_CACHE = VersionedCache("portal.frame")
invalidate = FRAME_CACHE.invalidate


def _cached(name: str, language_code: str, build):
    return FRAME_CACHE.get_or_build(f"{name}.{language_code}", build)


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
        locale = Locale.objects.filter(language_code=language_code).first()
        if locale is None:
            return []
        order = {kind: i for i, kind in enumerate(DisclosureKind.values)}
        pages = []
        for model in apps.get_models():
            if issubclass(model, DisclosureSectionMixin) and issubclass(model, Page):
                pages += list(model.objects.live().public().filter(locale=locale).exclude(disclosure_kind=""))
        seen, links = set(), []
        for page in sorted(pages, key=lambda p: (order.get(p.disclosure_kind, 99), p.depth, p.path)):
            if page.disclosure_kind not in seen:
                seen.add(page.disclosure_kind)
                links.append(_link(page))
        return links

    return _cached("disclosure", language_code, build)


def _page_deleted(sender, **kwargs):
    if isinstance(kwargs.get("instance"), Page):
        invalidate()


def _settings_or_page_saved(sender, instance=None, **kwargs):
    # A page saved without publishing (e.g. show_in_menus edited by a script)
    # or the portal settings: both show in the frame.
    if isinstance(instance, PortalSettings | Page):
        invalidate()


def connect() -> None:
    """Called by HomeConfig.ready(): any change to the page tree or to the
    portal settings can change the frame."""
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(invalidate, dispatch_uid=f"portal-frame-{signal!r}")
    post_delete.connect(_page_deleted, dispatch_uid="portal-frame-post-delete")
    post_save.connect(_settings_or_page_saved, dispatch_uid="portal-frame-post-save")
