"""Fixtures shared by the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the site frame, rate limits and
    search statistics live there, and a rolled-back test leaves it behind."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    cache.clear()
    # A transactional test's flush re-creates content types under new keys;
    # the manager's per-process cache must not hand out the old ones.
    ContentType.objects.clear_cache()
    yield


@pytest.fixture
def vietnamese():
    """URLs reversed and pages read in Vietnamese, whatever an earlier test
    activated (use with `pytest.mark.usefixtures("vietnamese")`)."""
    from django.utils import translation

    with translation.override("vi"):
        yield


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


@pytest.fixture
def admin_user_with_second_factor(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("admin-test", "admin-test@example.vn", "a-strong-pass-123")


@pytest.fixture
def admin_client_with_second_factor(client, admin_user_with_second_factor):
    """A Django test client signed in to /admin/ as a superuser who has
    passed the staff second factor (TOTP) in this session."""
    from tests.second_factor import pass_second_factor

    return pass_second_factor(client, admin_user_with_second_factor)


