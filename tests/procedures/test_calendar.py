"""The working-day calendar with real 2026 dates (Notice 9441/TB-BNV of
16/10/2025: Tết 16–20/2/2026, National Day 31/8–2/9/2026 with Saturday
22/8 worked in exchange; the Hùng Kings' day falls on Sunday 26/4, so
Monday 27/4 is off)."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from procedures.calendar import (
    CalendarDay,
    add_processing_time,
    is_working_day,
    next_working_moment,
    processing_time_between,
)

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=ICT)


@pytest.fixture
def calendar_2026(db):
    call_command("seed_calendar", "2026", stdout=StringIO())


def test_weekdays_work_and_weekends_rest_without_any_calendar(db):
    assert is_working_day(D(2026, 3, 2))  # Monday
    assert is_working_day(D(2026, 3, 6))  # Friday
    assert not is_working_day(D(2026, 3, 7))  # Saturday
    assert not is_working_day(D(2026, 3, 8))  # Sunday


def test_tet_2026_days_off(calendar_2026):
    assert is_working_day(D(2026, 2, 13))  # Friday before: last working day
    for day in range(14, 23):  # Saturday 14 to Sunday 22: nine days
        assert not is_working_day(D(2026, 2, day)), day
    assert is_working_day(D(2026, 2, 23))  # back on Monday
    assert CalendarDay.objects.get(date=D(2026, 2, 17)).kind == CalendarDay.Kind.DAY_OFF


def test_hung_kings_day_2026_falls_on_sunday_and_monday_is_off(calendar_2026):
    assert not is_working_day(D(2026, 4, 26))
    assert not is_working_day(D(2026, 4, 27))
    assert is_working_day(D(2026, 4, 28))


def test_30_april_and_1_may_2026(calendar_2026):
    assert is_working_day(D(2026, 4, 29))
    assert not is_working_day(D(2026, 4, 30))
    assert not is_working_day(D(2026, 5, 1))
    assert is_working_day(D(2026, 5, 4))
    # Received on Wednesday 29 April, two working days: Monday 4 and Tuesday 5 May.
    assert add_processing_time(at(2026, 4, 29, 9), 2, "working_days") == at(2026, 5, 5, 9)


def test_2_september_2026_with_swapped_day_and_make_up_saturday(calendar_2026):
    for day in (D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2)):
        assert not is_working_day(day), day
    assert is_working_day(D(2026, 8, 22))  # Saturday worked in exchange for Monday 31 August
    assert is_working_day(D(2026, 9, 3))
    assert add_processing_time(at(2026, 8, 28, 10), 1, "working_days") == at(2026, 9, 3, 10)


def test_friday_evening_arrival_counts_from_the_next_working_day(calendar_2026):
    # Friday 13 February 2026, 18:00: after hours, and Tết follows.
    assert next_working_moment(at(2026, 2, 13, 18)) == at(2026, 2, 23, 7)
    assert add_processing_time(at(2026, 2, 13, 18), 3, "working_days") == at(2026, 2, 26, 7)
    # An ordinary Friday evening: Monday morning.
    assert next_working_moment(at(2026, 3, 6, 17, 1)) == at(2026, 3, 9, 7)


def test_arrival_before_a_made_up_working_saturday(calendar_2026):
    assert next_working_moment(at(2026, 8, 21, 17, 30)) == at(2026, 8, 22, 7)
    assert add_processing_time(at(2026, 8, 21, 17, 30), 1, "working_days") == at(2026, 8, 24, 7)


def test_utc_moments_are_read_in_the_portal_time_zone(calendar_2026):
    utc = dt.datetime(2026, 2, 13, 11, 0, tzinfo=dt.UTC)  # 18:00 in Hà Nội
    assert next_working_moment(utc) == at(2026, 2, 23, 7)
    assert next_working_moment(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)) == at(2026, 3, 2, 9)


def test_working_hours_lunch_and_early_morning(db):
    assert next_working_moment(at(2026, 3, 2, 12)) == at(2026, 3, 2, 13, 30)
    assert next_working_moment(at(2026, 3, 2, 6, 15)) == at(2026, 3, 2, 7)
    assert next_working_moment(at(2026, 3, 2, 16, 59)) == at(2026, 3, 2, 16, 59)
    assert next_working_moment(at(2026, 3, 2, 17)) == at(2026, 3, 3, 7)


def test_hours_count_working_hours_only(calendar_2026):
    # Friday 13 February 16:00, 4 hours: 1 on Friday, 3 after Tết.
    assert add_processing_time(at(2026, 2, 13, 16), 4, "hours") == at(2026, 2, 23, 10)
    # Across lunch: 11:00 + 1 hour = 11:30, then 13:30 + 30 minutes.
    assert add_processing_time(at(2026, 2, 23, 11), 1, "hours") == at(2026, 2, 23, 14)


def test_half_a_working_day_is_four_working_hours(db):
    assert add_processing_time(at(2026, 3, 2, 9), Decimal("0.5"), "working_days") == at(2026, 3, 2, 15)


def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day(calendar_2026):
    # Monday 9 February + 7 days = Monday 16 February, Tết: the period ends
    # at the close of Monday 23 February.
    assert add_processing_time(at(2026, 2, 9, 10), 7, "calendar_days") == at(2026, 2, 23, 17)
    assert add_processing_time(at(2026, 3, 2, 10), 3, "calendar_days") == at(2026, 3, 5, 10)


def test_administrators_corrections_win(calendar_2026):
    # A province gives an extra day off and makes a Saturday a working day.
    CalendarDay.objects.create(date=D(2026, 3, 6), kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ thêm")
    CalendarDay.objects.create(date=D(2026, 3, 14), kind=CalendarDay.Kind.WORKING_DAY, name="Làm bù")
    assert not is_working_day(D(2026, 3, 6))
    assert is_working_day(D(2026, 3, 14))
    assert add_processing_time(at(2026, 3, 5, 8), 1, "working_days") == at(2026, 3, 9, 8)
    # Removing a seeded day off makes it a working day again.
    CalendarDay.objects.filter(date=D(2026, 4, 30)).delete()
    assert is_working_day(D(2026, 4, 30))


def test_seeding_again_keeps_corrections_unless_overwrite(calendar_2026):
    CalendarDay.objects.filter(date=D(2026, 9, 2)).update(name="Quốc khánh (sửa)")
    count = CalendarDay.objects.count()
    call_command("seed_calendar", "2026", stdout=StringIO())
    assert CalendarDay.objects.count() == count
    assert CalendarDay.objects.get(date=D(2026, 9, 2)).name == "Quốc khánh (sửa)"
    call_command("seed_calendar", "2026", "--overwrite", stdout=StringIO())
    assert CalendarDay.objects.get(date=D(2026, 9, 2)).name == "Quốc khánh"
    assert CalendarDay.objects.get(date=D(2026, 8, 22)).kind == CalendarDay.Kind.WORKING_DAY


def test_working_hours_come_from_the_setting(db, settings):
    settings.PORTAL_WORKING_HOURS = ["08:00-12:00", "13:00-17:30"]
    assert next_working_moment(at(2026, 3, 2, 7, 30)) == at(2026, 3, 2, 8)
    assert next_working_moment(at(2026, 3, 2, 12, 30)) == at(2026, 3, 2, 13)
    assert add_processing_time(at(2026, 3, 2, 8), Decimal("0.5"), "working_days") == at(2026, 3, 2, 13, 15)


def test_processing_time_between_is_the_inverse(calendar_2026):
    start = at(2026, 2, 12, 9)
    end = add_processing_time(start, 5, "working_days")
    assert end == at(2026, 2, 26, 9)  # Friday 13, then 23, 24, 25 and 26 after Tết
    assert processing_time_between(start, end, "working_days") == 5
    assert processing_time_between(at(2026, 2, 13, 16), at(2026, 2, 23, 10), "hours") == Decimal("4.00")
    assert processing_time_between(end, start, "working_days") == 0


def test_unknown_unit_is_refused(db):
    with pytest.raises(ValueError):
        add_processing_time(at(2026, 3, 2, 9), 1, "fortnights")


def test_calendar_is_kept_in_the_admin(calendar_2026, client, django_user_model):
    from django.urls import reverse

    from tests.second_factor import pass_second_factor

    admin = django_user_model.objects.create_superuser("cal-admin", "cal@example.com", "pw")
    pass_second_factor(client, admin)  # staff pass a TOTP check before /admin/ (accounts.mfa)
    response = client.get(reverse("wagtailsnippets_procedures_calendarday:list"))
    assert response.status_code == 200
    assert "Quốc khánh" in response.content.decode()
