"""Template tags for the site frame: language switcher, hreflang, menus.

The per-language parts come from `home.frame`'s cache; the per-page part
(this page's translations) is worked out once per request.
"""

from __future__ import annotations

from django import forms, template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Page

from home import frame

register = template.Library()


def _nearest_translated_ancestor_url(page, code: str, request) -> str | None:
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


def _language_versions(context) -> list[dict]:
    """For each language: the URL of this page in it, and whether that URL
    is really this page (False when we fall back to that language's home)."""
    request = context.get("request")
    cached = getattr(request, "_portal_language_versions", None)
    if cached is not None:
        return [dict(v) for v in cached]
    page = context.get("page")
    current = translation.get_language()
    is_page = isinstance(page, Page) and page.pk
    translations = {}
    if is_page:
        translations = {
            p.locale.language_code: p for p in page.get_translations(inclusive=True).live().select_related("locale")
        }
    versions = []
    for code, name in settings.LANGUAGES:
        same_page = True
        if is_page:
            target = translations.get(code)
            if target is not None:
                url = target.get_url(request=request)
            else:
                # Never a dead link: the nearest ancestor that exists in that
                # language, else that language's home page.
                same_page = False
                url = _nearest_translated_ancestor_url(page, code, request)
                if url is None:
                    home = frame.locale_home(code)
                    url = home["url"] if home else "/"
        elif request is not None:
            url = translate_url(request.get_full_path(), code)
        else:
            url = "/"
        versions.append({"code": code, "name": name, "url": url, "current": code == current, "same_page": same_page})
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
