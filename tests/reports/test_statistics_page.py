"""/statistics/: the filter form and its messages, the figures from the
facts, the permalink, the chart against its table, the ranking's minimum,
the downloads against the tables, both languages, and the cache."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from eforms import lifecycle
from reports.exports import plain
from reports.facts import apply_delta
from reports.models import Outcome
from tests.dossier_factories import make_citizen, make_staff, submit
from tests.procedures.fixtures import JUSTICE, PROVINCE, WARD, build_catalogue, make_agency, make_procedure

pytestmark = pytest.mark.django_db

MARCH = {"period": "month", "year": "2025", "month": "3"}


@pytest.fixture
def site(home_page):
    catalogue = build_catalogue(home_page)
    ward_birth = make_procedure(catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"],
                                catalogue.agencies[WARD], level=4)
    land = make_procedure(catalogue.index, "2.000488", "Đăng ký đất đai", catalogue.fields["dat-dai"],
                          catalogue.agencies[JUSTICE], tier="province", level=3)
    catalogue.procedures = {"birth": ward_birth, "land": land}
    return catalogue


def fact(day: dt.date, agency, procedure, outcome: str, n: int = 1, channel: str = "online") -> None:
    """One count in the daily facts, its month and its year, as the upkeep leaves them."""
    apply_delta(Counter({((agency.pk, procedure.pk, channel), day, outcome): n}))


def dossier_facts(site, agency_code: str, procedure: str, received: dt.date, *, resolved: dt.date | None = None,
                  due: dt.date | None = None, channel: str = "online") -> None:
    """The facts of one dossier: received, then resolved early/on time/late against `due`."""
    agency, page = site.agencies[agency_code], site.procedures[procedure]
    fact(received, agency, page, Outcome.RECEIVED, channel=channel)
    if due is not None:
        fact(due, agency, page, Outcome.DUE, channel=channel)
    if resolved is not None:
        outcome = Outcome.EARLY if resolved < due else Outcome.ON_TIME if resolved == due else Outcome.LATE
        fact(resolved, agency, page, outcome, channel=channel)
        fact(max(resolved, due), agency, page, Outcome.SETTLED, channel=channel)


@pytest.fixture
def march(site):
    """By hand: one dossier carried over from February (resolved late in
    March), four received in March (online, desk, post, home service): one
    early, one on time, one still open and overdue on 31 March, one still
    open within time; one refused."""
    dossier_facts(site, WARD, "birth", dt.date(2025, 2, 25), resolved=dt.date(2025, 3, 5), due=dt.date(2025, 3, 3))
    dossier_facts(site, WARD, "birth", dt.date(2025, 3, 3), resolved=dt.date(2025, 3, 4), due=dt.date(2025, 3, 6))
    dossier_facts(site, JUSTICE, "land", dt.date(2025, 3, 10), resolved=dt.date(2025, 3, 13), due=dt.date(2025, 3, 13),
                  channel="desk")
    dossier_facts(site, JUSTICE, "land", dt.date(2025, 3, 17), due=dt.date(2025, 3, 20), channel="post")
    dossier_facts(site, WARD, "birth", dt.date(2025, 3, 28), due=dt.date(2025, 4, 2), channel="home_service")
    fact(dt.date(2025, 3, 20), site.agencies[JUSTICE], site.procedures["land"], Outcome.REFUSED, channel="online")
    return site


def rows(response, key):
    return {row[0]: row[1] for row in response.context["tables"][key].rows}


def english(text: str) -> str:
    with translation.override("en"):
        return translation.gettext(text)


# ---------------------------------------------------------------- figures


def test_the_month_by_hand(march):
    response = Client().get("/en/statistics/", MARCH)
    assert response.status_code == 200
    figures = rows(response, "figures")
    assert figures["Carried over from before the period"] == 1
    assert figures["Received in the period"] == 4
    assert [figures[k] for k in ("– online", "– at the desk", "– by post", "– home service (collected by the post)")] \
        == [1, 1, 1, 1]
    assert figures["Resolved in the period"] == 3
    assert (figures["– early"], figures["– on time"], figures["– late"]) == (1, 1, 1)
    assert figures["Still open at the end of the period"] == 2
    assert (figures["– within time"], figures["– overdue"]) == (1, 1)
    assert figures["Refused"] == 1
    assert figures["On-time rate (%)"] == Decimal("66.7")
    assert figures["Online rate (%)"] == Decimal("25.0")
    html = response.content.decode()
    assert "66.7" in html and "Carried over from before the period" in html


def test_an_agency_counts_the_agencies_under_it(march):
    client = Client()
    province = rows(client.get("/en/statistics/", {**MARCH, "agency": PROVINCE}), "figures")
    ward = rows(client.get("/en/statistics/", {**MARCH, "agency": WARD}), "figures")
    assert province["Received in the period"] == 4
    assert ward["Received in the period"] == 2
    assert ward["Carried over from before the period"] == 1


def test_field_tier_and_procedure_filters(march):
    client = Client()
    assert rows(client.get("/en/statistics/", {**MARCH, "field": "dat-dai"}), "figures")["Received in the period"] == 2
    assert rows(client.get("/en/statistics/", {**MARCH, "tier": "commune"}), "figures")["Received in the period"] == 2
    by_code = rows(client.get("/en/statistics/", {**MARCH, "procedure": "2.000488"}), "figures")
    assert by_code["Received in the period"] == 2 and by_code["Refused"] == 1


def test_a_quarter_a_year_and_two_dates(march):
    client = Client()
    quarter = rows(client.get("/en/statistics/", {"period": "quarter", "year": "2025", "quarter": "1"}), "figures")
    assert quarter["Received in the period"] == 5 and quarter["Carried over from before the period"] == 0
    year = rows(client.get("/en/statistics/", {"period": "year", "year": "2025"}), "figures")
    assert year["Received in the period"] == 5
    days = rows(client.get("/en/statistics/", {"period": "range", "start": "2025-03-04", "end": "2025-03-12"}),
                "figures")
    # carried over: the February one and the one received on 3 March (resolved on the 4th, inside)
    assert days["Carried over from before the period"] == 2
    assert days["Received in the period"] == 1 and days["– early"] == 1 and days["– late"] == 1


def test_the_first_view_is_this_month_so_far(site):
    response = Client().get("/en/statistics/")
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["query"] == f"period=month&year={today.year}&month={today.month}"
    assert "No dossier was counted for this period and these filters." in response.content.decode()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"period": "range", "start": "2025-03-10", "end": "2025-03-01"}, "end",
     "The last day must be on or after the first day."),
    ({"period": "range", "start": "10/03/2025"}, "end", "Enter the last day of the period."),
    ({"period": "range", "start": "32/13/2025", "end": "2025-03-01"}, "start",
     "Enter a date as day/month/year, e.g. 01/03/2025."),
    ({"period": "month", "year": "abc", "month": "3"}, "year", "Enter a year as four digits, e.g. 2025."),
    ({"period": "month", "year": "2025"}, "month", "Choose the month."),
    ({"period": "quarter", "year": "2025", "quarter": "7"}, "quarter", None),
    ({"period": "year", "year": "9999"}, "year", None),
    ({"period": "weekly", "year": "2025"}, "period", None),
    ({**MARCH, "agency": "000.99.99.H99"}, "agency", None),
    ({**MARCH, "field": "<script>"}, "field", None),
    ({**MARCH, "procedure": "9.999999"}, "procedure", "No procedure has the code 9.999999."),
])
def test_bad_filters_show_the_form_with_messages_and_no_figures(site, params, field, message):
    response = Client().get("/en/statistics/", params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "tables" not in response.context
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'id="table-figures"' not in html
    if message:
        assert message in response.context["form"].errors[field]


def test_a_period_in_the_future_is_refused(site):
    next_year = timezone.localdate().year + 1
    response = Client().get("/en/statistics/", {"period": "range", "start": f"{next_year}-01-01",
                                                "end": f"{next_year}-02-01"})
    assert response.status_code == 400
    assert "This period has not begun yet" in response.content.decode()


def test_messages_are_in_vietnamese_on_the_vietnamese_page(site):
    response = Client().get("/statistics/", {"period": "month", "year": "2025"})
    assert response.status_code == 400
    with translation.override("vi"):
        expected = translation.gettext("Choose the month.")
    assert expected in response.context["form"].errors["month"]


# ---------------------------------------------------------------- permalink, cookies


def test_the_permalink_is_the_canonical_query(march):
    response = Client().get("/en/statistics/", {"procedure": "2.000488", "month": "3", "quarter": "2",
                                                "start": "2025-01-01", "agency": JUSTICE, "year": "2025",
                                                "period": "month"})
    assert response.status_code == 200
    expected = f"period=month&year=2025&month=3&agency={JUSTICE}&procedure=2.000488"
    assert response.context["query"] == expected
    assert response.context["permalink"] == f"http://testserver/en/statistics/?{expected}"
    html = response.content.decode()
    assert "Link to this view" in html
    assert f'href="http://testserver/en/statistics/?{expected.replace("&", "&amp;")}"' in html
    again = Client().get(f"/en/statistics/?{expected}")
    assert again.context["tables"]["figures"].rows == response.context["tables"]["figures"].rows


def test_an_anonymous_visit_sets_no_cookie(march):
    response = Client().get("/statistics/", MARCH)
    assert response.status_code == 200
    assert not response.cookies


# ---------------------------------------------------------------- chart


def test_the_chart_and_its_table_say_the_same(march):
    response = Client().get("/en/statistics/", {"period": "month", "year": "2025", "month": "4"})
    table = response.context["tables"]["months"]
    assert [row[0] for row in table.rows] == ["11/2024", "12/2024", "01/2025", "02/2025", "03/2025", "04/2025"]
    svg = ET.fromstring(response.context["chart"])
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert svg.find("svg:title", ns).text == table.caption
    assert "from 11/2024 to 04/2025" in svg.find("svg:desc", ns).text
    bars = {(rect.get("data-group"), rect.get("data-series")): int(rect.get("data-value"))
            for rect in svg.findall("svg:rect", ns) if rect.get("data-series")}
    labels = {(text.get("data-group"), text.get("data-series")): text.text
              for text in svg.findall("svg:text", ns) if text.get("data-series")}
    for row in table.rows:
        for series, value in zip(("received", "on_time", "late"), row[1:4], strict=True):
            assert bars[(row[0], series)] == value
            assert labels[(row[0], series)] == str(value)
    march_row = table.rows[4]
    assert march_row[1:4] == [4, 2, 1]
    # the bars' heights follow the values
    heights = {key: float(rect.get("height")) for rect in svg.findall("svg:rect", ns)
               if (key := (rect.get("data-group"), rect.get("data-series")))[1]}
    assert heights[("03/2025", "received")] == 2 * heights[("03/2025", "on_time")]
    html = response.content.decode()
    assert 'role="img"' in html and 'aria-labelledby="months-chart-title months-chart-desc"' in html
    assert "<script" not in html.split('id="months-chart"')[1].split("</svg>")[0]


# ---------------------------------------------------------------- ranking


def test_ranking_needs_a_minimum_of_resolved_dossiers(site):
    small = make_agency("000.20.31.H30", "Ủy ban nhân dân xã Nhỏ", "Small Commune People's Committee", "commune",
                        site.agencies[PROVINCE])
    day = dt.date(2025, 3, 10)
    fact(day, small, site.procedures["birth"], Outcome.ON_TIME, 1)
    fact(day, site.agencies[JUSTICE], site.procedures["land"], Outcome.ON_TIME, 980)
    fact(day, site.agencies[JUSTICE], site.procedures["land"], Outcome.LATE, 20)
    fact(day, site.agencies[WARD], site.procedures["birth"], Outcome.EARLY, 30)
    response = Client().get("/en/statistics/", MARCH)
    ranking = response.context["tables"]["ranking"].rows
    assert [(row[0], row[1], row[2], row[5]) for row in ranking] == [
        (1, "Buon Ma Thuot Ward People's Committee", 30, Decimal("100.0")),
        (2, "Department of Justice", 1000, Decimal("98.0")),
    ]
    unranked = response.context["tables"]["unranked"].rows
    assert unranked == [["Small Commune People's Committee", 1, 1, 0, Decimal("100.0")]]
    vietnamese = Client().get("/statistics/", MARCH).context["tables"]["ranking"].rows
    assert [row[1] for row in vietnamese] == ["Ủy ban nhân dân phường Buôn Ma Thuột", "Sở Tư pháp"]


def test_agencies_with_the_same_rate_share_a_rank(site):
    day = dt.date(2025, 3, 10)
    fact(day, site.agencies[JUSTICE], site.procedures["land"], Outcome.ON_TIME, 40)
    fact(day, site.agencies[WARD], site.procedures["birth"], Outcome.ON_TIME, 25)
    ranking = Client().get("/en/statistics/", MARCH).context["tables"]["ranking"].rows
    assert [(row[0], row[2]) for row in ranking] == [(1, 40), (1, 25)]


# ---------------------------------------------------------------- downloads


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def as_text(value) -> str:
    value = plain(value)
    return "" if value == "" else str(value)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_table_downloads_as_csv_and_xlsx_with_its_rows(march, language):
    client = Client()
    prefix = "" if language == "vi" else "/en"
    params = {**MARCH, "agency": PROVINCE}
    page = client.get(f"{prefix}/statistics/", params)
    query = page.context["query"]
    tables = page.context["tables"]
    assert set(tables) == {"figures", "months", "fields", "ranking", "unranked", "indicators", "not_computed"}
    for key, table in tables.items():
        assert f"/statistics/download/{key}.csv?{query.replace('&', '&amp;')}" in page.content.decode()
        response = client.get(f"{prefix}/statistics/download/{key}.csv?{query}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert f"statistics-{key}-20250301-20250331.csv" in response["Content-Disposition"]
        assert read_csv(response.content) == [table.header, *[[as_text(c) for c in row] for row in table.rows]]
        response = client.get(f"{prefix}/statistics/download/{key}.xlsx?{query}")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        got = [list(row) for row in sheet.iter_rows(values_only=True)]
        want = [table.header, *[[_xlsx(c) for c in row] for row in table.rows]]
        assert got == want


def _xlsx(value):
    value = plain(value)
    if value == "":
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def test_downloads_keep_the_filters_and_refuse_bad_ones(march):
    client = Client()
    ward = read_csv(client.get("/en/statistics/download/figures.csv", {**MARCH, "agency": WARD}).content)
    assert ["Received in the period", "2"] in ward
    assert client.get("/en/statistics/download/figures.csv", {"period": "month", "year": "x"}).status_code == 400
    assert client.get("/en/statistics/download/nothing.csv", MARCH).status_code == 404
    assert client.get("/en/statistics/download/figures.pdf", MARCH).status_code == 404


def test_text_cells_cannot_start_a_formula(site):
    evil = make_agency("000.66.66.H30", "=HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")", "commune")
    fact(dt.date(2025, 3, 3), evil, site.procedures["birth"], Outcome.ON_TIME, 1)
    content = read_csv(Client().get("/en/statistics/download/unranked.csv", MARCH).content)
    assert content[1][0] == "'=HYPERLINK(\"http://x\")"
    sheet = load_workbook(io.BytesIO(Client().get("/en/statistics/download/unranked.xlsx", MARCH).content)).active
    assert sheet["A2"].value == "'=HYPERLINK(\"http://x\")"
    assert sheet["A2"].data_type == "s"


# ---------------------------------------------------------------- languages, definitions, cache


def test_both_languages_write_the_definitions(march):
    english_page = Client().get("/en/statistics/", MARCH).content.decode()
    assert "How the figures are counted" in english_page
    assert "does not make a late dossier on time" in english_page
    assert "working days" in english_page and "paused" in english_page
    assert '<html lang="en">' in english_page
    vietnamese_page = Client().get("/statistics/", MARCH).content.decode()
    assert '<html lang="vi">' in vietnamese_page
    with translation.override("vi"):
        assert translation.gettext("How the figures are counted") in vietnamese_page


def test_the_page_is_linked_from_the_footer(site):
    html = Client().get("/en/statistics/").content.decode()
    assert '<a href="/en/statistics/">' in html


def test_the_cached_page_follows_dossier_events(site, django_capture_on_commit_callbacks):
    """Real dossiers through the lifecycle: the facts follow them and the
    cached page is refreshed when they change."""
    procedure = site.procedures["land"]
    citizen = make_citizen("stat-an")
    staff = lifecycle.Actor.staff(make_staff("stat-staff", site.agencies[JUSTICE], "receiver", "handler"))
    today = timezone.localdate()
    start = today - dt.timedelta(days=20)
    params = {"period": "range", "start": start.isoformat(), "end": today.isoformat(), "procedure": "2.000488"}
    client = Client()
    before = rows(client.get("/en/statistics/", params), "figures")
    assert before["Received in the period"] == 0
    received_at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=14), dt.time(9)))
    with django_capture_on_commit_callbacks(execute=True):
        quick, slow = submit(procedure, citizen), submit(procedure, citizen)
        for dossier in (quick, slow):
            lifecycle.receive(dossier, staff, now=received_at)
        lifecycle.start_processing(quick, staff, now=received_at + dt.timedelta(hours=1))
        lifecycle.complete(quick, staff, "Giấy chứng nhận", now=received_at + dt.timedelta(hours=2))
    after = rows(client.get("/en/statistics/", params), "figures")
    assert after["Received in the period"] == 2
    assert after["– early"] == 1
    assert after["– overdue"] == 1
    assert after["Online rate (%)"] == Decimal("100.0")


def test_the_page_is_cached_until_the_facts_change(march):
    from reports.facts import statistics_cache

    client = Client()
    assert rows(client.get("/en/statistics/", MARCH), "figures")["Refused"] == 1
    fact(dt.date(2025, 3, 21), march.agencies[JUSTICE], march.procedures["land"], Outcome.REFUSED)
    # written behind the upkeep's back: the cached page stays as it was
    assert rows(client.get("/en/statistics/", MARCH), "figures")["Refused"] == 1
    statistics_cache.invalidate()  # what the upkeep does when facts change
    assert rows(client.get("/en/statistics/", MARCH), "figures")["Refused"] == 2


@pytest.mark.parametrize(("value", "expected"), [(0, (4, 1)), (1, (1, 1)), (7, (8, 2)), (30, (30, 10)),
                                                 (51, (60, 20)), (980, (1000, 500)), (32023, (40000, 10000))])
def test_the_value_axis_has_round_steps(value, expected):
    from reports.charts import axis

    assert axis(value) == expected


def test_a_rate_shows_one_decimal_in_any_column(march):
    html = Client().get("/en/statistics/", MARCH).content.decode()
    # the figures table's rate rows stand in its number column
    assert "<td>66.7</td>" in html and "<td>25.0</td>" in html
    vietnamese = Client().get("/statistics/", MARCH).content.decode()
    assert "<td>66,7</td>" in vietnamese


def test_the_chosen_filters_are_stated_and_head_is_answered(march):
    client = Client()
    response = client.get("/en/statistics/", {**MARCH, "procedure": "2.000488", "tier": "province"})
    assert response.context["chosen"] == [("Tier", "Province"), ("Procedure code", "2.000488 – Đăng ký đất đai")]
    assert client.head("/en/statistics/", MARCH).status_code == 200
    assert client.post("/en/statistics/", MARCH).status_code == 405


def test_after_a_change_a_view_is_rebuilt_at_most_once_per_refresh_window(march, settings, monkeypatch):
    from reports import facts as facts_module

    settings.PORTAL_STATISTICS_REFRESH_SECONDS = 60
    clock = [1_000_000.0]
    monkeypatch.setattr(facts_module, "clock", lambda: clock[0])
    client = Client()
    assert rows(client.get("/en/statistics/", MARCH), "figures")["Refused"] == 1
    fact(dt.date(2025, 3, 21), march.agencies[JUSTICE], march.procedures["land"], Outcome.REFUSED)
    facts_module.statistics_cache.invalidate()  # what the upkeep does when facts change
    clock[0] += 59
    assert rows(client.get("/en/statistics/", MARCH), "figures")["Refused"] == 1  # built a minute ago
    clock[0] += 2
    assert rows(client.get("/en/statistics/", MARCH), "figures")["Refused"] == 2
