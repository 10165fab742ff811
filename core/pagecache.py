"""Whole pages for anonymous visitors, kept in a cache and purged when
editors change what they show.

Django's cache middleware pair, subclassed: ``UpdateCacheMiddleware`` first
in ``MIDDLEWARE`` (it stores a response after every other middleware has
added its headers), ``FetchFromCacheMiddleware`` last (it answers before the
view runs). Django's pair has no notion of "anonymous", so these classes
decide by the request's cookies and headers, never by ``request.user``
(reading it marks the session as used and costs a query):

* Only a GET or HEAD without a session cookie, a flash-message cookie or an
  ``Authorization`` header is looked up; only a GET's answer is stored.
  Signed-in visitors, a visitor with a message waiting (the ``messages``
  cookie: Django's default message storage keeps a message in a cookie that
  the page does not ``Vary`` on, so a stored copy would show it to the next
  visitor), API clients with a token, previews and the admin always get a
  fresh page, marked ``Cache-Control: private, no-cache``.
* Only a 200 that sets no cookie, varies on nothing but ``Cookie`` and
  ``Accept-Language`` (the active language is part of the key) and is not
  marked private is stored. A page that renders ``{% csrf_token %}`` sets
  the CSRF cookie, so it is never stored, and it is sent private too.
* A stored page goes out as ``Cache-Control: public,
  max-age=PORTAL_PAGE_CACHE_MAX_AGE, s-maxage=PORTAL_PAGE_CACHE_SECONDS`` and
  ``Vary: Cookie``: browsers keep it briefly (a purge cannot reach them),
  a shared cache in front (Varnish, a CDN) as long as this one, and a
  visitor who signs in is not handed the anonymous copy. A view that sets
  its own ``max-age`` keeps it, and the page is kept no longer than that.
* ``PORTAL_PAGE_CACHE_SECONDS = 0`` turns all of it off: no cache read or
  write, no public header.

Purging never flushes the cache, which may be the ``default`` cache shared
with rate limits and throttles: keys carry a generation number kept in the
cache itself, and :func:`purge` increments it, so every stored page is
orphaned at once and expires by itself. Receivers for Wagtail's own signals
(pages published, unpublished, moved or deleted; draftable snippets
published or unpublished; site settings, sites, view restrictions, images
and documents saved or deleted) are connected by :func:`connect`; each app
connects the models of its own that public pages show with
:func:`purge_on_change`.

Work a view does on every visit (counting a page view or a search) would be
skipped when the page comes from the cache: the view records it with
:func:`note`, and :data:`served_from_cache` hands the notes to receivers on
every later hit.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.middleware import cache as django_cache
from django.utils.cache import cc_delim_re, get_max_age, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from core.csp import is_admin_path

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
#: The response header that says what the page cache did while it is on: "hit",
#: "miss" (stored now) or "pass" (not for the cache).
STATUS_HEADER = "X-Page-Cache"
#: Vary headers the key already accounts for: Cookie (only cookie-less
#: visitors, as far as the portal's cookies go, are looked up) and
#: Accept-Language (the active language is in the key).
KEYED_VARY = frozenset({"cookie", "accept-language"})
PRIVATE_DIRECTIVES = frozenset({"private", "no-cache", "no-store"})

#: Sent when a page is served from the cache, with ``request`` and ``notes``
#: (what the view passed to :func:`note` when it rendered the page).
served_from_cache = Signal()


# ---------------------------------------------------------------- settings


def seconds() -> int:
    """How long a page is kept (``PORTAL_PAGE_CACHE_SECONDS``); 0 = off."""
    return max(0, int(getattr(settings, "PORTAL_PAGE_CACHE_SECONDS", 0) or 0))


def browser_max_age() -> int:
    """``max-age`` for browsers, never longer than the cache itself."""
    return max(0, min(int(getattr(settings, "PORTAL_PAGE_CACHE_MAX_AGE", 0) or 0), seconds()))


def page_cache():
    return caches[getattr(settings, "PORTAL_PAGE_CACHE_ALIAS", "default")]


def private_cookies() -> frozenset[str]:
    """Cookies that make a page personal: the session (signed in, a page
    password given, a complaint just sent) and waiting flash messages."""
    return frozenset({settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name})


# ---------------------------------------------------------------- generation and purge


def _initial_generation() -> int:
    # Milliseconds: if the generation key is ever evicted, a restarted count
    # cannot meet the number of a page still stored (far fewer than one
    # purge per millisecond happen).
    return int(time.time() * 1000)


def generation() -> int:
    cache = page_cache()
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _initial_generation(), None)
        value = cache.get(GENERATION_KEY, _initial_generation())
    return int(value)


def _bump() -> None:
    cache = page_cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # never set, or evicted
        cache.add(GENERATION_KEY, _initial_generation(), None)
        cache.incr(GENERATION_KEY)
    # Backends without an atomic increment (the database cache) write the
    # new number back with the default timeout: the generation must not expire.
    cache.touch(GENERATION_KEY, None)


def purge(**kwargs: Any) -> None:
    """Drop every stored page: one increment of the generation, nothing
    else in the cache is touched. Usable as a signal receiver.

    Inside a transaction the increment happens again once it commits: a
    page rendered meanwhile from the old rows is not kept."""
    try:
        _bump()
    except Exception:  # a cache outage must not break publishing
        logger.exception("page cache: purge failed")
        return
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump_quietly)


def _bump_quietly() -> None:
    try:
        _bump()
    except Exception:
        logger.exception("page cache: purge failed")


def purge_on_change(*models, when=None) -> None:
    """Purge whenever a row of one of ``models`` is saved or deleted (for
    snippets and other models public pages show). ``when(instance,
    **signal_kwargs)``, if given, decides whether a change matters."""
    for model in models:
        label = model._meta.label_lower

        def receiver(sender, instance=None, _when=when, **kwargs):
            if _when is None or _when(instance, **kwargs):
                purge()

        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"pagecache-delete-{label}")


# ---------------------------------------------------------------- notes replayed on hits


def note(request, name: str, value: Any) -> None:
    """Keep ``value`` (small, picklable) with the page being rendered for
    ``request``; every later hit of the stored page sends it in
    :data:`served_from_cache`'s ``notes``."""
    notes = getattr(request, "pagecache_notes", None)
    if notes is None:
        notes = request.pagecache_notes = {}
    notes[name] = value


# ---------------------------------------------------------------- which requests and responses


def is_private_request(request) -> bool:
    """A request whose answer is personal or changes something: never looked
    up nor stored, and answered ``private``."""
    if request.method not in ("GET", "HEAD"):
        return True
    if private_cookies() & request.COOKIES.keys():
        return True
    if request.headers.get("Authorization"):
        return True
    # Wagtail's previews run the middleware on a request of their own.
    if getattr(request, "is_preview", False) or getattr(request, "is_dummy", False):
        return True
    return is_admin_path(request.path_info)


def cache_control(response) -> dict[str, str | bool]:
    directives: dict[str, str | bool] = {}
    for field in cc_delim_re.split(response.get("Cache-Control", "")):
        if field.strip():
            name, _sep, value = field.strip().partition("=")
            directives[name.lower()] = value or True
    return directives


def vary_headers(response) -> set[str]:
    return {h.strip().lower() for h in cc_delim_re.split(response.get("Vary", "")) if h.strip()}


def storable_for(response) -> int:
    """Seconds a response to a cacheable request may be stored (0: not at all)."""
    if response.streaming or response.status_code != 200 or response.cookies:
        return 0
    directives = cache_control(response)
    if PRIVATE_DIRECTIVES & directives.keys():
        return 0
    if not vary_headers(response) <= KEYED_VARY:
        return 0  # Vary: * or a header the key does not hold
    timeout = seconds()
    shared = directives.get("s-maxage")
    own = int(shared) if isinstance(shared, str) and shared.isdigit() else get_max_age(response)
    return timeout if own is None else min(timeout, own)


def mark_private(request, response) -> None:
    """Unless the view said something itself: ``private, no-store`` for an
    answer to credentials (an API token: an agency's data), else ``private,
    no-cache`` (the browser may keep it, and asks again before using it)."""
    if response.has_header("Cache-Control"):
        return
    if request.headers.get("Authorization"):
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, private=True, no_cache=True)


def cache_key(request) -> str:
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"pagecache:{generation()}:{get_language() or settings.LANGUAGE_CODE}:{url}"


# ---------------------------------------------------------------- the middleware pair


class UpdateCacheMiddleware(django_cache.UpdateCacheMiddleware):
    """First in MIDDLEWARE: stores a cacheable page, and says in the
    response's headers who may keep it."""

    @property
    def cache(self):
        return page_cache()

    def process_response(self, request, response):
        key = getattr(request, "pagecache_key", None)
        timeout = storable_for(response) if key else 0
        if timeout:
            self.store(request, response, key, timeout)
            return response
        if response.cookies:
            # A page with a form (the CSRF cookie) or anything else personal.
            if response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
            else:
                mark_private(request, response)
        elif is_private_request(request):
            mark_private(request, response)
        if seconds() and (key or is_private_request(request)):
            response[STATUS_HEADER] = "pass"
        return response

    def store(self, request, response, key: str, timeout: int) -> None:
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True, max_age=min(browser_max_age(), timeout), s_maxage=timeout)
        elif "public" not in cache_control(response):
            patch_cache_control(response, public=True)  # the view's own max-age stays
        patch_vary_headers(response, ("Cookie",))
        try:
            self.cache.set(key, (getattr(request, "pagecache_notes", None) or {}, response), timeout)
        except Exception:
            logger.exception("page cache: store failed")
        response[STATUS_HEADER] = "miss"


class FetchFromCacheMiddleware(django_cache.FetchFromCacheMiddleware):
    """Last in MIDDLEWARE: answers an anonymous GET from the cache."""

    @property
    def cache(self):
        return page_cache()

    def process_request(self, request):
        if not seconds() or is_private_request(request):
            return None
        try:
            key = cache_key(request)
            entry = self.cache.get(key)
        except Exception:
            logger.exception("page cache: lookup failed")
            return None
        if entry is None:
            if request.method == "GET":
                request.pagecache_key = key  # UpdateCacheMiddleware stores the answer
            return None
        notes, response = entry
        response[STATUS_HEADER] = "hit"
        for receiver, error in served_from_cache.send_robust(sender=self.__class__, request=request, notes=notes):
            if isinstance(error, Exception):  # counting a visit must not cost the visitor the page
                logger.error("page cache: %r failed on a hit", receiver, exc_info=error)
        return response


# ---------------------------------------------------------------- Wagtail's signals


def _setting_changed(sender, instance=None, created=False, **kwargs) -> None:
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting

    # A setting is created with its defaults on first read (``load()``),
    # while a page renders: what pages showed already, nothing to purge.
    if isinstance(instance, BaseGenericSetting | BaseSiteSetting) and not created:
        purge()


def connect() -> None:
    """Called by CoreConfig.ready(): Wagtail's content and settings."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import CollectionViewRestriction, Locale, Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

    from . import frontend_cache

    for signal, name in ((page_published, "page-published"), (page_unpublished, "page-unpublished"),
                         (post_page_move, "page-moved"), (published, "published"), (unpublished, "unpublished")):
        signal.connect(purge, dispatch_uid=f"pagecache-{name}")
    # A live page deleted is unpublished first (Wagtail sends page_unpublished
    # from pre_delete); a deleted page of any kind is a Page row deleted.
    post_delete.connect(purge, sender=Page, dispatch_uid="pagecache-page-deleted")
    # Settings are saved, never published; any model, checked by class.
    post_save.connect(_setting_changed, dispatch_uid="pagecache-setting-saved")
    post_delete.connect(_setting_changed, dispatch_uid="pagecache-setting-deleted")
    # A new view restriction must take the public copy away at once; the
    # others change URLs, languages, pictures and files pages show.
    purge_on_change(Site, Locale, PageViewRestriction, CollectionViewRestriction, get_image_model(),
                    get_document_model())
    frontend_cache.connect()
