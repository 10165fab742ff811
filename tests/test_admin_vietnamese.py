"""The Wagtail admin is in Vietnamese: every string of Wagtail's and
wagtail-localize's catalogues has Vietnamese (their own vi catalogues plus
the portal's `wagtail_locale/`), and the screens editors and staff use show
no English string of those catalogues, nor in the sidebar menu."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
import wagtail
import wagtail_localize
from django.urls import reverse
from django.utils import translation

# The apps of INSTALLED_APPS whose strings the admin shows.
WAGTAIL_APPS = [
    "wagtail",
    "wagtail/admin",
    "wagtail/contrib/forms",
    "wagtail/contrib/redirects",
    "wagtail/contrib/search_promotions",
    "wagtail/contrib/settings",
    "wagtail/contrib/table_block",
    "wagtail/documents",
    "wagtail/embeds",
    "wagtail/images",
    "wagtail/locales",
    "wagtail/search",
    "wagtail/sites",
    "wagtail/snippets",
    "wagtail/users",
    "wagtail_localize",
    "wagtail_localize/locales",
]
# Strings that read the same in Vietnamese (names, codes, bare placeholders).
SAME_IN_VIETNAMESE = {
    "ID",
    "URL",
    "Token",
    "slug",
    "Wagtail API v2",
    "Wagtail API v3",
    "Wagtail routablepage",
}


def _catalogue(app: str, domain: str) -> Path:
    root = Path(wagtail_localize.__file__).parent.parent
    return root / app / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"


def _entries(domain: str):
    for app in WAGTAIL_APPS:
        path = _catalogue(app, domain)
        if path.exists():
            yield from (e for e in polib.pofile(str(path)) if not e.obsolete)


def _checked(msgid: str) -> bool:
    words = re.sub(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>", "", msgid)
    return msgid not in SAME_IN_VIETNAMESE and re.search(r"[A-Za-z]{2}", words) is not None


def _vietnamese(entry) -> str:
    if entry.msgid_plural:
        if entry.msgctxt:
            return translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
        return translation.ngettext(entry.msgid, entry.msgid_plural, 2)
    if entry.msgctxt:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


def test_wagtail_is_installed_where_the_test_looks():
    assert _catalogue("wagtail/admin", "django").exists(), wagtail.__file__
    assert _catalogue("wagtail_localize", "djangojs").exists()


def test_every_wagtail_and_wagtail_localize_string_has_vietnamese():
    untranslated = []
    with translation.override("vi"):
        for entry in _entries("django"):
            if not _checked(entry.msgid):
                continue
            text = _vietnamese(entry)
            if text in (entry.msgid, entry.msgid_plural):
                untranslated.append(entry.msgid)
    assert not untranslated, f"{len(untranslated)} admin strings still in English: {untranslated[:15]}"


def _js_catalogue(client, url: str) -> dict:
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    match = re.search(r"const newcatalog = (\{.*?\});\n", body, re.S)
    assert match, body[:300]
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_the_admin_javascript_catalogues_are_vietnamese(admin_client_with_second_factor):
    client = admin_client_with_second_factor
    catalogue = _js_catalogue(client, reverse("wagtailadmin_javascript_catalog"))
    catalogue.update(_js_catalogue(client, reverse("wagtail_localize:javascript_catalog")))
    missing = []
    for entry in _entries("djangojs"):
        if not _checked(entry.msgid):
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        value = catalogue.get(key)
        if isinstance(value, list):
            value = value[0]
        if not value or value == entry.msgid:
            missing.append(entry.msgid)
    assert not missing, f"{len(missing)} admin script strings still in English: {missing[:15]}"


# ------------------------------------------------------------ rendered screens


class _Text(HTMLParser):
    """Visible text nodes, attributes people read (title, aria-label,
    placeholder) and the sidebar's JSON props."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.sidebar = ""
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._in = "sidebar" if attrs.get("id") == "wagtail-sidebar-props" else tag
        for name in ("title", "aria-label", "placeholder"):
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._in = None

    def handle_data(self, data):
        if self._in == "sidebar":
            self.sidebar += data
        elif self._in is None and data.strip():
            self.texts.append(" ".join(data.split()))


def _labels(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("label", "name", "title") and isinstance(value, str):
                yield value
            else:
                yield from _labels(value)
    elif isinstance(node, list):
        for value in node:
            yield from _labels(value)


@pytest.fixture
def english_msgids():
    """Plain English strings of the admin that read differently in Vietnamese."""
    with translation.override("vi"):
        return {
            e.msgid
            for e in _entries("django")
            if not e.msgid_plural and "%" not in e.msgid and "{" not in e.msgid and _checked(e.msgid)
            and _vietnamese(e) != e.msgid
        }


# Not in any catalogue, so out of reach of translations: Wagtail's templates
# hard-code the header's `aria-label="Actions"` and the search button's
# `value="Search"` (visually hidden); "None" is an empty cell Wagtail renders
# with str(None); "Home" is the English home page's title (content).
NOT_TRANSLATABLE = {"Actions", "Search", "None", "Home"}

MENU_ENGLISH = ["Pages", "Images", "Documents", "Snippets", "Forms", "Reports", "Settings", "Help", "Users", "Groups"]


@pytest.fixture
def screens(home_page, admin_user_with_second_factor):
    from wagtail.models import Page

    from home.models import HomePage

    child = HomePage.objects.get(pk=home_page.pk)
    root = Page.get_first_root_node()
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[child.pk]),
        reverse("wagtailadmin_pages:edit", args=[child.pk]),
        reverse("wagtailadmin_pages:history", args=[child.pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[root.pk]),
        reverse("wagtailadmin_pages:search") + "?q=trang",
        reverse("wagtailimages:index"),
        reverse("wagtailimages:add_multiple"),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:add_multiple"),
        reverse("wagtailsnippets:index"),
        reverse("wagtailforms:index"),
        reverse("wagtailadmin_reports:locked_pages"),
        reverse("wagtailadmin_reports:workflow"),
        reverse("wagtailadmin_reports:workflow_tasks"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:aging_pages"),
        reverse("wagtailadmin_reports:page_types_usage"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_groups:index"),
        reverse("wagtailadmin_account"),
        reverse("wagtailadmin_collections:index"),
        reverse("wagtailadmin_workflows:index"),
        reverse("wagtaillocales:index"),
        reverse("wagtailsites:index"),
        reverse("wagtailredirects:index"),
        reverse("wagtail_localize:translations_report"),
        reverse("wagtail_localize:submit_page_translation", args=[child.pk]),
    ]


@pytest.mark.django_db
def test_admin_screens_show_no_english_string_of_wagtail(admin_client_with_second_factor, screens, english_msgids):
    assert {"Images", "Snippets", "Forms", "Reports", "Help"} <= english_msgids | {"Pages", "Settings"}
    found = {}
    for url in screens:
        response = admin_client_with_second_factor.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 200, (url, response.status_code)
        assert response.headers["Content-Language"] == "vi", url
        parser = _Text()
        parser.feed(response.content.decode())
        english = sorted({text for text in parser.texts if text in english_msgids} - NOT_TRANSLATABLE)
        if english:
            found[url] = english
        assert parser.sidebar, f"{url}: no sidebar props"
        menu = set(_labels(json.loads(parser.sidebar)))
        assert not menu & set(MENU_ENGLISH), (url, sorted(menu & set(MENU_ENGLISH)))
    assert not found, f"English left on admin screens: {found}"


@pytest.mark.django_db
def test_the_menu_reads_in_vietnamese(admin_client_with_second_factor, home_page):
    response = admin_client_with_second_factor.get(reverse("wagtailadmin_home"))
    parser = _Text()
    parser.feed(response.content.decode())
    menu = set(_labels(json.loads(parser.sidebar)))
    for vietnamese in ["Trang", "Hình ảnh", "Tài liệu", "Đoạn nội dung", "Báo cáo", "Trợ giúp"]:
        assert vietnamese in menu, (vietnamese, sorted(menu))
    # the menu's sub-items: Reports, Settings and Help
    for vietnamese in ["Trang bị khóa", "Lịch sử trang web", "Trang lâu chưa cập nhật", "Quy trình duyệt", "Người dùng"]:
        assert vietnamese in menu, (vietnamese, sorted(menu))


def test_the_wagtail_supplement_never_overrides_the_portals_own_wording():
    """LOCALE_PATHS outrank every app's catalogue: a msgid the supplement
    shares with a portal app would change that app's public wording."""
    root = Path(__file__).resolve().parents[1]
    supplement = {(e.msgctxt, e.msgid) for e in polib.pofile(root / "wagtail_locale/vi/LC_MESSAGES/django.po")}
    shared = []
    for path in [*root.glob("*/locale/vi/LC_MESSAGES/django.po"), root / "locale/vi/LC_MESSAGES/django.po"]:
        shared += [(path.parent.parent.parent.parent.name, e.msgid) for e in polib.pofile(path)
                   if e.msgstr and (e.msgctxt, e.msgid) in supplement]
    assert not shared, shared
