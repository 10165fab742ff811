"""Purges of a cache in front of the portal (Varnish, a CDN), through
``wagtail.contrib.frontend_cache`` (``WAGTAILFRONTENDCACHE``, built from
the environment in ``config/settings/base.py``).

Wagtail itself purges a page's own URLs when it is published or
unpublished (also on delete, which unpublishes first). A page also shows in
its parent's listing and on its language's home page (latest news, most
used procedures), so those are purged with it; a move purges the page's old
address and both parents. Changes that show on every page (snippets, the
portal settings) cannot be purged URL by URL: the front cache drops those
copies when their ``s-maxage`` (``PORTAL_PAGE_CACHE_SECONDS``) runs out.

With no backend configured, nothing is computed and nothing is sent.
"""

from __future__ import annotations

import copy

from django.conf import settings
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page


def configured() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def _around(page: Page) -> list[Page]:
    """The parent and the language's home page of ``page``."""
    return list(page.get_ancestors().filter(depth__gte=2, depth__in=[2, page.depth - 1]))


def page_changed(sender, instance: Page, **kwargs) -> None:
    """page_published / page_unpublished: the listings that show the page."""
    if not configured():
        return
    batch = PurgeBatch()
    batch.add_pages(_around(instance))
    batch.purge()


def page_moved(sender, instance: Page, parent_page_before: Page, parent_page_after: Page,
               url_path_before: str, **kwargs) -> None:
    """post_page_move: the old address, the new one and both parents."""
    if not configured():
        return
    batch = PurgeBatch()
    before = copy.copy(instance)
    before.url_path = url_path_before
    batch.add_page(before)
    batch.add_page(instance)
    batch.add_pages(_around(instance))
    batch.add_pages([parent_page_before, parent_page_after])
    batch.purge()


def connect() -> None:
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(page_changed, dispatch_uid="frontend-cache-published")
    page_unpublished.connect(page_changed, dispatch_uid="frontend-cache-unpublished")
    post_page_move.connect(page_moved, dispatch_uid="frontend-cache-moved")
