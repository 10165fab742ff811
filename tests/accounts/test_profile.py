"""Citizen profile: validation of the identity number and phone (messages in
Vietnamese), verified fields, masking of personal data."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import masking
from accounts.models import CitizenProfile, User
from accounts.validators import (
    birth_year_from_id,
    check_id_matches_birth_date,
    normalise_phone,
    validate_id_number,
    validate_phone,
)

EDIT_URL = "/accounts/profile/edit/"
VALID = {
    "full_name": "  Trần   Văn  Bình ",
    "date_of_birth": "1985-03-02",
    "id_number": "066 085 012345",
    "phone": "+84 (91) 234-5678",
    "province_code": "66",
    "commune_code": "24133",
    "street": "45 Phan Bội Châu",
}


@pytest.fixture
def citizen(db):
    return User.objects.create_user("binh", "binh@example.com", "a-Long-passw0rd")


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


# ---------------------------------------------------------------- validators


@pytest.mark.parametrize("value", ["001090000001", "066203123456", "096199000000"])
def test_valid_identity_numbers(value):
    assert validate_id_number(value) is None  # raises ValidationError when refused


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("06609001234", "id_length"),      # 11 digits
        ("0660900123456", "id_length"),    # 13 digits
        ("06609001234a", "id_length"),
        ("003090012345", "id_province"),   # 003 is not a province code
        ("099090012345", "id_province"),
        ("066499012345", "id_year"),       # 4 → 22nd century: born 2199
    ],
)
def test_invalid_identity_numbers(value, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.code == code


def test_century_digit_gives_the_year_of_birth():
    assert birth_year_from_id("066090012345") == 1990  # 0: male, 1900s
    assert birth_year_from_id("066105012345") == 1905  # 1: female, 1900s
    assert birth_year_from_id("066305012345") == 2005  # 3: female, 2000s
    check_id_matches_birth_date("066305012345", datetime.date(2005, 1, 1))
    with pytest.raises(ValidationError):
        check_id_matches_birth_date("066305012345", datetime.date(1905, 1, 1))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("(+84) 35-123-4567", "0351234567"),
    ],
)
def test_phone_numbers_are_normalised(typed, stored):
    validate_phone(typed)
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["0212345678", "091234567", "09123456789", "0112345678", "hello", "+1 555 1234567"])
def test_non_mobile_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        validate_phone(typed)


# ---------------------------------------------------------------- profile page


def test_profile_needs_login(client, db):
    response = client.get(reverse("accounts_profile"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_profile_is_saved_normalised(citizen_client, citizen):
    response = citizen_client.post(EDIT_URL, VALID)
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.full_name == "Trần Văn Bình"
    assert profile.id_number == "066085012345"
    assert profile.phone == "0912345678"
    assert profile.date_of_birth == datetime.date(1985, 3, 2)
    assert profile.address == "45 Phan Bội Châu, Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"


def test_inputs_are_long_enough_for_spaced_numbers(citizen_client):
    page = citizen_client.get(EDIT_URL).content.decode()
    for name in ("id_number", "phone"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert int(re.search(r'maxlength="(\d+)"', tag).group(1)) >= len("(+84) 912 345 678")


def test_profile_accepts_day_month_year(citizen_client, citizen):
    citizen_client.post(EDIT_URL, {**VALID, "date_of_birth": "02/03/1985"})
    assert CitizenProfile.objects.get(user=citizen).date_of_birth == datetime.date(1985, 3, 2)


def test_validation_messages_are_in_vietnamese_and_nothing_typed_is_lost(citizen_client, citizen):
    response = citizen_client.post(
        EDIT_URL,
        {**VALID, "id_number": "12345", "phone": "0212345678", "commune_code": "00004", "date_of_birth": "2999-01-01"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Có lỗi cần sửa" in html  # the error summary
    assert "Số định danh cá nhân phải có đúng 12 chữ số." in html
    assert "Vui lòng nhập số di động Việt Nam gồm 10 chữ số" in html
    assert "Ngày sinh không thể ở tương lai." in html
    assert "Xã, phường này không thuộc tỉnh, thành phố bạn đã chọn." in html
    assert 'href="#id_id_number"' in html  # the summary links to the field
    assert 'aria-invalid="true"' in html
    assert 'value="45 Phan Bội Châu"' in html  # what was typed stays
    assert not CitizenProfile.objects.filter(user=citizen, street="45 Phan Bội Châu").exists()


def test_identity_number_must_match_the_year_of_birth(citizen_client):
    response = citizen_client.post(EDIT_URL, {**VALID, "id_number": "066190012345"})
    assert "Số định danh cá nhân không khớp với năm sinh (1985)." in response.content.decode()


def test_unknown_province_code_in_identity_number(citizen_client):
    response = citizen_client.post(EDIT_URL, {**VALID, "id_number": "003085012345"})
    assert "Ba chữ số đầu của số định danh cá nhân không phải là mã tỉnh" in response.content.decode()


def test_messages_in_english_under_en(citizen_client):
    response = citizen_client.post("/en" + EDIT_URL, {**VALID, "id_number": "12345"})
    assert "The citizen identity number must have exactly 12 digits." in response.content.decode()


def test_profile_form_cannot_grant_staff_rights(citizen_client, citizen):
    citizen_client.post(EDIT_URL, {**VALID, "is_staff": "on", "is_superuser": "on", "user": "1",
                                   "verified_fields": '["id_number"]', "verified_by": "vneid"})
    citizen.refresh_from_db()
    assert not citizen.is_staff and not citizen.is_superuser
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.verified_fields == [] and profile.verified_by == ""


# ---------------------------------------------------------------- verified fields


@pytest.fixture
def verified_profile(citizen):
    return CitizenProfile.objects.create(
        user=citizen, full_name="Trần Văn Bình", date_of_birth=datetime.date(1985, 3, 2), id_number="066085012345",
        verified_fields=["full_name", "date_of_birth", "id_number"], verified_by="VNeID",
    )


def test_verified_fields_are_shown_locked_and_cannot_be_changed(citizen_client, verified_profile):
    page = citizen_client.get(EDIT_URL).content.decode()
    tag = re.search(r'<input[^>]*name="id_number"[^>]*>', page).group(0)
    assert "disabled" in tag
    assert "Đã xác thực" in page
    citizen_client.post(EDIT_URL, {**VALID, "full_name": "Someone Else", "id_number": "001090000001"})
    verified_profile.refresh_from_db()
    assert verified_profile.full_name == "Trần Văn Bình"
    assert verified_profile.id_number == "066085012345"
    assert verified_profile.phone == "0912345678"  # unverified fields still change
    assert verified_profile.verified_fields == ["full_name", "date_of_birth", "id_number"]


def test_removing_the_verification_is_explicit(citizen_client, verified_profile):
    response = citizen_client.post(EDIT_URL, {"action": "unverify"}, follow=True)
    assert "không còn được đánh dấu là đã xác thực" in response.content.decode()
    verified_profile.refresh_from_db()
    assert verified_profile.verified_fields == [] and verified_profile.verified_by == ""
    citizen_client.post(EDIT_URL, {**VALID, "full_name": "Trần Văn Bính"})
    verified_profile.refresh_from_db()
    assert verified_profile.full_name == "Trần Văn Bính"


# ---------------------------------------------------------------- masking


def test_masking_helpers():
    assert masking.mask_id_number("066085012345") == "•••••••••345"
    assert masking.mask_date(datetime.date(1985, 3, 2)) == "••/••/1985"
    assert masking.mask_phone("0912345678") == "091••••678"
    assert masking.mask_email("binh@example.com") == "b•••@example.com"
    assert masking.mask_id_number("") == ""
    assert masking.mask_date(None) == ""


def test_only_the_owner_sees_personal_data_whole(citizen, db):
    other = User.objects.create_user("other", "other@example.com", "x")
    staff = User.objects.create_user("staff", "staff@example.com", "x", is_staff=True)
    dob = datetime.date(1985, 3, 2)
    assert masking.for_viewer(citizen, citizen, "id_number", "066085012345") == "066085012345"
    assert masking.for_viewer(citizen, citizen, "date_of_birth", dob) == "02/03/1985"
    for viewer in (other, staff, None):
        assert masking.for_viewer(viewer, citizen, "id_number", "066085012345") == "•••••••••345"
        assert masking.for_viewer(viewer, citizen, "date_of_birth", dob) == "••/••/1985"


def test_owner_sees_whole_values_on_the_profile_page(citizen_client, verified_profile):
    page = citizen_client.get(reverse("accounts_profile")).content.decode()
    assert "066085012345" in page and "02/03/1985" in page


def test_administrators_see_profiles_masked(client, verified_profile):
    admin = User.objects.create_superuser("root", "root@example.com", "x")
    from tests.second_factor import pass_second_factor

    pass_second_factor(client, admin)
    response = client.get("/admin/citizen_profiles/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trần Văn Bình" in page
    assert "•••••••••345" in page and "••/••/1985" in page
    assert "066085012345" not in page
    # nobody edits a citizen's profile in the admin
    assert client.get(f"/admin/citizen_profiles/edit/{verified_profile.pk}/").status_code == 404
