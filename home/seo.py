"""What search engines and link previews read (DESIGN.md, "Public URLs"):
`/robots.txt`, the canonical address and the Open Graph tags of a page,
and the safe serialisation of schema.org JSON-LD data blocks.

The sitemap is `home.sitemaps`; the hreflang links are
`home.templatetags.portal_tags.hreflang_links`.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_from_path
from django.views.decorators.http import require_GET
from wagtail.models import Page

# ---------------------------------------------------------------- robots.txt

#: Where crawlers have nothing to do: (URL name, arguments, how much of the
#: address to keep). "segment" keeps the first path segment (after the
#: language prefix); "pattern" keeps the whole address with each argument
#: turned into the wildcard `*` (understood by Google, Bing and Cốc Cốc).
#: Names that do not resolve (an app not installed) are skipped.
ROBOTS_DISALLOW = (
    ("wagtailadmin_home", {}, "segment"),  # the Wagtail admin, page previews and drafts
    ("account_login", {}, "segment"),  # sign-in, sign-up, profile, privacy
    ("my_dossiers", {}, "segment"),  # My dossiers, receipts, documents, payments of a dossier
    ("dossier_submitted", {"code": "CODE"}, "segment"),
    ("dossier_attachment", {"public_id": "00000000-0000-0000-0000-000000000000"}, "segment"),
    ("procedure_apply", {"code": "CODE"}, "pattern"),  # the e-forms and their drafts
    ("payment_return", {"public_id": "00000000-0000-0000-0000-000000000000"}, "segment"),
    ("payments_callbacks:ipn", {"provider": "vnpay"}, "segment"),  # payment providers' notifications
    ("api_v1:api_open_fields", {}, "segment"),  # the back-office API (open data has its own formats)
    ("oauth2_token", {}, "segment"),
    ("wagtailcore_login_closed", {}, "segment"),
    ("eforms_communes", {"province": "PROVINCE"}, "segment"),  # a helper of the e-forms
    ("sms_inbound", {}, "segment"),  # the SMS gateway's webhook
    # the forms of questions and feedback, their confirmation links and the tracking look-up
    ("questions_ask", {}, "pattern"),
    ("questions_verify", {"token": "TOKEN"}, "pattern"),
    ("feedback_complaint_new", {}, "pattern"),
    ("feedback_complaint_sent", {}, "pattern"),
    ("feedback_track", {}, "pattern"),
)


def first_segment(path: str) -> str:
    """`/en/accounts/login/` → `/en/accounts/`; `/admin/` → `/admin/`."""
    language = get_language_from_path(path)
    prefix = f"/{language}" if language and path.startswith(f"/{language}/") else ""
    segment = path[len(prefix):].lstrip("/").split("/", 1)[0]
    return f"{prefix}/{segment}/"


def disallowed_paths() -> list[str]:
    paths: list[str] = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for name, kwargs, keep in ROBOTS_DISALLOW:
                try:
                    path = reverse(name, kwargs=kwargs)
                except NoReverseMatch:
                    continue
                if keep == "pattern":
                    for value in kwargs.values():
                        path = path.replace(value, "*")
                else:
                    path = first_segment(path)
                if path not in paths:
                    paths.append(path)
    return paths


@require_GET
def robots_txt(request) -> HttpResponse:
    lines = ["User-agent: *"]
    if getattr(settings, "PORTAL_ROBOTS_DISALLOW_ALL", False):
        lines.append("Disallow: /")  # a staging or test deployment
    else:
        lines += [f"Disallow: {path}" for path in disallowed_paths()]
    try:
        lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    except NoReverseMatch:
        pass
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# ---------------------------------------------------------------- canonical and Open Graph

#: Open Graph wants language_TERRITORY.
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}
#: Attributes a page type may use for its picture (the first that holds an image wins).
IMAGE_ATTRIBUTES = ("og_image", "social_image", "feed_image", "image", "header_image")
DESCRIPTION_ATTRIBUTES = ("search_description", "summary", "intro")
DESCRIPTION_LENGTH = 300


def canonical_url(request) -> str:
    """The address of what is shown, absolute, without query parameters
    except a page number beyond the first (listings)."""
    url = request.build_absolute_uri(request.path)
    page_number = request.GET.get("page", "")
    if page_number.isdigit() and int(page_number) > 1:
        url += f"?page={int(page_number)}"
    return url


def page_image(page):
    for name in IMAGE_ATTRIBUTES:
        image = getattr(page, name, None)
        if image is not None and hasattr(image, "get_rendition"):
            return image
    return None


def page_description(page) -> str:
    for name in DESCRIPTION_ATTRIBUTES:
        value = getattr(page, name, "")
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return text if len(text) <= DESCRIPTION_LENGTH else text[: DESCRIPTION_LENGTH - 1].rstrip() + "…"
    return ""


def open_graph(request, page=None, *, title: str = "", description: str = "", site_name: str = "") -> dict:
    """The values of the Open Graph tags of the page being shown."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    is_page = isinstance(page, Page)
    if is_page:
        title = page.seo_title or page.title
        description = page_description(page) or description
    data = {
        "type": "website",
        "title": title or site_name,
        "description": description,
        "url": canonical_url(request),
        "site_name": site_name,
        "locale": OG_LOCALES.get(language, language),
        "alternate_locales": [OG_LOCALES.get(code, code) for code, _name in settings.LANGUAGES if code != language],
        "image": None,
    }
    image = page_image(page) if is_page else None
    if image is not None:
        rendition = image.get_rendition("fill-1200x630")
        data["image"] = {"url": request.build_absolute_uri(rendition.url), "width": rendition.width,
                         "height": rendition.height, "alt": getattr(image, "default_alt_text", "") or image.title}
    return data


# ---------------------------------------------------------------- JSON-LD

# What Django's json_script escapes, so the data cannot close its <script>.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    """`data` as JSON safe to put inside <script type="application/ld+json">."""
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=False).translate(JSON_ESCAPES))
