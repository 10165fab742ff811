"""`/sitemap.xml`: every live public page of the site in both languages,
each with its `hreflang` alternates (its live translations and
`x-default`, the Vietnamese version), and the public views that are not
pages (the status look-up, the statistics, the document check) in both
languages.

Procedure pages are listed once, under their page address: `/p/<code>/`
only redirects there (301), so it is not a canonical address and is not
listed. Pages that only redirect (an e-form page sends citizens to
`/p/<code>/apply/`, which robots.txt keeps out) are left out, as is any
page whose `get_sitemap_urls()` returns nothing (Wagtail's way to say "not
in the sitemap").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET
from wagtail.models import Page, Site

#: Page types that are served as a redirect, never as a page of their own
#: (app label, model): listed by name so `home` needs no import of them.
REDIRECT_PAGE_TYPES = (("eforms", "eformpage"),)

#: Public views that are not pages. A tuple lists alternative names for one
#: view; the first that resolves is used, and a view that does not exist
#: (yet) is left out.
PUBLIC_VIEWS = (
    ("lookup",),
    ("statistics", "public_statistics", "reports_statistics"),
    ("signing_verify",),
)


@dataclass(frozen=True)
class PageEntry:
    page: Page
    path: str


def current_site(request) -> Site | None:
    site = Site.find_for_request(request)
    if site is None:
        site = Site.objects.select_related("root_page").filter(is_default_site=True).first()
    return site


def listed_pages(request):
    """The live, public pages under the site's root page and its
    translations (each language's home), in tree order."""
    site = current_site(request)
    if site is None:
        return Page.objects.none()
    roots = site.root_page.get_translations(inclusive=True)
    under_a_root = Q()
    for root in roots:
        under_a_root |= Q(path__startswith=root.path)
    redirecting = Q(pk__in=[])
    for app, model in REDIRECT_PAGE_TYPES:
        redirecting |= Q(app_label=app, model=model)
    excluded = ContentType.objects.filter(redirecting).values_list("pk", flat=True)
    return (
        Page.objects.live().public().filter(under_a_root).exclude(content_type_id__in=excluded)
        .select_related("locale").order_by("path").defer_streamfields().specific()
    )


class PageSitemap(Sitemap):
    """The pages, with their translations as alternates."""

    def __init__(self, request) -> None:
        self.request = request
        self.site = current_site(request)
        self.versions: dict = defaultdict(dict)

    def items(self) -> list[PageEntry]:
        entries = []
        for page in listed_pages(self.request):
            if not page.get_sitemap_urls(self.request):
                continue
            path = page.get_url(request=self.request, current_site=self.site)
            if not path or not path.startswith("/"):
                continue  # not routable, or on another site
            entries.append(PageEntry(page, path))
            self.versions[page.translation_key][page.locale.language_code] = path
        return entries

    def location(self, item: PageEntry) -> str:
        return item.path

    def lastmod(self, item: PageEntry):
        return item.page.last_published_at or item.page.latest_revision_created_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        order = [code for code, _name in settings.LANGUAGES]
        for info in urls:
            versions = self.versions[info["item"].page.translation_key]
            if len(versions) < 2:
                continue
            alternates = [{"lang_code": code, "location": base + versions[code]} for code in order if code in versions]
            if settings.LANGUAGE_CODE in versions:
                alternates.append({"lang_code": "x-default", "location": base + versions[settings.LANGUAGE_CODE]})
            info["alternates"] = alternates
        return urls


def public_view_names() -> list[str]:
    names = []
    for candidates in PUBLIC_VIEWS:
        for name in candidates:
            try:
                reverse(name)
            except NoReverseMatch:
                continue
            names.append(name)
            break
    return names


class ViewSitemap(Sitemap):
    """Views that are not pages, in every language (Django's i18n sitemap:
    the address is reversed with each language active)."""

    i18n = True
    alternates = True
    x_default = True

    def items(self) -> list[str]:
        return public_view_names()

    def location(self, item: str) -> str:
        return reverse(item)


@require_GET
def sitemap(request):
    sitemaps = {"pages": PageSitemap(request), "views": ViewSitemap()}
    return sitemap_views.sitemap(request, sitemaps)
