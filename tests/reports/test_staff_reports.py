"""Staff reports per agency and per handler: figures against a small
dataset made through the real lifecycle (the facts follow), the scope of
each role on every way in, and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from eforms import lifecycle
from feedback.models.ratings import Rating
from procedures.models import Agency
from reports.figures import Period
from reports.staff import agency_report, handler_report, report_scope
from tests.dossier_factories import (
    JUSTICE_CODE,
    PROVINCE_CODE,
    WARD_CODE,
    FieldFactory,
    ProcedurePageFactory,
    make_agency,
    make_citizen,
    make_staff,
    submit,
)
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
EVIL = '=HYPERLINK("http://evil.example/","x")'


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def make_dossier(world, procedure, channel, received: dt.datetime, *, handler=None, completed=None,
                 returned=None, applicant=None):
    """Submitted and received at `received`, handed to `handler`, completed
    and returned when given: every step through eforms.lifecycle."""
    agency = procedure.agency
    clerk = world["clerks"][agency.unit_code]
    citizen = applicant or world["citizen"]
    dossier = submit(procedure, citizen, channel=channel, now=received - dt.timedelta(minutes=30))
    lifecycle.receive(dossier, lifecycle.Actor.staff(clerk), now=received)
    if handler is not None:
        lifecycle.start_processing(dossier, lifecycle.Actor.staff(clerk), assignee=handler,
                                   now=received + dt.timedelta(minutes=10))
    if completed is not None:
        lifecycle.complete(dossier, lifecycle.Actor.staff(handler), result="Đã cấp", now=completed)
    if returned is not None:
        lifecycle.return_result(dossier, lifecycle.Actor.staff(clerk), now=returned)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def world(db):
    """Two agencies under the province, three procedures, six dossiers.

    Sở Tư pháp (procedure "Cấp Phiếu lý lịch tư pháp", level 3, 3 working days), handler H1:
      d1 online, received Mon 3/3/2025, completed Tue 4/3 (early), returned Thu 6/3;
      d2 at the desk, received Mon 3/3, completed Mon 17/3 (late);
      d3 by post, received Tue 4/3, still being handled (overdue by the end of March);
      d4 online, received Mon 30/12/2024, completed Thu 2/1/2025 (another year).
    Phường Buôn Ma Thuột ("Đăng ký khai sinh", level 4), handler H2:
      d5 online, received Wed 5/3, completed Thu 6/3 (early);
      d6 at the desk, received Wed 5/3, not handed to anyone (pending, overdue).
    A level-2 procedure of the ward ("Chứng thực", planned online in 2026) has no dossier.
    """
    province = make_agency(PROVINCE_CODE, "Ủy ban nhân dân tỉnh Đắk Lắk", tier="province")
    justice = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    ward = make_agency(WARD_CODE, "Phường Buôn Ma Thuột", tier="commune")
    for agency in (justice, ward):
        Agency.objects.filter(translation_key=agency.translation_key).update(parent=province)
    records = ProcedurePageFactory(code="2.000488", title="Cấp Phiếu lý lịch tư pháp", agency=justice,
                                   tier="province", level=3)
    birth = ProcedurePageFactory(code="1.001193", title="Đăng ký khai sinh", agency=ward, tier="commune", level=4,
                                 field=FieldFactory(code="ho-tich", name="Hộ tịch"))
    copy = ProcedurePageFactory(code="2.000815", title="Chứng thực bản sao từ bản chính", agency=ward,
                                tier="commune", level=2, field=FieldFactory(code="chung-thuc", name="Chứng thực"),
                                online_target_year=2026)
    h1 = make_staff("h1", justice, "handler")
    h1.first_name, h1.last_name = "Một", "Cán bộ"
    h1.save()
    h2 = make_staff("h2", ward, "handler")
    world = {
        "province": province, "justice": justice, "ward": ward, "records": records, "birth": birth, "copy": copy,
        "h1": h1, "h2": h2, "citizen": make_citizen("reports-citizen"),
        "clerks": {JUSTICE_CODE: make_staff("justice-clerk", justice, "receiver"),
                   WARD_CODE: make_staff("ward-clerk", ward, "receiver")},
    }
    mon, tue, wed, thu = (dt.date(2025, 3, d) for d in (3, 4, 5, 6))
    world["d1"] = make_dossier(world, records, "online", at(mon), handler=h1, completed=at(tue, 15),
                               returned=at(thu, 10))
    world["d2"] = make_dossier(world, records, "desk", at(mon, 10), handler=h1,
                               completed=at(dt.date(2025, 3, 17), 15),
                               applicant=make_citizen("evil-citizen", id_number="001099054321", full_name=EVIL))
    world["d3"] = make_dossier(world, records, "post", at(tue), handler=h1)
    world["d4"] = make_dossier(world, records, "online", at(dt.date(2024, 12, 30)), handler=h1,
                               completed=at(dt.date(2025, 1, 2), 15))
    world["d5"] = make_dossier(world, birth, "online", at(wed), handler=h2, completed=at(thu, 15))
    world["d6"] = make_dossier(world, birth, "desk", at(wed, 11))
    rating = Rating.objects.create(dossier=world["d1"], applicant=world["citizen"], agency=justice,
                                   procedure=records, timeliness=5, attitude=4, ease=4)
    Rating.objects.filter(pk=rating.pk).update(created_at=at(dt.date(2025, 3, 7)))
    return world


def row_values(report):
    return {row.label: (row.received, row.done, row.on_time, row.late, row.pending, row.overdue)
            for row in report.rows}


# ---------------------------------------------------------------- the figures


def test_agency_report_counts_by_hand(world, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", email="r@example.org", password="pw")
    report = agency_report(report_scope(admin), MARCH)
    assert row_values(report) == {
        "Sở Tư pháp": (3, 2, 1, 1, 1, 1),
        "Phường Buôn Ma Thuột": (2, 1, 1, 0, 1, 1),
    }
    justice = next(row for row in report.rows if row.label == "Sở Tư pháp")
    assert (justice.ratings, justice.satisfied) == (1, 1)
    assert report.with_ratings
    assert (report.total.received, report.total.done, report.total.pending) == (5, 3, 2)
    # January: d4 done on time-or-late against its appointment, nothing received
    january = agency_report(report_scope(admin), Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))
    assert row_values(january)["Sở Tư pháp"][:2] == (0, 1)


def test_handler_report_counts_by_hand(world, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", email="r@example.org", password="pw")
    report = handler_report(report_scope(admin), MARCH)
    assert row_values(report) == {
        "Một Cán bộ": (3, 2, 1, 1, 1, 1),
        "h2": (1, 1, 1, 0, 0, 0),
    }
    # the first week: d2 and d3 pending, neither overdue yet on Tuesday
    week = handler_report(report_scope(admin), Period(dt.date(2025, 3, 3), dt.date(2025, 3, 4)))
    assert row_values(week)["Một Cán bộ"] == (3, 1, 1, 0, 2, 0)


def test_a_receiver_sees_only_their_agency(world):
    scope = report_scope(world["clerks"][WARD_CODE])
    assert set(row_values(agency_report(scope, MARCH))) == {"Phường Buôn Ma Thuột"}
    assert set(row_values(handler_report(scope, MARCH))) == {"h2"}


def test_a_province_leader_sees_every_agency_below(world):
    leader = make_staff("province-leader", world["province"], "leader")
    assert set(row_values(agency_report(report_scope(leader), MARCH))) == {"Sở Tư pháp", "Phường Buôn Ma Thuột"}


def test_a_handler_alone_and_a_citizen_have_no_reports(world, client):
    assert report_scope(world["h1"]).empty and report_scope(world["citizen"]).empty
    pass_second_factor(client, world["h1"])
    for name in ("reports_agencies", "reports_handlers", "reports_desk_log"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)
        assert b"S\xe1\xbb\x9f T\xc6\xb0 ph\xc3\xa1p" not in response.content
    response = client.get(reverse("reports_agencies_export", args=["csv"]))
    assert response.status_code in (302, 403) and not response.get("Content-Disposition")


# ---------------------------------------------------------------- the screens and exports

QUERY = {"start": "2025-03-01", "end": "2025-03-31"}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))


def test_screens_and_exports_of_a_receiver(world, client):
    pass_second_factor(client, world["clerks"][WARD_CODE])
    response = client.get(reverse("reports_agencies"), QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phường Buôn Ma Thuột" in html and "Sở Tư pháp" not in html
    response = client.get(reverse("reports_agencies_export", args=["csv"]), QUERY)
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[1][:7] == ["Phường Buôn Ma Thuột", "2", "1", "1", "0", "1", "1"]
    assert not any("Sở Tư pháp" in cell for row in rows for cell in row)
    response = client.get(reverse("reports_handlers_export", args=["xlsx"]), QUERY)
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert values[0][:7] == ["h2", 1, 1, 1, 0, 0, 0]
    assert "Một Cán bộ" not in str(values)


@pytest.mark.parametrize("name", ["reports_agencies", "reports_handlers"])
def test_another_agency_in_the_address_is_refused_everywhere(world, client, name):
    pass_second_factor(client, world["clerks"][WARD_CODE])
    other = world["justice"]
    english = Agency.objects.exclude(pk=other.pk).get(translation_key=other.translation_key)
    for agency in (other, english):
        query = {**QUERY, "agency": str(agency.pk)}
        assert client.get(reverse(name), query).status_code == 404
        for fmt in ("csv", "xlsx"):
            response = client.get(reverse(f"{name}_export", args=[fmt]), query)
            assert response.status_code == 404 and not response.get("Content-Disposition")
    # their own agency by id is fine
    assert client.get(reverse(name), {**QUERY, "agency": str(world["ward"].pk)}).status_code == 200


def test_a_leader_narrows_to_one_agency(world, client):
    leader = make_staff("province-leader", world["province"], "leader")
    pass_second_factor(client, leader)
    rows = csv_rows(client.get(reverse("reports_agencies_export", args=["csv"]),
                               {**QUERY, "agency": str(world["justice"].pk)}))
    assert len(rows) == 3  # the headings, the agency, the total
    assert rows[1][:2] == ["Sở Tư pháp", "3"] and rows[2][1] == "3"


def test_bad_periods_get_a_clear_message(world, client):
    pass_second_factor(client, world["clerks"][WARD_CODE])
    response = client.get(reverse("reports_agencies"), {"start": "2025-03-31", "end": "2025-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["end"]
    response = client.get(reverse("reports_agencies_export", args=["csv"]), {"start": "nonsense", "end": ""})
    assert response.status_code == 400
    assert client.get(reverse("reports_agencies_export", args=["pdf"]), QUERY).status_code == 404


def test_exports_are_formula_safe(world, client, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", email="r@example.org", password="pw")
    Agency.objects.filter(translation_key=world["ward"].translation_key).update(name="@SUM(A1:A9)")
    pass_second_factor(client, admin)
    rows = csv_rows(client.get(reverse("reports_agencies_export", args=["csv"]), QUERY))
    assert ["'@SUM(A1:A9)"] == [row[0] for row in rows if "SUM" in row[0]]
    sheet = load_workbook(io.BytesIO(client.get(reverse("reports_agencies_export", args=["xlsx"]),
                                                QUERY).content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'@SUM(A1:A9)" in [c.value for c in cells]
