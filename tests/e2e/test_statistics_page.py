"""axe-core on /statistics/ in Vietnamese and English: with figures, chart
and tables, and with the form's error messages (tests/e2e/conftest.py,
AXE_ALLOWED)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from playwright.sync_api import expect

from reports.facts import apply_delta
from reports.models import Outcome
from tests.procedures.fixtures import JUSTICE, WARD, build_catalogue, make_procedure

QUERY = "period=month&year=2025&month=3"


@pytest.fixture
def statistics_site(transactional_db):
    from wagtail.models import Collection, Locale

    from home.setup import ensure_site

    # a transactional test before this one flushed what the migrations made
    for code in ("vi", "en"):
        Locale.objects.get_or_create(language_code=code)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    catalogue = build_catalogue(ensure_site())
    birth = make_procedure(catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"],
                           catalogue.agencies[WARD], level=4)
    land = make_procedure(catalogue.index, "2.000488", "Đăng ký đất đai", catalogue.fields["dat-dai"],
                          catalogue.agencies[JUSTICE], tier="province")
    rows = [
        (dt.date(2025, 1, 10), WARD, birth, Outcome.RECEIVED, 12), (dt.date(2025, 1, 20), WARD, birth, Outcome.EARLY, 9),
        (dt.date(2025, 2, 10), JUSTICE, land, Outcome.RECEIVED, 30), (dt.date(2025, 3, 3), JUSTICE, land, Outcome.LATE, 4),
        (dt.date(2025, 3, 4), JUSTICE, land, Outcome.ON_TIME, 22), (dt.date(2025, 3, 5), WARD, birth, Outcome.RECEIVED, 7),
    ]
    for day, code, procedure, outcome, n in rows:
        agency = catalogue.agencies[code]
        apply_delta(Counter({((agency.pk, procedure.pk, "online"), day, outcome): n}))
    return catalogue


@pytest.mark.parametrize(("prefix", "language"), [("", "vi"), ("/en", "en")])
def test_statistics_page_is_accessible(page, statistics_site, assert_accessible, prefix, language):
    response = page.goto(f"{prefix}/statistics/?{QUERY}")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#months-chart")).to_be_visible()
    expect(page.locator("#table-ranking tbody tr")).to_have_count(1)
    assert_accessible(page)
    assert page.console_errors == []

    # the form, without JavaScript's help: a bad period answers with the messages
    page.locator("#id_period_3").check()
    page.locator("#id_start").fill("2025-03-10")
    page.locator("#id_end").fill("2025-03-01")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator("#table-figures").count() == 0
    assert_accessible(page)
