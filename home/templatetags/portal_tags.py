"""Template tags for the site frame: language switcher, hreflang, menus.

The per-language parts and a page's versions in the other languages come
from `home.frame`'s cache, and are worked out once per request.
"""

from __future__ import annotations

from django import forms, template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Page

from home import frame

register = template.Library()


def _language_versions(context) -> list[dict]:
    """For each language: the URL of this page in it, and whether that URL
    is really this page (False when we fall back to that language's home)."""
    request = context.get("request")
    cached = getattr(request, "_portal_language_versions", None)
    if cached is not None:
        return [dict(v) for v in cached]
    page = context.get("page")
    current = translation.get_language()
    if isinstance(page, Page) and page.pk:
        versions = [dict(v) for v in frame.page_versions(page, request)]
    else:
        versions = [
            {"code": code, "name": name, "same_page": True,
             "url": translate_url(request.get_full_path(), code) if request is not None else "/"}
            for code, name in settings.LANGUAGES
        ]
    for version in versions:
        version["current"] = version["code"] == current
    if request is not None:
        request._portal_language_versions = versions
    return [dict(v) for v in versions]


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


@register.simple_tag
def localized_home():
    """{pk, title, url} of the current language's home page (or the default's)."""
    return frame.locale_home(translation.get_language()) or frame.locale_home(settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def breadcrumb_links(context, page):
    """{pk, title, url} of the page's ancestors from the home page down."""
    return frame.breadcrumbs(page, context.get("request")) if isinstance(page, Page) else []


@register.simple_tag
def main_menu():
    return frame.main_menu(translation.get_language())


@register.simple_tag
def disclosure_links():
    return frame.disclosure_links(translation.get_language())


@register.filter
def error_target(field) -> str:
    """The id an error-summary link moves focus to: the first input of a
    radio or checkbox group or of a multi-part field, else the field itself."""
    if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.MultiWidget):
        return f"{field.auto_id}_0"
    return field.auto_id
