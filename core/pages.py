"""What serving a Wagtail page asks of the database on every request, and
which answers are the same for every visitor until an editor changes
something: the locales, which parts of the tree are restricted, the site
frame, a page's breadcrumbs and translations, the related content a page
shows.

They live in one versioned namespace (`CONTENT`, see `core.cache`) kept in
the shared cache and in each worker's memory. Any publish, unpublish, move,
save or delete of a page, any change to the view restrictions, locales or
sites, and any save or delete of a model an app registers with `watch()`
(settings, agencies, fields, documents, published questions) bumps its
version, so an edit shows on the next request of every worker. A request
reads the version once; everything else it takes from here is then free.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.db.models import Q
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import Http404
from django.http.request import split_domain_port
from django.utils import translation
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .cache import VersionedCache

CONTENT = VersionedCache("portal.content", local=True)
invalidate = CONTENT.invalidate


def cached(name: str, build: Callable[[], Any], timeout: int | None = None) -> Any:
    """`build()`'s value, built once per content version (and at most
    `timeout` seconds old when given: for what moves without a signal, such
    as usage counts). Treat it as read-only: workers share it between
    requests."""
    return CONTENT.get_or_build(name, build, timeout)


# ---------------------------------------------------------------- invalidation


def _instance_changed(sender, instance=None, **kwargs) -> None:
    if isinstance(instance, Page):
        invalidate()


def watch(*models) -> None:
    """Bump the content version whenever one of `models` is saved or deleted."""
    for model in models:
        label = model._meta.label
        post_save.connect(invalidate, sender=model, dispatch_uid=f"core-pages-save-{label}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"core-pages-delete-{label}")


def connect() -> None:
    """Called once from an app's `ready()` (home's): the page tree's own signals."""
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(invalidate, dispatch_uid=f"core-pages-{signal!r}")
    # every page type (a save of a page sends its own class as the sender)
    post_save.connect(_instance_changed, dispatch_uid="core-pages-page-save")
    post_delete.connect(_instance_changed, dispatch_uid="core-pages-page-delete")
    watch(PageViewRestriction, Locale, Site, get_image_model())
    document = get_document_model()
    post_save.connect(_document_saved, sender=document, dispatch_uid="core-pages-document-save")
    post_delete.connect(invalidate, sender=document, dispatch_uid="core-pages-document-delete")
    # A deploy runs `migrate`: values cached by the previous code may not
    # have the shape the new code expects.
    post_migrate.connect(_migrated, dispatch_uid="core-pages-migrate")


def _document_saved(sender, update_fields=None, **kwargs) -> None:
    # Wagtail fills in a document's size and hash the first time it is
    # asked for them (`get_file_size`): nothing shown changes.
    if update_fields and set(update_fields) <= {"file_size", "file_hash"}:
        return
    invalidate()


def _migrated(sender, **kwargs) -> None:
    try:
        invalidate()
    except DatabaseError:  # the database cache's table is made after the first migrate
        pass


# ---------------------------------------------------------------- locales


def _locales() -> dict[str, Locale]:
    return cached("locales", lambda: {locale.language_code: locale for locale in Locale.objects.all()})


def locale_for(language_code: str | None) -> Locale | None:
    """The Locale of a language code (a variant like `en-us` finds `en`),
    as `Locale.objects.get_for_language` finds it, without a query."""
    if not language_code:
        return None
    locales = _locales()
    if language_code in locales:
        return locales[language_code]
    try:
        return locales.get(get_supported_content_language_variant(language_code))
    except LookupError:
        return None


def locale_by_id(pk: int | None) -> Locale | None:
    return next((locale for locale in _locales().values() if locale.pk == pk), None)


def default_locale() -> Locale | None:
    return locale_for(settings.LANGUAGE_CODE)


def active_locale() -> Locale | None:
    """`Locale.get_active()` without a query: the active language's locale,
    else the default language's."""
    return locale_for(translation.get_language()) or default_locale()


def language_of(instance) -> str:
    """The language code of a translatable object (its `locale.language_code`)."""
    locale = locale_by_id(instance.locale_id)
    return locale.language_code if locale else instance.locale.language_code


def localized(instance):
    """What Wagtail's `instance.localized` returns (its translation in the
    active language, if there is one and, for pages and other draftable
    models, it is live; else the instance), with the locale looked up in
    the cache: a query only when a translation must really be fetched."""
    locale = active_locale()
    if locale is None or not getattr(settings, "WAGTAIL_I18N_ENABLED", False) or locale.pk == instance.locale_id:
        return instance
    translated = instance.get_translation_or_none(locale)
    if translated is None or (hasattr(translated, "live") and not translated.live):
        return instance
    return translated


# ---------------------------------------------------------------- view restrictions


def _restrictions() -> dict[str, tuple[str, ...]]:
    """The tree paths of the pages holding a view restriction ("holders"),
    and of those and the aliases of those ("in_effect": an alias takes its
    source's restrictions, `Page.get_view_restrictions`)."""

    def build():
        holders = set(PageViewRestriction.objects.values_list("page_id", flat=True))
        if not holders:
            return {"holders": (), "in_effect": ()}
        held = Page.objects.filter(pk__in=holders)
        aliases = Page.objects.filter(alias_of__in=holders)
        return {
            "holders": tuple(sorted(held.values_list("path", flat=True))),
            "in_effect": tuple(sorted(set(held.filter(alias_of__isnull=True).values_list("path", flat=True))
                                      | set(aliases.values_list("path", flat=True)))),
        }

    return cached("restrictions", build)


def restricted_paths() -> tuple[str, ...]:
    """The tree paths under which Wagtail's view restrictions may apply to a page."""
    return _restrictions()["in_effect"]


def public(queryset):
    """`queryset.public()` (no page in a restricted subtree) with the
    restricted pages taken from the cache instead of a query each time."""
    q = Q()
    for path in _restrictions()["holders"]:
        q |= Q(path__startswith=path)
    return queryset.exclude(q) if q else queryset


class CachedViewRestrictionsMixin:
    """For page models: Wagtail checks a page's view restrictions on every
    request, two queries (its ancestors, then their restrictions) even
    where there is none. A page outside every restricted subtree answers
    from the cache with an empty queryset; any other page asks Wagtail."""

    def get_view_restrictions(self):
        paths = restricted_paths()
        if self.path and not any(self.path.startswith(path) for path in paths):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


# ---------------------------------------------------------------- routing


def _handles_path_itself(page: Page, remaining: list[str]) -> bool:
    """Whether Wagtail's routing would stop at `page` rather than look for
    its child `remaining[0]`: a page type with a `route` of its own does
    (unknown rules: it gets the rest of the path), a routable page does when
    one of its routes takes the rest of the path (as
    `RoutablePageMixin.route` decides), a plain page never does."""
    cls = page.specific_class
    if cls is None or cls.route is Page.route:
        return False
    if cls.route is RoutablePageMixin.route:
        if not page.live:
            return False
        try:
            cls.get_resolver().resolve("/" + "/".join(remaining) + "/")
        except Http404:
            return False
    return True


class SiteRootPageMixin:
    """For the page type at a site's root (and its translations). Wagtail
    serves a page by asking the site's root page for its version in the
    active language (`localized`) and then walking the URL one segment at a
    time, two queries each (the child by its slug, then its specific row).
    Here the root's translations come from the content cache, and `route`
    reads every page along the path in one query and only the last one's
    specific row, then hands the rest of the path to that page's own
    `route()` (so routable pages, e-forms and the live check behave as
    before). A page type on the way with routing of its own takes over
    there."""

    @property
    def localized(self):
        """Wagtail's `localized`: this page in the active language when that
        translation exists and is live, else this page (a copy from the cache)."""
        locale = active_locale()
        if locale is None or locale.pk == self.locale_id or not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            return self

        def build():
            translated = self.get_translation_or_none(locale)
            return _frozen(translated.specific) if translated is not None and translated.live else False

        translated = cached(f"root-translation.{self.pk}.{locale.pk}", build)
        return pickle.loads(translated) if translated else self

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        wanted = Q()
        for offset, slug in enumerate(path_components, start=1):
            wanted |= Q(depth=self.depth + offset, slug=slug)
        along = {
            (page.path[: -Page.steplen], page.slug): page
            for page in Page.objects.filter(wanted, path__startswith=self.path)
        }
        current, index = self, 0
        while index < len(path_components):
            if current is not self and _handles_path_itself(current, path_components[index:]):
                break
            child = along.get((current.path, path_components[index]))
            if child is None:
                raise Http404
            current, index = child, index + 1
        if current is self:
            return super().route(request, path_components)
        return current.specific.route(request, path_components[index:])


# ---------------------------------------------------------------- the request's site


def _frozen(instance) -> bytes:
    """A model instance as bytes, unpickled into a copy of its own by each
    request (quicker than a deep copy)."""
    return pickle.dumps(instance, pickle.HIGHEST_PROTOCOL)


def site_for_request(request) -> Site | None:
    """`Site.find_for_request(request)`, kept per host and port in the
    content cache with its root page in its specific type (a copy for each
    request: Wagtail keeps it on the request, and serves the root page)."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return Site.find_for_request(request)
    hostname, port = split_domain_port(host)[0], request.get_port()

    def build():
        site = Site.find_for_request(request)
        if site is None:
            return False
        site.root_page = site.root_page.specific
        return _frozen(site)

    site = cached(f"site.{hostname}.{port}", build)
    return pickle.loads(site) if site else None


class CachedSiteMiddleware:
    """Wagtail finds the request's site with a query (annotated to rank the
    host matches) for every page it serves, and keeps the answer on the
    request in an attribute of its own. For a page request (a GET or HEAD
    that Wagtail's `serve` view answers) this hands it the cached answer
    (`site_for_request`) in that attribute; `tests/core/test_pages.py`
    fails if an upgrade of Wagtail keeps it elsewhere."""

    def __init__(self, get_response):
        from wagtail.views import serve  # loads the page model: not before the apps are ready

        self.get_response = get_response
        self.serve = serve

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is self.serve and request.method in ("GET", "HEAD"):
            request._wagtail_site = site_for_request(request)
        return None


# ---------------------------------------------------------------- per-request helpers


def site_id(request) -> int | None:
    """The id of the request's Wagtail site (found once per request by
    Wagtail's routing), part of the key of anything holding page URLs:
    `Page.get_url(request)` gives a path on the request's own site and a
    full URL on another."""
    site = Site.find_for_request(request) if request is not None else None
    return site.pk if site else None
