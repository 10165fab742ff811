"""`src` from the embed card to the dossier, and the dossiers counted per
referring site in the admin (staff: their own agencies only; CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from eforms.models import Dossier
from reports.figures import Period
from reports.referrals import referrals, referrals_for, scoped_dossiers
from tests.dossier_factories import make_agency, make_procedure, make_staff, submit
from tests.eform_factories import citizen, make_eform
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db

CODE = "1.001193"
APPLICANT = {
    "applying_as": "self", "full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "id_number": "001090012345",
    "phone": "0912 345 678", "email": "an@example.com", "address_0": "66", "address_1": "24133",
    "address_2": "12 Lê Duẩn",
}
ANSWERS = {"muc_dich_yeu_cau": "Xin việc", "noi_dung_chi_tiet": "Bổ sung hồ sơ xin việc"}


def post_ok(client, url, data) -> str:
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


# ---------------------------------------------------------------- src kept on the dossier


@pytest.fixture
def applying(client, vietnamese):
    from tests.dossier_factories import pdf_bytes, upload

    procedure = make_procedure(CODE)
    make_eform(procedure, translate=False)
    user = citizen("an", id_number="001090012345")
    client.force_login(user)

    def walk(start_url: str, start_data: dict) -> Dossier:
        s1 = post_ok(client, post_ok(client, start_url, start_data), APPLICANT)
        s2 = post_ok(client, s1, ANSWERS)
        delivery = post_ok(client, s2, {"ban_sao_can_cuoc": upload("cccd.pdf", pdf_bytes())})
        review = post_ok(client, delivery, {"agency": str(procedure.agency.pk), "channel": "online",
                                            "result_delivery": "office"})
        key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', client.get(review).content.decode()).group(1)
        post_ok(client, review, {"idempotency_key": key, "declaration": "on"})
        return Dossier.objects.exclude(code="").latest("pk")

    return walk


def test_src_goes_from_the_start_page_through_the_draft_to_the_dossier(client, applying):
    start = client.get(f"/p/{CODE}/apply/?src=SoTuPhap.example.gov.vn")
    assert '<input type="hidden" name="src" value="sotuphap.example.gov.vn">' in start.content.decode()
    dossier = applying(f"/p/{CODE}/apply/", {"src": "sotuphap.example.gov.vn"})
    assert dossier.source == "sotuphap.example.gov.vn"
    assert dossier.status == "submitted"


def test_src_in_the_address_of_the_start_form_counts_too(client, applying):
    dossier = applying(f"/p/{CODE}/apply/?src=ubnd-phuong-1", {})
    assert dossier.source == "ubnd-phuong-1"


def test_an_invalid_src_is_ignored_and_nothing_else_changes(client, applying):
    start = client.get(f"/p/{CODE}/apply/", {"src": "<script>alert(1)</script>"})
    assert start.status_code == 200 and 'name="src"' not in start.content.decode()
    dossier = applying(f"/p/{CODE}/apply/", {"src": "x" * 201})
    assert dossier.source == ""


def test_without_src_the_dossier_has_no_source(client, applying):
    assert applying(f"/p/{CODE}/apply/", {}).source == ""


def test_signing_in_keeps_src(client, vietnamese):
    procedure = make_procedure(CODE)
    make_eform(procedure, translate=False)
    response = client.get(f"/p/{CODE}/apply/?src=sotuphap.example.gov.vn")
    assert response.status_code == 302 and "src%3Dsotuphap.example.gov.vn" in response["Location"]


# ---------------------------------------------------------------- counting


@pytest.fixture
def world(vietnamese):
    justice = make_agency("000.00.10.H30", "Sở Tư pháp")
    building = make_agency("000.00.11.H30", "Sở Xây dựng")
    p1 = make_procedure("1.000001", justice)
    p2 = make_procedure("1.000002", building)
    applicant = citizen("an")
    made = []
    for procedure, source, count in ((p1, "sotuphap.example.gov.vn", 3), (p1, "", 2), (p2, "soxd.example.gov.vn", 2),
                                     (p2, "sotuphap.example.gov.vn", 1)):
        for _ in range(count):
            dossier = submit(procedure, applicant)
            Dossier.objects.filter(pk=dossier.pk).update(source=source)
            made.append(dossier)
    # one of last month's, outside the period
    old = submit(p1, applicant)
    Dossier.objects.filter(pk=old.pk).update(source="sotuphap.example.gov.vn",
                                             submitted_at=timezone.now() - dt.timedelta(days=400))
    clerk = make_staff("clerk", justice, "receiver")
    return {"justice": justice, "building": building, "clerk": clerk}


def today() -> Period:
    day = timezone.localdate()
    return Period(day - dt.timedelta(days=30), day)


def test_counts_per_source_over_every_agency(world):
    result = referrals(scoped_dossiers(type("Root", (), {"is_authenticated": True, "is_active": True,
                                                         "is_superuser": True})()), today())
    assert [(r.source, r.dossiers) for r in result.rows] == [
        ("sotuphap.example.gov.vn", 4), ("soxd.example.gov.vn", 2)]
    assert result.referred == 6 and result.total == 8


def test_staff_count_only_their_agencys_dossiers(world):
    result = referrals_for(world["clerk"], today(), by_agency=True)
    assert [(r.source, r.agency, r.dossiers) for r in result.rows] == [("sotuphap.example.gov.vn", "Sở Tư pháp", 3)]
    assert result.total == 5


def test_someone_without_an_agency_counts_nothing(world):
    outsider = citizen("binh")
    assert referrals_for(outsider, today()).total == 0


def test_drafts_do_not_count(world):
    Dossier.objects.filter(source="soxd.example.gov.vn").update(status="draft")
    sources = [r.source for r in referrals_for(type("Root", (), {"is_authenticated": True, "is_active": True,
                                                                 "is_superuser": True})(), today()).rows]
    assert sources == ["sotuphap.example.gov.vn"]


def test_admin_screen_and_csv_are_scoped(client, world):
    clerk = world["clerk"]
    from accounts import totp

    totp.activate(clerk, totp.generate_secret())
    pass_second_factor(client, clerk)
    start, end = today().start.isoformat(), today().end.isoformat()
    page = client.get("/admin/reports/referrals/", {"start": start, "end": end, "by_agency": "on"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "sotuphap.example.gov.vn" in body and "soxd.example.gov.vn" not in body and "Sở Xây dựng" not in body
    download = client.get("/admin/reports/referrals/", {"start": start, "end": end, "format": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[1:] == [["sotuphap.example.gov.vn", "3"]]
    # default period: this month, shown without asking
    assert client.get("/admin/reports/referrals/").status_code == 200


def test_admin_screen_refuses_a_bad_period_with_a_message(admin_client_with_second_factor, world):
    response = admin_client_with_second_factor.get("/admin/reports/referrals/",
                                                   {"start": "2026-05-10", "end": "2026-05-01"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error-message"' in body and 'value="2026-05-10"' in body
    assert '<table class="listing"' not in body


def test_admin_screen_is_refused_to_staff_of_no_agency(client, world):
    from accounts import totp
    from tests.dossier_factories import UserFactory

    editor = UserFactory(username="editor")
    editor.user_permissions.add(*__import__("django.contrib.auth.models", fromlist=["Permission"]).Permission
                                .objects.filter(codename="access_admin"))
    totp.activate(editor, totp.generate_secret())
    pass_second_factor(client, editor)
    response = client.get("/admin/reports/referrals/")
    assert response.status_code in (302, 403)
    assert "sotuphap" not in response.content.decode()
