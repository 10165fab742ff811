"""The monthly report per postal unit: the counts on a small dataset
(inside and outside the month, on time and late by the definitions on the
page), who sees which unit, and exports whose text cells cannot run as
formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from eforms.models import Dossier
from postal import report
from postal.models import HomeServiceJob, JobState
from tests.dossier_factories import UserFactory

from .helpers import build_world, english, make_unit, staff_client, submit_home_service

# March 2025: no public holiday; Mon 3rd … Fri 7th are working days.
YEAR, MONTH = 2025, 3


def at(day: int, hour: int, month: int = MONTH) -> dt.datetime:
    return dt.datetime(YEAR, month, day, hour, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    return build_world(django_capture_on_commit_callbacks)


def job_with(world, capture, *, window_until=None, **fields) -> HomeServiceJob:
    """A job of unit A whose steps happened at the given moments."""
    dossier_fields = {k: fields.pop(k) for k in ("completed_at",) if k in fields}
    with capture(execute=True):
        dossier = submit_home_service(world["procedure"], world["citizen"], pickup=window_until is not None)
    Dossier.objects.filter(pk=dossier.pk).update(
        pickup_until=window_until, pickup_from=window_until - dt.timedelta(hours=3) if window_until else None,
        **dossier_fields)
    HomeServiceJob.objects.filter(dossier=dossier).update(unit=world["unit_a"], **fields)
    return HomeServiceJob.objects.get(dossier=dossier)


@pytest.fixture
def dataset(world, django_capture_on_commit_callbacks):
    c = django_capture_on_commit_callbacks
    late_pickup = job_with(world, c, window_until=at(3, 11), pickup_accepted_at=at(3, 8), collected_at=at(3, 15),
                           state=JobState.COLLECTED)
    on_time = job_with(world, c, window_until=at(4, 11), pickup_accepted_at=at(4, 7), collected_at=at(4, 10),
                       handed_over_at=at(4, 14), desk_confirmed_at=at(4, 15), state=JobState.HANDED_OVER)
    no_window = job_with(world, c, pickup_accepted_at=at(5, 8), collected_at=at(5, 9), state=JobState.COLLECTED)
    # completed Mon 3rd 10:00 → delivered by Wed 5th is on time (2 working days)
    delivered_on_time = job_with(world, c, window_until=at(1, 11, month=2), collected_at=at(1, 9, month=2),
                                 completed_at=at(3, 10), result_collected_at=at(4, 9), delivered_at=at(5, 16),
                                 state=JobState.DELIVERED)
    delivered_late = job_with(world, c, window_until=at(1, 11, month=2), collected_at=at(1, 10, month=2),
                              completed_at=at(3, 10), result_collected_at=at(6, 9), delivered_at=at(7, 9),
                              state=JobState.DELIVERED)
    # outside the month altogether
    job_with(world, c, window_until=at(1, 11, month=4), pickup_accepted_at=at(1, 8, month=4),
             collected_at=at(1, 9, month=4), state=JobState.COLLECTED)
    return {"late_pickup": late_pickup, "on_time": on_time, "no_window": no_window,
            "delivered_on_time": delivered_on_time, "delivered_late": delivered_late}


def test_the_counts_of_a_month(world, dataset):
    [row_a] = report.monthly_report([world["unit_a"]], YEAR, MONTH)
    assert (row_a.accepted, row_a.pickups, row_a.pickups_on_time, row_a.pickups_without_window) == (3, 3, 1, 1)
    assert (row_a.handovers, row_a.handovers_confirmed) == (1, 1)
    assert (row_a.results_collected, row_a.deliveries, row_a.deliveries_on_time) == (2, 2, 1)
    assert row_a.pickup_rate == "50%" and row_a.delivery_rate == "50%"
    assert {job.pk for job in row_a.late_jobs} == {dataset["late_pickup"].pk, dataset["delivered_late"].pk}
    [row_b] = report.monthly_report([world["unit_b"]], YEAR, MONTH)
    assert (row_b.accepted, row_b.pickups, row_b.deliveries) == (0, 0, 0) and row_b.pickup_rate == "—"
    [february] = report.monthly_report([world["unit_a"]], YEAR, 2)
    assert (february.pickups, february.pickups_on_time, february.deliveries) == (2, 2, 0)


def test_a_month_is_read_safely():
    today = dt.date(2026, 12, 1)
    assert report.parse_month("2025-03", today) == (2025, 3)
    for bad in ("2027-01", "2025-13", "1999-12", "march", "", None, "2025-3"):
        assert report.parse_month(bad, today) == (2026, 12), bad


def test_the_report_page_shows_the_definition_and_the_officers_own_unit(world, dataset):
    client = staff_client(world["officer_a"])
    response = client.get(reverse("postal:report"), {"month": "2025-03"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "no later than the end of the time window" in body and "working days after the agency completed" in body
    assert "Bưu cục Buôn Ma Thuột" in body and "Bưu cục Krông Pắc" not in body
    admin = english(UserFactory(username="postal-admin", is_superuser=True, is_staff=True))
    body = staff_client(admin).get(reverse("postal:report"), {"month": "2025-03"}).content.decode()
    assert "Bưu cục Buôn Ma Thuột" in body and "Bưu cục Krông Pắc" in body


def test_the_exports_keep_formulas_as_text(world, dataset):
    make_unit("639999", '=HYPERLINK("http://evil.example","x")', world["justice"])
    admin = english(UserFactory(username="postal-admin", is_superuser=True, is_staff=True))
    client = staff_client(admin)
    response = client.get(reverse("postal:report_csv"), {"month": "2025-03"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="home-service-2025-03.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_unit = {row[1]: row for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in by_unit
    assert by_unit["Bưu cục Buôn Ma Thuột"][3:12] == ["3", "3", "1", "1", "1", "1", "2", "2", "1"]
    response = client.get(reverse("postal:report_xlsx"), {"month": "2025-03"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [sheet.cell(row=r, column=2) for r in range(2, sheet.max_row + 1)]
    evil = next(cell for cell in names if "HYPERLINK" in str(cell.value))
    assert evil.value.startswith("'=") and evil.data_type == "s"
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=2).value == "Bưu cục Buôn Ma Thuột")
    assert sheet.cell(row=row, column=5).value == 3 and sheet.cell(row=row, column=12).value == 1
