"""Decree 13/2023/NĐ-CP: the citizen downloads everything the portal holds
about them, and deletes their account with only what the law requires kept."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.cache import cache
from django.utils import translation

from accounts import services
from accounts.models import CitizenProfile, Consent, StaffMembership, User

PASSWORD = "Khong-doan-duoc-2025"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture
def citizen(db):
    user = User.objects.create_user("hoa", "hoa@example.com", PASSWORD, first_name="Hoa", last_name="Nguyễn Thị")
    EmailAddress.objects.create(user=user, email="hoa@example.com", verified=True, primary=True)
    CitizenProfile.objects.create(
        user=user, full_name="Nguyễn Thị Hoa", date_of_birth=datetime.date(1990, 5, 17), id_number="066190001234",
        phone="0912345678", province_code="66", commune_code="24133", street="12 Lê Duẩn",
        verified_fields=["full_name"], verified_by="vneid",
    )
    Consent.objects.create(user=user, version="2025-07", purposes=["account"], ip_address="203.0.113.7")
    SocialAccount.objects.create(user=user, provider="vneid", uid="cccd-066190001234", extra_data={"name": "Hoa"})
    return user


@pytest.fixture
def other(db):
    user = User.objects.create_user("khac", "khac@example.com", PASSWORD)
    CitizenProfile.objects.create(user=user, full_name="Người Khác", id_number="001090000001")
    return user


# ---------------------------------------------------------------- export


def test_export_is_complete(citizen):
    # a row another app keeps about the user, linked only by a foreign key
    LogEntry.objects.create(user=citizen, action_flag=ADDITION, object_repr="thử nghiệm")
    data = services.export_personal_data(citizen)
    json.dumps(data)  # JSON-ready as it is

    assert data["account"]["email"] == "hoa@example.com"
    assert data["account"]["first_name"] == "Hoa"
    profile = CitizenProfile.objects.get(user=citizen)
    for field in CitizenProfile._meta.concrete_fields:
        assert field.name in data["profile"], field.name
    assert data["profile"]["id_number"] == "066190001234"  # whole: it is the owner's own copy
    assert data["profile"]["date_of_birth"] == "1990-05-17"
    assert data["profile"]["commune_name"] == "Phường Buôn Ma Thuột"
    assert data["profile"]["updated_at"] == profile.updated_at.isoformat()
    assert [e["email"] for e in data["email_addresses"]] == ["hoa@example.com"]
    assert data["social_accounts"][0]["uid"] == "cccd-066190001234"
    assert data["social_accounts"][0]["extra_data"] == {"name": "Hoa"}
    assert data["consents"][0]["version"] == "2025-07"
    assert data["consents"][0]["ip_address"] == "203.0.113.7"
    assert data["other"]["admin.logentry"][0]["object_repr"] == "thử nghiệm"

    # every kind of row that points at the user is in the export
    sections = {"accounts.citizenprofile", "accounts.consent", "accounts.staffmembership", "account.emailaddress",
                "socialaccount.socialaccount"}
    for relation in User._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or not model._default_manager.filter(**{relation.field.name: citizen}).exists():
            continue
        label = model._meta.label_lower
        assert label in sections or label in data["other"], label


def test_export_never_contains_secrets(citizen):
    text = json.dumps(services.export_personal_data(citizen))
    assert citizen.password not in text
    assert '"password"' not in text


def test_export_download_is_only_for_the_signed_in_owner(client, citizen, other):
    response = client.get("/accounts/privacy/export/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    client.force_login(citizen)
    response = client.get("/accounts/privacy/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["full_name"] == "Nguyễn Thị Hoa"
    text = response.content.decode()
    assert "Người Khác" not in text and "001090000001" not in text and "khac@example.com" not in text
    # no parameter can ask for someone else's data
    assert json.loads(client.get(f"/accounts/privacy/export/?user={other.pk}").content)["account"]["id"] == citizen.pk


def test_other_apps_can_add_export_sections(citizen):
    @services.register_personal_data_exporter("test.saved_searches")
    def saved(user):
        return [{"query": "khai sinh"}]

    try:
        assert services.export_personal_data(citizen)["other"]["test.saved_searches"] == [{"query": "khai sinh"}]
    finally:
        services.personal_data_exporters.pop("test.saved_searches")


# ---------------------------------------------------------------- deletion


def test_delete_account_keeps_only_what_the_law_requires(client, citizen, other, home_page):
    LogEntry.objects.create(user=citizen, action_flag=ADDITION, object_repr="giữ lại")
    client.force_login(citizen)
    page = client.get("/accounts/privacy/delete/").content.decode()
    assert "Được giữ lại vì pháp luật yêu cầu" in page

    response = client.post("/accounts/privacy/delete/", {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert "Tài khoản của bạn đã được xóa." in response.content.decode()

    citizen.refresh_from_db()
    assert not citizen.is_active and citizen.erased_at is not None
    assert citizen.email == "" and citizen.first_name == "" and citizen.last_name == ""
    assert citizen.username.startswith("erased-") and "hoa" not in citizen.username
    assert not citizen.has_usable_password()
    assert not CitizenProfile.objects.filter(user=citizen).exists()
    assert not EmailAddress.objects.filter(user=citizen).exists()
    assert not SocialAccount.objects.filter(user=citizen).exists()
    # kept: the proof of consent (without the IP address) and records pointing at the row
    consent = Consent.objects.get(user=citizen)
    assert consent.version == "2025-07" and consent.ip_address is None
    assert LogEntry.objects.filter(user=citizen, object_repr="giữ lại").exists()
    # nobody else is touched
    assert CitizenProfile.objects.filter(user=other).exists()

    # signed out, and can never sign in again
    assert client.get("/accounts/profile/").status_code == 302
    response = client.post("/accounts/login/", {"login": "hoa@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "Địa chỉ email hoặc mật khẩu không đúng." in response.content.decode()
    # the address is free for a new account
    assert services.export_personal_data(citizen)["profile"] is None


def test_delete_needs_the_password_and_the_confirmation(client, citizen):
    client.force_login(citizen)
    response = client.post("/accounts/privacy/delete/", {"password": "sai", "confirm": "on"})
    assert "Mật khẩu không đúng." in response.content.decode()
    response = client.post("/accounts/privacy/delete/", {"password": PASSWORD})
    assert "Vui lòng đánh dấu vào ô để xác nhận bạn muốn xóa tài khoản." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.is_active and CitizenProfile.objects.filter(user=citizen).exists()


def test_other_sessions_end_when_the_account_is_deleted(client, citizen):
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(citizen)
    client.force_login(citizen)
    client.post("/accounts/privacy/delete/", {"password": PASSWORD, "confirm": "on"})
    assert elsewhere.get("/accounts/profile/").status_code == 302


def test_staff_cannot_delete_their_account_themselves(client, db):
    from wagtail.models import Locale

    from procedures.models import Agency

    staff = User.objects.create_user("canbo", "canbo@example.com", PASSWORD)
    agency = Agency.objects.create(name="Sở Tư pháp", tier="department", unit_code="000.00.10.H30",
                                   locale=Locale.get_default())
    StaffMembership.objects.create(user=staff, agency=agency, role="handler")
    client.force_login(staff)
    assert client.post("/accounts/privacy/delete/", {"password": PASSWORD, "confirm": "on"}).status_code == 403
    staff.refresh_from_db()
    assert staff.is_active
    with pytest.raises(PermissionError):
        services.erase_account(staff)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_privacy_notice_asks_only_for_what_the_portal_does(client, db, home_page, prefix):
    """SMS about a dossier go only to applicants who tick the box on the e-form:
    the notice says so, and neither it nor the sign-up page asks a blanket
    consent for text messages."""
    for url in (f"{prefix}/accounts/privacy/notice/", f"{prefix}/accounts/signup/"):
        with translation.override(translation.get_language()):  # the request switches this thread's language
            response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        if "signup" in url:
            assert "SMS" not in text and "tin nhắn" not in text, url
        else:
            assert text.count("SMS") == 1, url  # one sentence: only if the box is ticked when applying
