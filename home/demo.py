"""Demo content of the home app (see home/demo_content.py)."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from . import demo_content as content
from .models import HomePage, NewsIndexPage, NewsPage, PortalSettings, StandardPage
from .setup import ensure_site, get_or_create_child, translate_page


def _section(parent: HomePage, spec: dict) -> StandardPage:
    vi, en = spec["vi"], spec["en"]
    page = get_or_create_child(
        parent, StandardPage, spec["slug"], title=vi["title"], summary=vi["summary"], body=vi["body"],
        disclosure_kind=spec.get("kind", ""), show_in_menus=spec.get("menu", False),
    )
    translate_page(page, "en", title=en["title"], slug=slugify(en["title"]), summary=en["summary"], body=en["body"])
    for child in spec.get("children", []):
        _section(page, child)
    return page


ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "demo-admin-2026"  # demo only: load_demo refuses to run with DEBUG off


def _ensure_admin(stdout) -> None:
    User = get_user_model()
    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        User.objects.create_superuser(ADMIN_USERNAME, "admin@daklak.example.vn", ADMIN_PASSWORD)
    stdout.write(
        f"Wagtail admin: http://127.0.0.1:8000/admin/  user {ADMIN_USERNAME!r}, password {ADMIN_PASSWORD!r} "
        "(demo only; its enrolment code for the authenticator app is listed with the demo logins below)"
    )


@transaction.atomic
def load(stdout) -> None:
    home = ensure_site()
    settings = PortalSettings.load()
    for name, value in content.SETTINGS.items():
        setattr(settings, name, value)
    settings.save()

    if not home.intro:
        home.intro = content.HOME_INTRO["vi"]
        home.save_revision().publish()
    en_home = translate_page(home, "en")
    if not en_home.intro:
        en_home.intro = content.HOME_INTRO["en"]
        en_home.save_revision().publish()

    for spec in content.SECTIONS:
        _section(home, spec)

    spec = content.NEWS_INDEX
    news_index = get_or_create_child(
        home, NewsIndexPage, spec["slug"], title=spec["vi"]["title"], intro=spec["vi"]["intro"],
        disclosure_kind="news", show_in_menus=True,
    )
    translate_page(news_index, "en", title=spec["en"]["title"], slug="news", intro=spec["en"]["intro"])
    for item in content.NEWS:
        date = datetime.date.fromisoformat(item["date"])
        vi, en = item["vi"], item["en"]
        news = get_or_create_child(news_index, NewsPage, item["slug"], date=date, **vi)
        translate_page(news, "en", date=date, slug=slugify(en["title"]), **en)
    _ensure_admin(stdout)
    stdout.write("home: site, sections, guidance and news ready (vi, en)")
