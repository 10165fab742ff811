"""Template tags for the site frame: language switcher, hreflang, menus."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Locale, Page

from home.disclosure import DisclosureKind
from home.models import HomePage

register = template.Library()


def _locale_home(language_code: str):
    return HomePage.objects.live().filter(locale__language_code=language_code, depth=2).first()


def _language_versions(context) -> list[dict]:
    """For each language: the URL of this page in it, and whether that URL
    is really this page (False when we fall back to that language's home)."""
    request = context.get("request")
    page = context.get("page")
    current = translation.get_language()
    versions = []
    translations = {}
    if isinstance(page, Page) and page.pk:
        translations = {
            p.locale.language_code: p for p in page.get_translations(inclusive=True).live().select_related("locale")
        }
    for code, name in settings.LANGUAGES:
        same_page = True
        if isinstance(page, Page) and page.pk:
            target = translations.get(code)
            if target is None:
                same_page = False
                target = _locale_home(code)
            url = target.get_url(request=request) if target else "/"
        elif request is not None:
            url = translate_url(request.get_full_path(), code)
        else:
            url = "/"
        versions.append({"code": code, "name": name, "url": url, "current": code == current, "same_page": same_page})
    return versions


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    return {"versions": _language_versions(context)}


@register.inclusion_tag("includes/hreflang.html", takes_context=True)
def hreflang_links(context):
    request = context.get("request")
    versions = [v for v in _language_versions(context) if v["same_page"]]
    base = f"{request.scheme}://{request.get_host()}" if request else ""
    for version in versions:
        if version["url"].startswith("/"):
            version["url"] = base + version["url"]
    default = next((v for v in versions if v["code"] == settings.LANGUAGE_CODE), None)
    return {"versions": versions, "default": default}


@register.simple_tag(takes_context=True)
def localized_home(context):
    return _locale_home(translation.get_language()) or _locale_home(settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def main_menu(context):
    home = localized_home(context)
    if home is None:
        return Page.objects.none()
    return home.get_children().live().public().in_menu().specific()


@register.simple_tag
def disclosure_links():
    """The home page of each Decree 43 kind in the current language, in the
    decree's order."""
    from home.models import DisclosureSectionMixin

    locale = Locale.get_active()
    order = {kind: i for i, kind in enumerate(DisclosureKind.values)}
    pages = []
    for model in _disclosure_models():
        pages += list(model.objects.live().public().filter(locale=locale).exclude(disclosure_kind=""))
    pages = [p for p in pages if isinstance(p, DisclosureSectionMixin)]
    seen, links = set(), []
    for page in sorted(pages, key=lambda p: (order.get(p.disclosure_kind, 99), p.depth, p.path)):
        if page.disclosure_kind not in seen:
            seen.add(page.disclosure_kind)
            links.append(page)
    return links


def _disclosure_models():
    from django.apps import apps

    from home.models import DisclosureSectionMixin

    return [m for m in apps.get_models() if issubclass(m, DisclosureSectionMixin) and not m._meta.abstract]
