"""The reception desk's log book (Circular 03/2025 form 07): its lines for
a day or a range, the printable page and the exports, and the scope."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from procedures.models import Agency
from reports import desk_log
from reports.figures import Period
from tests.dossier_factories import JUSTICE_CODE, WARD_CODE
from tests.reports.test_staff_reports import EVIL, world  # noqa: F401 - fixture
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db

MONDAY = {"start": "2025-03-03", "end": "2025-03-03"}


def test_lines_of_a_day_and_a_range(world):  # noqa: F811 - the imported fixture
    justice = world["justice"]
    monday = desk_log.lines(justice, Period(dt.date(2025, 3, 3), dt.date(2025, 3, 3)))
    assert [line.code for line in monday] == [world["d1"].code, world["d2"].code]
    first = monday[0]
    assert first.procedure == "Cấp Phiếu lý lịch tư pháp" and first.sets == 1
    assert first.applicant == "Nguyễn Văn An" and first.agency == "Sở Tư pháp"
    assert first.received == "09:00 03/03/2025"
    assert first.handed_on == "09:10 03/03/2025"
    assert first.result_back == "15:00 04/03/2025" and first.returned == "10:00 06/03/2025"
    assert first.note.startswith("Trực tuyến")
    # the week: d3 received on Tuesday; d1 returned on Thursday is listed once
    week = desk_log.lines(justice, Period(dt.date(2025, 3, 3), dt.date(2025, 3, 7)))
    assert [line.code for line in week] == [world["d1"].code, world["d2"].code, world["d3"].code]
    thursday = desk_log.lines(justice, Period(dt.date(2025, 3, 6), dt.date(2025, 3, 6)))
    assert [line.code for line in thursday] == [world["d1"].code]
    # the English copy of the agency reads the same book
    english = Agency.objects.exclude(pk=justice.pk).get(translation_key=justice.translation_key)
    assert [line.code for line in desk_log.lines(english, Period(dt.date(2025, 3, 3), dt.date(2025, 3, 3)))] == [
        world["d1"].code, world["d2"].code]


def test_screen_print_and_exports(world, client):  # noqa: F811
    pass_second_factor(client, world["clerks"][JUSTICE_CODE])
    query = {**MONDAY, "agency": str(world["justice"].pk)}
    response = client.get(reverse("reports_desk_log"), query)
    assert response.status_code == 200
    assert world["d1"].code in response.content.decode()
    response = client.get(reverse("reports_desk_log_print"), query)
    html = response.content.decode()
    assert response.status_code == 200 and "SỔ THEO DÕI HỒ SƠ" in html and world["d2"].code in html
    assert "001099054321" not in html  # no ID number in the book
    rows = list(csv.reader(io.StringIO(client.get(reverse("reports_desk_log_export", args=["csv"]),
                                                  query).content.decode().lstrip("\ufeff"))))
    assert rows[0] == list(desk_log.LOG_HEADERS)
    assert [row[1] for row in rows[1:]] == [world["d1"].code, world["d2"].code]
    assert rows[2][4] == "'" + EVIL  # formula-safe
    sheet = load_workbook(io.BytesIO(client.get(reverse("reports_desk_log_export", args=["xlsx"]),
                                                query).content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + EVIL in [c.value for c in cells]
    assert [c.value for c in sheet[3]] == list(desk_log.LOG_HEADERS)


def test_another_agencys_book_is_refused_on_every_way_in(world, client):  # noqa: F811
    pass_second_factor(client, world["clerks"][WARD_CODE])
    justice = world["justice"]
    english = Agency.objects.exclude(pk=justice.pk).get(translation_key=justice.translation_key)
    for agency in (justice, english):
        query = {**MONDAY, "agency": str(agency.pk)}
        for address in (reverse("reports_desk_log"), reverse("reports_desk_log_print"),
                        reverse("reports_desk_log_export", args=["csv"]),
                        reverse("reports_desk_log_export", args=["xlsx"])):
            response = client.get(address, query)
            assert response.status_code == 404, address
            assert world["d1"].code.encode() not in response.content
    # without an agency the screen opens on the clerk's own
    response = client.get(reverse("reports_desk_log"))
    assert response.status_code == 200 and response.context["agency"].pk == world["ward"].pk
    assert client.get(reverse("reports_desk_log_export", args=["csv"]),
                      {"start": "2025-03-31", "end": "2024-01-01", "agency": str(world["ward"].pk)}).status_code == 400
