"""The inbox (Dossiers menu): scope per role on the listing, its results
fragment, the counts and the export; filters, folded search, due dates on
the agency calendar, bulk assignment and the export's safety."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from backoffice.inbox.due import OVERDUE, SOON, TODAY, due_condition
from eforms import lifecycle
from eforms.models import Dossier, DossierEvent
from procedures.models import CalendarDay
from tests.dossier_factories import (
    JUSTICE_CODE,
    OTHER_WARD_CODE,
    PROVINCE_CODE,
    WARD_CODE,
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    submit,
)
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db

INBOX = "/admin/dossiers/"
RESULTS = "/admin/dossiers/results/"
ASSIGN = "/admin/dossiers/assign/"


@pytest.fixture
def world():
    province = make_agency(PROVINCE_CODE, "UBND tỉnh", tier="province")
    justice = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    justice.parent = province
    justice.save()
    ward = make_agency(WARD_CODE, "UBND phường Tân Lợi", tier="commune")
    ward.parent = province
    ward.save()
    other = make_agency(OTHER_WARD_CODE, "UBND xã Hòa Phú", tier="commune")
    an = make_citizen("inbox-an", full_name="Nguyễn Văn An", id_number="001099012345")
    binh = make_citizen("inbox-binh", full_name="Trần Thị Bình", id_number="079188000111")
    khoa = make_citizen("inbox-khoa", full_name="Lê Đăng Khoa", id_number="066200777888", phone="0987000111")
    at_justice = make_procedure(agency=justice)
    at_ward = make_procedure("2.000986", agency=ward, tier="commune", title="Đăng ký khai sinh")
    at_other = make_procedure("2.000987", agency=other, tier="commune", title="Đăng ký kết hôn")
    d = {
        "an": submit(at_justice, an),
        "binh": submit(at_justice, binh),
        "ward": submit(at_ward, khoa),
        "other": submit(at_other, khoa),
    }
    staff = {
        "receiver": make_staff("inbox-receiver", justice, "receiver"),
        "handler": make_staff("inbox-handler", justice, "handler"),
        "colleague": make_staff("inbox-colleague", justice, "handler"),
        "leader": make_staff("inbox-leader", province, "leader"),
        "other_receiver": make_staff("inbox-other-receiver", other, "receiver"),
        "other_handler": make_staff("inbox-other-handler", other, "handler"),
    }
    return {"justice": justice, "other": other, "procedures": (at_justice, at_ward, at_other),
            "d": d, "staff": staff, "citizens": (an, binh, khoa)}


def signed_in(client, user):
    return pass_second_factor(client, user)


def listed(html: str, world) -> set[str]:
    return {name for name, dossier in world["d"].items() if dossier.code in html}


def exported_codes(response) -> set[str]:
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    return {row[0] for row in rows[1:]}


def names(world, codes: set[str]) -> set[str]:
    return {name for name, dossier in world["d"].items() if dossier.code in codes}


def counts(response) -> dict:
    return {row["value"] or "all": row["count"] for row in response.context["status_counts"]}


# ---------------------------------------------------------------- scope


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("receiver", {"an", "binh"}),
        ("leader", {"an", "binh", "ward"}),
        ("other_receiver", {"other"}),
        ("handler", {"an"}),  # binh is the colleague's
    ],
)
def test_each_role_sees_exactly_its_scope_in_list_counts_and_export(client, world, role, expected):
    binh = world["d"]["binh"]
    binh.assigned_to = world["staff"]["colleague"]
    binh.save()
    signed_in(client, world["staff"][role])
    response = client.get(INBOX)
    assert response.status_code == 200
    assert listed(response.content.decode(), world) == expected
    assert counts(response)["all"] == len(expected)
    assert counts(response)["submitted"] == len(expected)
    results = client.get(RESULTS)
    assert listed(results.content.decode(), world) == expected
    assert names(world, exported_codes(client.get(INBOX, {"export": "csv"}))) == expected


def test_staff_of_one_agency_reach_nothing_of_another(client, world):
    other = world["d"]["other"]
    signed_in(client, world["staff"]["receiver"])
    for url in (INBOX, RESULTS):
        for query in ({"q": other.code}, {"q": "Lê Đăng Khoa"}, {}):
            html = client.get(url, query).content.decode()
            assert f"/admin/backoffice/dossiers/{other.pk}/" not in html
            assert "•••••••••888" not in html
    assert exported_codes(client.get(INBOX, {"export": "csv", "q": other.code})) == set()
    # The generic object views are not routed at all.
    for path in (f"/admin/dossiers/edit/{other.pk}/", f"/admin/dossiers/delete/{other.pk}/",
                 f"/admin/dossiers/history/{other.pk}/", f"/admin/dossiers/inspect/{other.pk}/"):
        assert client.get(path).status_code == 404, path
    # Assigning another agency's dossier: it is not even shown, and nothing is written.
    response = client.get(ASSIGN, {"id": other.pk})
    assert response.status_code == 302
    assert client.post(ASSIGN, {"id": other.pk, "handler": world["staff"]["handler"].pk}).status_code == 302
    assert not DossierEvent.objects.filter(dossier=other, action="forward").exists()
    other.refresh_from_db()
    assert other.assigned_to is None


def test_citizens_and_password_only_staff_do_not_get_in(client, world):
    client.force_login(world["staff"]["receiver"])
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/second-factor/")
    assert client.get(INBOX, {"export": "csv"})["Location"].startswith("/admin/second-factor/")
    client.logout()
    client.force_login(world["citizens"][0])
    assert client.get(INBOX)["Location"].startswith("/admin/login/")


def test_an_agency_administrator_has_no_inbox(client, world):
    admin = make_staff("inbox-agency-admin", world["justice"], "agency_admin")
    signed_in(client, admin)
    response = client.get(INBOX)
    assert response.status_code == 302  # Wagtail's "permission denied" redirect to the dashboard
    assert world["d"]["an"].code not in client.get(response["Location"]).content.decode()


# ---------------------------------------------------------------- the listing


def test_the_list_links_to_the_dossier_screen_and_masks_the_id_number(client, world):
    signed_in(client, world["staff"]["receiver"])
    html = client.get(INBOX).content.decode()
    an = world["d"]["an"]
    assert f'href="/admin/backoffice/dossiers/{an.pk}/"' in html
    assert "001099012345" not in html
    assert "•••••••••345" in html
    assert "Nguyễn Văn An" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nguyen van an", {"an"}),
        ("Nguyễn Văn An", {"an"}),
        ("NGUYEN an", {"an"}),
        ("tran thi binh", {"binh"}),
        ("079188000111", {"binh"}),
        ("9188000", {"binh"}),
    ],
)
def test_folded_search_by_name_and_id_number(client, world, query, expected):
    signed_in(client, world["staff"]["receiver"])
    assert listed(client.get(INBOX, {"q": query}).content.decode(), world) == expected


def test_search_by_code_whole_or_in_part(client, world):
    signed_in(client, world["staff"]["leader"])
    ward = world["d"]["ward"]
    assert listed(client.get(INBOX, {"q": ward.code}).content.decode(), world) == {"ward"}
    assert listed(client.get(INBOX, {"q": ward.code.lower()}).content.decode(), world) == {"ward"}
    assert listed(client.get(INBOX, {"q": WARD_CODE}).content.decode(), world) == {"ward"}


def test_search_text_follows_the_dossier(world):
    an = world["d"]["an"]
    assert an.search_text == f"{' '.join(an.code.lower().replace('-', ' ').split())} nguyen van an 001099012345"
    an.applicant_name = "Phạm Đức Huy"
    an.save(update_fields=["applicant_name"])
    assert Dossier.objects.filter(search_text__contains="pham duc huy").get() == an


def test_filters_status_procedure_channel_received_and_handler(client, world):
    receiver, handler = world["staff"]["receiver"], world["staff"]["handler"]
    an, binh = world["d"]["an"], world["d"]["binh"]
    lifecycle.receive(an, lifecycle.Actor.staff(receiver), now=timezone.now() - dt.timedelta(days=3))
    Dossier.objects.filter(pk=binh.pk).update(channel="home_service")
    lifecycle.forward(an, lifecycle.Actor.staff(receiver), handler)
    signed_in(client, world["staff"]["leader"])

    def seen(**query):
        return listed(client.get(INBOX, query).content.decode(), world)

    assert seen(status="received") == {"an"}
    assert seen(status="submitted") == {"binh", "ward"}
    assert seen(channel="home_service") == {"binh"}
    assert seen(channel="online") == {"an", "ward"}
    assert seen(procedure=world["procedures"][1].pk) == {"ward"}
    assert seen(field=world["procedures"][0].field.pk) == {"an", "binh", "ward"}
    day = timezone.localdate(an.received_at).isoformat()
    assert seen(received_from=day, received_to=day) == {"an"}
    assert seen(assigned="unassigned") == {"binh", "ward"}
    signed_in(client, handler)
    assert listed(client.get(INBOX, {"assigned": "me"}).content.decode(), world) == {"an"}


def test_counts_per_status_apply_the_other_filters_but_not_the_status(client, world):
    receiver = world["staff"]["receiver"]
    lifecycle.receive(world["d"]["an"], lifecycle.Actor.staff(receiver))
    signed_in(client, world["staff"]["leader"])
    response = client.get(INBOX, {"status": "received"})
    assert counts(response)["received"] == 1
    assert counts(response)["submitted"] == 2
    assert counts(response)["all"] == 3
    response = client.get(INBOX, {"status": "received", "q": "binh"})
    assert counts(response)["submitted"] == 1
    assert counts(response)["received"] == 0


def test_sorting_by_due_date_puts_dossiers_without_one_last(client, world):
    receiver = world["staff"]["receiver"]
    an, binh = world["d"]["an"], world["d"]["binh"]
    lifecycle.receive(an, lifecycle.Actor.staff(receiver))
    lifecycle.receive(binh, lifecycle.Actor.staff(receiver))
    Dossier.objects.filter(pk=an.pk).update(appointment_at=timezone.now() + dt.timedelta(days=9))
    Dossier.objects.filter(pk=binh.pk).update(appointment_at=timezone.now() + dt.timedelta(days=2))
    signed_in(client, world["staff"]["leader"])
    ward = world["d"]["ward"]
    for ordering, expected in (("appointment_at", [binh, an, ward]), ("-appointment_at", [an, binh, ward])):
        html = client.get(INBOX, {"ordering": ordering}).content.decode()
        positions = [html.index(d.code) for d in expected]
        assert positions == sorted(positions), ordering


# ---------------------------------------------------------------- due dates


def test_due_filters_follow_the_calendar_with_a_holiday_and_a_make_up_saturday(world):
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    now = dt.datetime(2026, 4, 24, 10, 0, tzinfo=tz)  # a Friday
    CalendarDay.objects.create(date=dt.date(2026, 4, 25), kind=CalendarDay.Kind.WORKING_DAY, name="Làm bù")
    CalendarDay.objects.create(date=dt.date(2026, 4, 27), kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ bù")
    receiver = world["staff"]["receiver"]
    procedure = world["procedures"][0]
    citizen = world["citizens"][0]
    moments = {
        "yesterday": dt.datetime(2026, 4, 23, 9, 0, tzinfo=tz),
        "this_morning": dt.datetime(2026, 4, 24, 8, 0, tzinfo=tz),
        "this_afternoon": dt.datetime(2026, 4, 24, 15, 0, tzinfo=tz),
        "saturday": dt.datetime(2026, 4, 25, 10, 0, tzinfo=tz),
        "tuesday": dt.datetime(2026, 4, 28, 16, 0, tzinfo=tz),
        "wednesday": dt.datetime(2026, 4, 29, 8, 0, tzinfo=tz),
    }
    made = {}
    for name, moment in moments.items():
        dossier = submit(procedure, citizen)
        lifecycle.receive(dossier, lifecycle.Actor.staff(receiver))
        Dossier.objects.filter(pk=dossier.pk).update(appointment_at=moment)
        made[dossier.pk] = name
    waiting = submit(procedure, citizen)
    lifecycle.receive(waiting, lifecycle.Actor.staff(receiver))
    lifecycle.request_supplement(waiting, lifecycle.Actor.staff(receiver), ["Bản sao CCCD"],
                                 timezone.localdate() + dt.timedelta(days=5))
    Dossier.objects.filter(pk=waiting.pk).update(appointment_at=moments["yesterday"])

    def due(kind):
        return {made.get(pk, "waiting") for pk in Dossier.objects.filter(due_condition(kind, now)).values_list(
            "pk", flat=True)}

    assert due(OVERDUE) == {"yesterday", "this_morning"}
    assert due(TODAY) == {"this_afternoon"}
    # Two working days after Friday: the make-up Saturday and Tuesday (Monday is off).
    assert due(SOON) == {"this_afternoon", "saturday", "tuesday"}


def test_overdue_filter_and_badge_in_the_list(client, world):
    receiver = world["staff"]["receiver"]
    an, binh = world["d"]["an"], world["d"]["binh"]
    for dossier in (an, binh):
        lifecycle.receive(dossier, lifecycle.Actor.staff(receiver))
    Dossier.objects.filter(pk=an.pk).update(appointment_at=timezone.now() - dt.timedelta(days=2))
    Dossier.objects.filter(pk=binh.pk).update(appointment_at=timezone.now() + dt.timedelta(days=40))
    signed_in(client, receiver)
    response = client.get(INBOX, {"due": "overdue"})
    html = response.content.decode()
    assert listed(html, world) == {"an"}
    assert "overdue" in html
    assert listed(client.get(INBOX, {"due": "soon"}).content.decode(), world) == set()


# ---------------------------------------------------------------- bulk assignment


def test_bulk_assign_writes_internal_events_and_keeps_the_status(client, world):
    receiver, handler = world["staff"]["receiver"], world["staff"]["handler"]
    an, binh = world["d"]["an"], world["d"]["binh"]
    signed_in(client, receiver)
    form = client.get(ASSIGN, {"id": [an.pk, binh.pk]})
    assert form.status_code == 200
    choices = {str(label) for _value, label in form.context["form"].fields["handler"].choices}
    assert "inbox-handler" in choices and "inbox-other-handler" not in choices
    response = client.post(ASSIGN, {"id": [an.pk, binh.pk], "handler": handler.pk, "note": "Ưu tiên"})
    assert response.status_code == 302
    for dossier in (an, binh):
        dossier.refresh_from_db()
        assert dossier.assigned_to == handler
        assert dossier.status == "submitted"
        event = dossier.events.get(action="forward")
        assert (event.from_status, event.to_status, event.actor_user) == ("submitted", "", receiver)
        assert event.data["assignee"] == handler.pk
        assert not dossier.events.public().filter(action="forward").exists()
    # The applicant's history shows public statuses only.
    citizen_client = client.__class__()
    citizen_client.force_login(world["citizens"][0])
    page = citizen_client.get(reverse("my_dossier", args=[an.code]))
    assert page.status_code == 200
    assert [e.action for e in page.context["events"]] == ["submit"]
    assert "Ưu tiên" not in page.content.decode()


def test_bulk_assign_refuses_a_handler_of_another_agency(client, world):
    receiver = world["staff"]["receiver"]
    an = world["d"]["an"]
    signed_in(client, receiver)
    response = client.post(ASSIGN, {"id": [an.pk], "handler": world["staff"]["other_handler"].pk})
    assert response.status_code == 200
    assert response.context["form"].errors
    an.refresh_from_db()
    assert an.assigned_to is None
    assert not DossierEvent.objects.filter(action="forward").exists()


def test_bulk_assign_is_all_or_nothing(client, world):
    """A leader sees two agencies; a handler of one of them cannot take the other's dossier."""
    leader, handler = world["staff"]["leader"], world["staff"]["handler"]
    an, ward = world["d"]["an"], world["d"]["ward"]
    signed_in(client, leader)
    response = client.post(ASSIGN, {"id": [an.pk, ward.pk], "handler": handler.pk})
    assert response.status_code == 200
    assert ward.code in response.content.decode()
    assert not DossierEvent.objects.filter(action="forward").exists()


def test_a_handler_may_not_assign(client, world):
    handler = world["staff"]["handler"]
    signed_in(client, handler)
    response = client.post(ASSIGN, {"id": [world["d"]["an"].pk], "handler": handler.pk})
    assert response.status_code == 200
    assert not DossierEvent.objects.filter(action="forward").exists()


# ---------------------------------------------------------------- export


@pytest.fixture
def formula_dossier(world):
    citizen = make_citizen("inbox-eve", full_name="=HYPERLINK(\"http://evil\",\"x\")", id_number="001099999999")
    return submit(world["procedures"][0], citizen)


def test_csv_export_neutralises_formulas_respects_filters_and_is_audited(client, world, formula_dossier):
    receiver = world["staff"]["receiver"]
    lifecycle.receive(world["d"]["binh"], lifecycle.Actor.staff(receiver))
    signed_in(client, receiver)
    response = client.get(INBOX, {"export": "csv", "status": "submitted"})
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {world["d"]["an"].code, formula_dossier.code}
    evil = by_code[formula_dossier.code]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in evil
    assert "001099999999" in evil  # whole in the export, which is audited
    entry = ModelLogEntry.objects.get(action="backoffice.export_dossiers")
    assert entry.user == receiver
    assert entry.data["format"] == "csv"
    assert entry.data["rows"] == 2
    assert "status=submitted" in entry.data["query"]


def test_xlsx_export_neutralises_formulas(client, world, formula_dossier):
    signed_in(client, world["staff"]["receiver"])
    response = client.get(INBOX, {"export": "xlsx", "q": "001099999999"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == formula_dossier.code
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in rows[1]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in rows[1])
