"""The roadmap catalogue as an .xlsx download (the tables with dossier
counts are in reports: tests/reports/test_ministry.py)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from procedures.ministry_tables import ROADMAP_HEADERS, roadmap_workbook
from procedures.models import ProcedurePage
from tests.procedures.test_import import birth_row, catalogue, login, run  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedures(catalogue):  # noqa: F811 - the imported fixture
    run([
        birth_row(),  # level 4, commune, co-handled by the Sở Tư pháp
        birth_row(code="2.000488", name="Cấp Phiếu lý lịch tư pháp", field="Lý lịch tư pháp", tier="province",
                  agency_code="000.00.10.H30", co_agency_codes="000.00.00.H30\n000.20.30.H30", level="3",
                  legal_basis=""),
        birth_row(code="2.000815", name="Chứng thực bản sao từ bản chính", field="Chứng thực", level="2",
                  co_agency_codes=""),
    ])
    return {p.code: p for p in ProcedurePage.objects.all()}


def rows_of(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_roadmap_catalogue_lists_level_3_and_4_services(procedures):
    rows = rows_of(roadmap_workbook())
    assert rows[0][0] == "Danh mục dịch vụ công trực tuyến mức độ 3, 4"
    assert rows[2] == ROADMAP_HEADERS
    assert rows[3:] == [
        (1, "Cấp Phiếu lý lịch tư pháp", 3, "Tỉnh", "Sở Tư pháp",
         "Phường Buôn Ma Thuột; Ủy ban nhân dân tỉnh Đắk Lắk"),
        (2, "Thủ tục đăng ký khai sinh", 4, "Xã", "Phường Buôn Ma Thuột", "Sở Tư pháp"),
    ]


def test_admin_downloads_the_roadmap(client, django_user_model, procedures):
    admin = django_user_model.objects.create_superuser(username="admin", email="a@example.org", password="pw")
    login(client, admin)
    response = client.get(reverse("procedures_import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("procedures_roadmap_xlsx") in html and reverse("reports_ministry") in html

    response = client.get(reverse("procedures_roadmap_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="danh-muc-dvctt-')
    assert rows_of(response.content)[3][1] == "Cấp Phiếu lý lịch tư pháp"



def test_tables_need_catalogue_permissions(client, django_user_model, procedures):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="reader", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login(client, user)
    for name in ("procedures_roadmap_xlsx", "procedures_import"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)  # Wagtail turns PermissionDenied into a redirect home
        assert not response.get("Content-Disposition")
