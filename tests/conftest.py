"""Fixtures shared by the whole suite."""

import pytest


@pytest.fixture
def home_page(db):
    """The Vietnamese home page (with its English translation) at the root of
    the default Site, as `migrate` + `load_demo` leave it."""
    from home.setup import ensure_site

    return ensure_site()


@pytest.fixture
def en_home_page(home_page):
    from wagtail.models import Locale

    return home_page.get_translation(Locale.objects.get(language_code="en"))
