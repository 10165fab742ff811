"""The site tree every portal starts from: a Vietnamese home page at the
root of the default Site and its English translation."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import HomePage

HOME_TITLES = {"vi": "Trang chủ", "en": "Home"}


def translate_page(page: Page, language_code: str, **fields) -> Page:
    """Return `page`'s translation into `language_code`, creating and
    publishing it with `fields` when it does not exist yet.

    Demo loaders and tests use this; editors translate with wagtail-localize.
    An existing translation is left as it is, so editors' changes survive a
    second `load_demo`.
    """
    locale = Locale.objects.get(language_code=language_code)
    translation = page.get_translation_or_none(locale)
    if translation is not None:
        return translation.specific
    translation = page.copy_for_translation(locale, copy_parents=True).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return type(translation).objects.get(pk=translation.pk)


def get_or_create_child(parent: Page, model: type[Page], slug: str, **fields) -> Page:
    """The live child of `parent` with `slug`, created and published from
    `fields` if missing (demo content)."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = parent.add_child(instance=model(slug=slug, locale=parent.locale, **fields))
    page.save_revision().publish()
    return page


@transaction.atomic
def ensure_site() -> HomePage:
    """Create (once) the Vietnamese home page, its English translation and
    the default Site pointing at it. Safe to call again."""
    # Migrations create the locales and the root page; a flushed test
    # database (TransactionTestCase) has neither.
    vi, _ = Locale.objects.get_or_create(language_code="vi")
    Locale.objects.get_or_create(language_code="en")
    home = HomePage.objects.filter(locale=vi, depth=2).first()
    if home is None:
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", locale=vi))
        home = root.add_child(instance=HomePage(title=HOME_TITLES["vi"], slug="trang-chu", locale=vi))
        home.save_revision().publish()
        # Wagtail's migration made a "Welcome" page; it has no place here.
        Page.objects.filter(depth=2).exclude(pk=home.pk).not_type(HomePage).delete()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Cổng dịch vụ công")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    translate_page(home, "en", title=HOME_TITLES["en"], slug="home")
    return home
