"""The public look-up at /lookup/: by code with ID number or phone, by ID
number with name and date of birth; the same answer for "not found" and
"does not match"; no personal data; rate limits; the QR code's landing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from eforms import lifecycle
from tests.dossier_factories import JUSTICE_CODE, make_agency, make_citizen, make_procedure, make_staff, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


URL = "/lookup/"


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen(db):
    return make_citizen("an", id_number="001099012345", phone="0912345678", full_name="Nguyễn Văn An")


@pytest.fixture
def dossier(citizen):
    procedure = make_procedure("1.001193", title="Cấp Phiếu lý lịch tư pháp")
    dossier = submit(procedure, citizen, form_data={"purpose": "Bí mật riêng tư"})
    staff = make_staff("clerk", make_agency(JUSTICE_CODE, "Sở Tư pháp"), "receiver")
    lifecycle.receive(dossier, lifecycle.Actor.staff(staff), note="Ghi chú nội bộ")
    return dossier


def by_code(client, code, secret, **extra):
    return client.post(URL, {"way": "code", "c-code": code, "c-secret": secret}, **extra)


def by_person(client, id_number, name, dob, **extra):
    return client.post(URL, {"way": "person", "p-id_number": id_number, "p-full_name": name,
                             "p-date_of_birth": dob}, **extra)


def result_section(response) -> str:
    html = response.content.decode()
    start = html.index('class="section lookup-results"')
    return html[start:html.index("</section>", start)]


def test_the_url_and_its_name(client):
    assert reverse("lookup") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert "Tra cứu hồ sơ" in response.content.decode()
    assert client.get("/en/lookup/").status_code == 200


def test_by_code_and_phone_or_id_number(client, dossier):
    for secret in ("0912345678", "+84 912 345 678", "001099012345"):
        response = by_code(client, dossier.code.lower(), secret)
        section = result_section(response)
        assert response.status_code == 200
        assert dossier.code in section
        assert "Vừa tiếp nhận" in section  # status
        assert "Sở Tư pháp" in section
        assert "Cấp Phiếu lý lịch tư pháp" in section
        assert dossier.appointment_date.strftime("%d/%m/%Y") in section
        assert section.count("<li>") == 2  # submitted, received


def test_by_id_number_name_and_birth_date_lists_the_persons_dossiers(client, dossier, citizen):
    second = submit(dossier.procedure, citizen)
    response = by_person(client, "001099012345", "nguyễn  văn an", "17/05/1990")
    section = result_section(response)
    assert dossier.code in section and second.code in section
    wrong_name = by_person(client, "001099012345", "Nguyễn Văn Ân", "17/05/1990")
    assert dossier.code not in result_section(wrong_name)
    wrong_date = by_person(client, "001099012345", "Nguyễn Văn An", "18/05/1990")
    assert dossier.code not in result_section(wrong_date)


def test_no_personal_data_in_the_answer(client, dossier):
    html = by_code(client, dossier.code, "0912345678").content.decode()
    for secret in ("Nguyễn Văn An", "0912345678", "001099012345", "12 Lê Duẩn", "Bí mật riêng tư", "Ghi chú nội bộ",
                   "17/05/1990", "an@example.com"):
        assert secret not in html, secret


def test_not_found_and_mismatch_get_the_same_answer(client, dossier):
    mismatch = by_code(client, dossier.code, "0999999999")
    unknown = by_code(client, "000.00.10.H30-200101-0001", "0912345678")
    assert mismatch.status_code == unknown.status_code == 200
    assert result_section(mismatch) == result_section(unknown)
    assert "card lookup-result" not in mismatch.content.decode()
    nobody = by_person(client, "001099000000", "Nguyễn Văn An", "17/05/1990")
    assert result_section(nobody) == result_section(mismatch)


def test_invalid_input_is_explained_and_kept(client):
    response = by_code(client, "ho so", "12")
    html = response.content.decode()
    assert response.status_code == 400
    assert "error-summary" in html and 'value="12"' in html


def test_rate_limited_per_address_with_a_clear_message(client, dossier, monkeypatch):
    from eforms import lookup

    attempts, _seconds = lookup.RATE_PER_ADDRESS
    for n in range(attempts):
        unknown = f"000.00.10.H30-200101-{n:04d}"
        assert by_code(client, unknown, "0912345678", REMOTE_ADDR="10.0.0.1").status_code == 200
    limited = by_code(client, dossier.code, "0912345678", REMOTE_ADDR="10.0.0.1")
    assert limited.status_code == 429
    assert "Bạn đã tra cứu quá nhiều lần" in limited.content.decode()
    # Another address is not affected; the limit ends by itself with its window.
    assert by_code(client, dossier.code, "0912345678", REMOTE_ADDR="10.0.0.2").status_code == 200
    now = lookup.clock()
    monkeypatch.setattr(lookup, "clock", lambda: now + _seconds)
    assert by_code(client, dossier.code, "0912345678", REMOTE_ADDR="10.0.0.1").status_code == 200


def test_rate_limited_per_code_across_addresses(client, dossier):
    from eforms import lookup

    attempts, _seconds = lookup.RATE_PER_CODE
    for n in range(attempts):
        by_code(client, dossier.code, "0999999999", REMOTE_ADDR=f"10.1.0.{n}")
    response = by_code(client, dossier.code, "0912345678", REMOTE_ADDR="10.2.0.1")
    assert response.status_code == 429


def test_the_qr_code_lands_with_the_code_filled_in(client, dossier):
    from eforms.record import lookup_url

    url = lookup_url(dossier)
    assert url.startswith("/lookup/?code=")
    response = client.get(url)
    assert response.status_code == 200
    assert f'value="{dossier.code}"' in response.content.decode()


def test_drafts_are_never_found(client, citizen):
    from eforms.services import save_draft

    procedure = make_procedure("1.001194", title="Đăng ký khai sinh")
    save_draft(procedure=procedure, applicant=citizen)
    response = by_person(client, "001099012345", "Nguyễn Văn An", dt.date(1990, 5, 17).strftime("%d/%m/%Y"))
    assert "card lookup-result" not in result_section(response)
