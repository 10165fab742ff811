"""Late dossiers: the daily scan on the working-day calendar, the handler
digests and the dashboard panels (backoffice.late, backoffice.panels)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from backoffice import late
from backoffice.models import DueDigest
from backoffice.tasks import enqueue_digests
from eforms import lifecycle
from eforms.models import Dossier, DueState
from procedures.models import CalendarDay, ProcedurePage
from tests.dossier_factories import (
    JUSTICE_CODE,
    WARD_CODE,
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    submit,
)
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db

# A test year: the National Day holiday on Monday 1 and Tuesday 2 September
# 2031, and Saturday 6 September made a working day.
FRIDAY_BEFORE = dt.date(2031, 8, 29)
HOLIDAY_MON, HOLIDAY_TUE = dt.date(2031, 9, 1), dt.date(2031, 9, 2)
WEDNESDAY_AFTER = dt.date(2031, 9, 3)
THURSDAY, FRIDAY = dt.date(2031, 9, 4), dt.date(2031, 9, 5)
MAKE_UP_SATURDAY = dt.date(2031, 9, 6)
MONDAY = dt.date(2031, 9, 8)


@pytest.fixture(autouse=True)
def calendar():
    for day, name in ((HOLIDAY_MON, "Quốc khánh (nghỉ bù)"), (HOLIDAY_TUE, "Quốc khánh")):
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": CalendarDay.Kind.DAY_OFF, "name": name})
    CalendarDay.objects.update_or_create(
        date=MAKE_UP_SATURDAY, defaults={"kind": CalendarDay.Kind.WORKING_DAY, "name": "Làm bù cho ngày 1/9"}
    )


def at(day: dt.date, hour: int = 1) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def justice():
    return make_agency(JUSTICE_CODE, "Sở Tư pháp")


@pytest.fixture
def clerk(justice):
    return make_staff("late-clerk", justice, "receiver")


def processing(agency, clerk, appointment: dt.date, handler=None, username="late-citizen") -> Dossier:
    """A dossier received and being handled, due on `appointment` at 16:00."""
    procedure = ProcedurePage.objects.filter(agency=agency).first()
    if procedure is None:
        procedure = make_procedure(agency=agency) if agency.unit_code == JUSTICE_CODE else make_procedure(
            "2.000986", agency=agency, tier="commune", title="Đăng ký khai sinh")
    citizen = make_citizen(username)
    dossier = submit(procedure, citizen)
    lifecycle.receive(dossier, lifecycle.Actor.staff(clerk))
    first = handler or make_staff(f"{username}-first-handler", agency, "handler")
    lifecycle.start_processing(dossier, lifecycle.Actor.staff(clerk), assignee=first)
    # handler None: handed back, nobody handles it now
    Dossier.objects.filter(pk=dossier.pk).update(appointment_at=at(appointment, 16), assigned_to=handler)
    dossier.refresh_from_db()
    return dossier


def state_on(dossier: Dossier, day: dt.date, days: int = 2) -> str:
    late.flag_due_dossiers(at(day), days)
    dossier.refresh_from_db()
    return dossier.due_state


def test_due_on_the_friday_before_a_holiday_is_overdue_on_the_next_working_day_not_the_holiday(justice, clerk):
    dossier = processing(justice, clerk, FRIDAY_BEFORE)
    assert state_on(dossier, FRIDAY_BEFORE) == DueState.DUE_SOON
    assert state_on(dossier, HOLIDAY_MON) == DueState.DUE_SOON
    assert state_on(dossier, HOLIDAY_TUE) == DueState.DUE_SOON
    assert state_on(dossier, WEDNESDAY_AFTER) == DueState.OVERDUE
    assert dossier.due_state_at == at(WEDNESDAY_AFTER)


def test_a_make_up_saturday_counts_as_a_working_day_for_due_soon(justice, clerk):
    on_saturday = processing(justice, clerk, MAKE_UP_SATURDAY, username="late-sat")
    on_monday = processing(justice, clerk, MONDAY, username="late-mon")
    # Thursday: the two working days ahead are Friday and the make-up Saturday.
    assert state_on(on_saturday, THURSDAY) == DueState.DUE_SOON
    assert state_on(on_monday, THURSDAY) == DueState.ON_TIME
    # Due on Friday, a dossier is overdue on the make-up Saturday.
    due_friday = processing(justice, clerk, FRIDAY, username="late-fri")
    assert state_on(due_friday, MAKE_UP_SATURDAY) == DueState.OVERDUE
    # Without the make-up day, Monday would be the second working day.
    CalendarDay.objects.filter(date=MAKE_UP_SATURDAY).delete()
    assert state_on(on_monday, THURSDAY) == DueState.DUE_SOON


def test_the_number_of_working_days_is_a_setting(justice, clerk, settings):
    dossier = processing(justice, clerk, MONDAY)
    settings.PORTAL_DUE_SOON_WORKING_DAYS = 3
    assert state_on(dossier, THURSDAY, days=None) == DueState.DUE_SOON
    settings.PORTAL_DUE_SOON_WORKING_DAYS = 1
    assert state_on(dossier, THURSDAY, days=None) == DueState.ON_TIME


def test_a_dossier_waiting_for_a_supplement_is_paused_and_not_flagged(justice, clerk):
    dossier = processing(justice, clerk, FRIDAY_BEFORE)
    assert state_on(dossier, WEDNESDAY_AFTER) == DueState.OVERDUE
    lifecycle.request_supplement(dossier, lifecycle.Actor.staff(clerk), items=["Bản sao CCCD"],
                                 deadline=timezone.localdate() + dt.timedelta(days=10))
    Dossier.objects.filter(pk=dossier.pk).update(appointment_at=at(FRIDAY_BEFORE, 16))
    assert state_on(dossier, WEDNESDAY_AFTER) == DueState.ON_TIME
    assert not late.flagged().filter(pk=dossier.pk).exists()


def test_closed_dossiers_are_not_flagged(justice, clerk):
    handler = make_staff("late-closer", justice, "handler")
    dossier = processing(justice, clerk, FRIDAY_BEFORE, handler=handler)
    assert state_on(dossier, WEDNESDAY_AFTER) == DueState.OVERDUE
    lifecycle.complete(dossier, lifecycle.Actor.staff(handler), result="Đã cấp phiếu")
    assert state_on(dossier, WEDNESDAY_AFTER) == DueState.ON_TIME


# ---------------------------------------------------------------- digests


def test_each_person_gets_one_digest_a_day_and_the_applicant_none(justice, clerk):
    handler = make_staff("late-handler", justice, "handler")
    mine = processing(justice, clerk, FRIDAY_BEFORE, handler=handler, username="late-a")
    unassigned = processing(justice, clerk, WEDNESDAY_AFTER, username="late-b")
    late.flag_due_dossiers(at(WEDNESDAY_AFTER))

    assert enqueue_digests(WEDNESDAY_AFTER) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {handler.email, clerk.email}
    assert mine.code in by_address[handler.email].body
    assert unassigned.code not in by_address[handler.email].body
    assert unassigned.code in by_address[clerk.email].body
    assert "/admin/dossiers/?due=overdue" in by_address[handler.email].body

    enqueue_digests(WEDNESDAY_AFTER)  # the job run again the same day
    assert late.send_digest(handler.pk, WEDNESDAY_AFTER) == "already sent"
    assert [m.to[0] for m in mail.outbox].count(handler.email) == 1
    assert DueDigest.objects.filter(recipient=handler, day=WEDNESDAY_AFTER).count() == 1

    enqueue_digests(THURSDAY)
    assert [m.to[0] for m in mail.outbox].count(handler.email) == 2


def test_the_daily_command_flags_and_sends(justice, clerk):
    handler = make_staff("late-cmd", justice, "handler")
    dossier = processing(justice, clerk, timezone.localdate() - dt.timedelta(days=10), handler=handler)
    call_command("flag_due_dossiers", stdout=io.StringIO())
    dossier.refresh_from_db()
    assert dossier.due_state == DueState.OVERDUE
    assert [m.to for m in mail.outbox] == [[handler.email]]


def test_the_digest_is_written_in_the_recipients_admin_language(justice, clerk):
    from wagtail.users.models import UserProfile

    handler = make_staff("late-english", justice, "handler")
    processing(justice, clerk, FRIDAY_BEFORE, handler=handler)
    late.flag_due_dossiers(at(WEDNESDAY_AFTER))
    profile = UserProfile.get_for_user(handler)
    for day, language, status in ((WEDNESDAY_AFTER, "vi", "Đang xử lý"), (THURSDAY, "en", "Being processed")):
        profile.preferred_language = language
        profile.save()
        assert late.send_digest(handler.pk, day) == "sent"
        assert status in mail.outbox[-1].body


# ---------------------------------------------------------------- dashboard panels


@pytest.fixture
def two_agencies(justice, clerk):
    ward = make_agency(WARD_CODE, "UBND phường Tân Lợi", tier="commune")
    ward_clerk = make_staff("late-ward-clerk", ward, "receiver")
    first = make_staff("late-h1", justice, "handler")
    first.first_name, first.last_name = "Trần", "Bình"
    first.save()
    second = make_staff("late-h2", justice, "handler")
    for n, handler in enumerate([first, first, second, None]):
        processing(justice, clerk, FRIDAY_BEFORE, handler=handler, username=f"late-j{n}")
    ward_handler = make_staff("late-ward-h", ward, "handler")
    for n in range(5):
        processing(ward, ward_clerk, FRIDAY_BEFORE, handler=ward_handler, username=f"late-w{n}")
    late.flag_due_dossiers(at(WEDNESDAY_AFTER))
    return {"ward": ward, "first": first, "second": second, "ward_handler": ward_handler}


def test_a_leader_sees_overdue_counts_per_handler_in_their_scope_only(two_agencies, justice, client):
    leader = make_staff("late-leader", justice, "leader")
    rows = {row["handler_id"]: row["count"] for row in late.overdue_per_handler(leader)}
    assert rows == {two_agencies["first"].pk: 2, two_agencies["second"].pk: 1, None: 1}

    page = pass_second_factor(client, leader).get("/admin/").content.decode()
    assert "Trần Bình" in page
    assert f'href="/admin/dossiers/?due=overdue&amp;handler={two_agencies["first"].pk}"' in page
    assert 'href="/admin/dossiers/?due=overdue&amp;assigned=unassigned"' in page
    assert f"handler={two_agencies['ward_handler'].pk}" not in page


def test_a_leader_of_another_agency_sees_nothing_of_this_one(two_agencies, client):
    outsider_agency = make_agency("000.99.99.H30", "Sở Xây dựng")
    outsider = make_staff("late-outsider", outsider_agency, "leader")
    assert late.overdue_per_handler(outsider) == []
    page = pass_second_factor(client, outsider).get("/admin/").content.decode()
    assert "backoffice-overdue" in page
    assert "Trần Bình" not in page
    assert "handler=none" not in page


def test_everyone_with_a_role_sees_their_own_count(two_agencies, clerk, client):
    first = two_agencies["first"]
    assert late.counts_for(first) == {DueState.DUE_SOON: 0, DueState.OVERDUE: 2}
    assert late.counts_for(clerk) == {DueState.DUE_SOON: 0, DueState.OVERDUE: 1}  # the unassigned one
    page = pass_second_factor(client, first).get("/admin/").content.decode()
    assert "backoffice-my-due" in page
    assert "backoffice-overdue" not in page  # handlers get no per-handler panel
    assert "/admin/dossiers/?due=overdue" in page
