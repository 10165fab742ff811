"""The ministry's tables (seed 001 Phụ lục 1 item 2, seed 004 §2.1) for a
year, with dossier counts from the facts, and who may download them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.ministry import ONLINE_SERVICE_HEADERS, ministry_workbook
from tests.dossier_factories import WARD_CODE, make_staff
from tests.reports.test_staff_reports import world  # noqa: F401 - fixture
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db


def sheets(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [tuple(c.value for c in row) for row in sheet.iter_rows()] for sheet in book.worksheets}


def test_the_workbook_by_hand(world):  # noqa: F811 - the imported fixture
    book = sheets(ministry_workbook(2025))
    assert list(book) == ["Số liệu chung", "TTHC theo cấp, mức độ", "DVC trực tuyến", "Lộ trình"]

    services = book["DVC trực tuyến"]
    assert services[2] == ONLINE_SERVICE_HEADERS
    # d1-d3 in 2025 for the records (d4 was received in 2024), d5-d6 for births; every channel counts
    assert services[3:] == [
        ("I", "Hộ tịch", None, None, None, None, None),
        (1, "Đăng ký khai sinh", 4, 1, 2, "http://localhost/p/1.001193/", None),
        ("II", "Lý lịch tư pháp", None, None, None, None, None),
        (2, "Cấp Phiếu lý lịch tư pháp", 3, 1, 3, "http://localhost/p/2.000488/", None),
    ]
    assert [row[3:5] for row in sheets(ministry_workbook(2024))["DVC trực tuyến"][3:] if row[2]] == [
        (0, 0), (1, 1)]

    general = {row[1]: row[2] for row in book["Số liệu chung"][3:]}
    assert general["Tổng số cơ quan cấp tỉnh (UBND tỉnh, Trung tâm Phục vụ hành chính công)"] == 1
    assert general["Tổng số sở, ban, ngành"] == 1
    assert general["Tổng số xã, phường, đặc khu"] == 1
    assert general["Tổng số thủ tục hành chính"] == 3
    assert general["Trong đó: Số thủ tục hành chính cấp tỉnh, thành phố"] == 1
    assert general["Trong đó: Số thủ tục hành chính cấp xã, phường"] == 2
    assert general["Số dịch vụ công trực tuyến mức độ 3 đang cung cấp"] == 1
    assert general["Số dịch vụ công trực tuyến mức độ 4 đang cung cấp"] == 1
    planned = "Tổng số thủ tục hành chính dự kiến cung cấp thành DVCTT ở mức độ 3, 4 đến hết năm"
    assert general[f"{planned} 2025"] == 2 and general[f"{planned} 2026"] == 3

    assert book["TTHC theo cấp, mức độ"][3:] == [
        ("Tỉnh", 0, 0, 1, 0, 1, 1), ("Huyện", 0, 0, 0, 0, 0, 0), ("Xã", 0, 1, 0, 1, 2, 1),
        ("Tổng số", 0, 1, 1, 1, 3, 2),
    ]
    roadmap = book["Lộ trình"][3:]
    assert [(row[1], row[5], row[6]) for row in roadmap] == [
        ("Cấp Phiếu lý lịch tư pháp", 3, None), ("Chứng thực bản sao từ bản chính", 2, 2026),
        ("Đăng ký khai sinh", 4, None),
    ]


def test_superuser_and_province_leader_download_others_are_refused(world, client, django_user_model):  # noqa: F811
    leader = make_staff("province-leader", world["province"], "leader")
    pass_second_factor(client, leader)
    response = client.get(reverse("reports_ministry"), {"year": "2025"})
    assert response.status_code == 200
    assert reverse("reports_ministry_xlsx") + "?year=2025" in response.content.decode()
    response = client.get(reverse("reports_ministry_xlsx"), {"year": "2025"})
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-bo-2025.xlsx"'
    assert sheets(response.content)["DVC trực tuyến"][4][4] == 2
    for bad in ("abc", "1999", "2999", ""):
        assert client.get(reverse("reports_ministry_xlsx"), {"year": bad}).status_code == 400
        assert client.get(reverse("reports_ministry"), {"year": bad}).status_code == 200

    client.logout()
    pass_second_factor(client, world["clerks"][WARD_CODE])
    for name in ("reports_ministry", "reports_ministry_xlsx"):
        response = client.get(reverse(name), {"year": "2025"})
        assert response.status_code in (302, 403) and not response.get("Content-Disposition")


def test_the_planned_year_is_validated(world):  # noqa: F811
    from django.core.exceptions import ValidationError

    page = world["copy"]
    for year in (1999, 2101):
        page.online_target_year = year
        with pytest.raises(ValidationError) as error:
            page.full_clean()
        assert "online_target_year" in error.value.message_dict
    page.online_target_year = None
    page.full_clean()
