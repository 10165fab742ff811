"""The postal screens (/admin/postal/…) and the postal sections of the
dossier pages: who reaches them, agency isolation (404 for a job of an
agency the officer's unit does not serve, photos included; another
agency's staff cannot confirm a handover), the steps over HTTP in and out
of order, and the receiver's confirmation on the dossier screen."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from eforms.models import DossierStatus
from postal import steps
from postal.models import OFFICERS_GROUP, JobPhoto, JobState, PostalMembership
from tests.dossier_factories import image_bytes, upload

from .helpers import build_world, staff_client

ITEMS = [("Tờ khai", 1)]


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    return build_world(django_capture_on_commit_callbacks)


def job_url(job) -> str:
    return reverse("postal:job", args=[job.pk])


def step_url(job, step: str) -> str:
    return reverse("postal:step", args=[job.pk, step])


# ---------------------------------------------------------------- who reaches the screens


def test_a_postal_membership_puts_the_officer_in_the_group_that_may_enter_the_admin(world):
    officer = world["officer_a"]
    assert officer.groups.filter(name=OFFICERS_GROUP).exists()
    assert officer.has_perm("wagtailadmin.access_admin")
    PostalMembership.objects.filter(user=officer).delete()
    officer = type(officer).objects.get(pk=officer.pk)
    assert not officer.groups.filter(name=OFFICERS_GROUP).exists()
    assert not officer.has_perm("wagtailadmin.access_admin")
    assert Group.objects.get(name=OFFICERS_GROUP).permissions.filter(codename="access_admin").exists()


def test_a_citizen_cannot_reach_the_postal_screens(world):
    client = Client()
    client.force_login(world["citizen"])
    for url in (reverse("postal:jobs"), job_url(world["job"]), reverse("postal:report"),
                reverse("postal:report_csv")):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    response = client.post(reverse("postal:confirm_handover", args=[world["job"].pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_officer_with_a_password_only_is_sent_to_the_second_factor(world):
    client = Client()
    client.force_login(world["officer_a"])
    response = client.get(reverse("postal:jobs"))
    assert response.status_code == 302 and "/second-factor/" in response["Location"]


def test_agency_staff_are_not_postal_officers(world):
    """The admin's answer to a missing permission: back to the dashboard."""
    client = staff_client(world["receiver"])
    for url in (reverse("postal:jobs"), job_url(world["job"]), reverse("postal:report")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home"), url
    assert client.get(reverse("postal:report_csv")).status_code == 302


def test_the_officer_sees_the_jobs_of_the_agencies_their_unit_serves_only(world):
    client = staff_client(world["officer_a"])
    response = client.get(reverse("postal:jobs"))
    assert response.status_code == 200
    body = response.content.decode()
    assert world["dossier"].code in body and world["health_dossier"].code not in body
    assert "12 Lê Duẩn" in body and "07:30" in body and "0912345678" in body
    assert client.get(job_url(world["job"])).status_code == 200
    assert client.get(job_url(world["health_job"])).status_code == 404
    response = client.post(step_url(world["health_job"], "accept_pickup"), {})
    assert response.status_code == 404
    world["health_job"].refresh_from_db()
    assert world["health_job"].state == JobState.WAITING


def test_a_photo_is_served_to_those_who_see_its_job_only(world):
    officer_b = world["officer_b"]
    job = world["health_job"]
    steps.accept_pickup(job, officer_b)
    accepted, errors = steps.check_photos([upload("anh.png", image_bytes("PNG"), "image/png")])
    steps.collect(job, officer_b, ITEMS, photos=accepted)
    photo = JobPhoto.objects.get(job=job)
    url = reverse("postal:photo", args=[photo.pk])
    response = staff_client(officer_b).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == image_bytes("PNG")
    assert staff_client(world["health_receiver"]).get(url).status_code == 200
    for outsider in (world["officer_a"], world["receiver"]):
        assert staff_client(outsider).get(url).status_code == 404
    citizen = Client()
    citizen.force_login(world["citizen"])
    assert citizen.get(url).status_code == 302


# ---------------------------------------------------------------- the steps over HTTP


def test_the_officer_takes_the_steps_on_the_job_screen(world):
    client = staff_client(world["officer_a"])
    job = world["job"]
    screen = client.get(job_url(job)).content.decode()
    assert "Accept the pickup" in screen and "Sở Tư pháp" in screen
    response = client.post(step_url(job, "accept_pickup"), {"accept_pickup-note": "Gọi trước"})
    assert response.status_code == 302 and response["Location"] == job_url(job)
    screen = client.get(job_url(job)).content.decode()
    # the collect form lists the procedure's documents to tick off
    assert 'value="Tờ khai cấp Phiếu lý lịch tư pháp"' in screen and 'value="Bản sao CCCD"' in screen
    response = client.post(step_url(job, "collect"), {
        "collect-item_0_name": "Tờ khai cấp Phiếu lý lịch tư pháp", "collect-item_0_count": "1",
        "collect-item_1_name": "Bản sao CCCD", "collect-item_1_count": "2",
        "collect-note": "Đã lập biên nhận",
        "collect-photos": [upload("bien-nhan.jpg", image_bytes("JPEG"), "image/jpeg")],
    })
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.COLLECTED and job.collected_items[1] == {"name": "Bản sao CCCD", "count": 2}
    assert JobPhoto.objects.filter(job=job, step="collected").count() == 1


def test_a_step_out_of_order_over_http_is_refused_with_a_clear_message(world):
    client = staff_client(world["officer_a"])
    job = world["job"]
    response = client.post(step_url(job, "hand_over"), {})
    assert response.status_code == 409
    assert "is not possible now" in response.content.decode() and "The next step is" in response.content.decode()
    client.post(step_url(job, "accept_pickup"), {})
    response = client.post(step_url(job, "deliver"), {"deliver-delivered_to": "Nguyễn Văn An"})
    assert response.status_code == 409
    job.refresh_from_db()
    assert job.state == JobState.PICKUP_ACCEPTED
    assert client.post(step_url(job, "not-a-step"), {}).status_code == 404


def test_a_photo_that_is_really_text_is_refused_and_the_form_keeps_what_was_typed(world):
    client = staff_client(world["officer_a"])
    job = world["job"]
    client.post(step_url(job, "accept_pickup"), {})
    response = client.post(step_url(job, "collect"), {
        "collect-item_0_name": "Tờ khai", "collect-item_0_count": "1", "collect-note": "Ghi chú của tôi",
        "collect-photos": [upload("giay-to.jpg", b"just some text, not an image\n" * 10, "image/jpeg")],
    })
    assert response.status_code == 400
    body = response.content.decode()
    assert "giay-to.jpg" in body and "Ghi chú của tôi" in body
    job.refresh_from_db()
    assert job.state == JobState.PICKUP_ACCEPTED and not JobPhoto.objects.filter(job=job).exists()


def test_collecting_needs_at_least_one_paper_with_a_count(world):
    client = staff_client(world["officer_a"])
    job = world["job"]
    client.post(step_url(job, "accept_pickup"), {})
    response = client.post(step_url(job, "collect"), {"collect-item_0_name": "Tờ khai", "collect-item_0_count": ""})
    assert response.status_code == 400 and "List the papers collected" in response.content.decode()
    job.refresh_from_db()
    assert job.state == JobState.PICKUP_ACCEPTED


# ---------------------------------------------------------------- the receiver confirms on the dossier screen


def handed_over(world):
    job, officer = world["job"], world["officer_a"]
    steps.accept_pickup(job, officer)
    steps.collect(job, officer, ITEMS)
    steps.hand_over(job, officer)
    return job


def test_the_receiver_confirms_the_handover_on_the_dossier_screen(world):
    job = handed_over(world)
    client = staff_client(world["receiver"])
    screen_url = reverse("backoffice:dossier", args=[world["dossier"].pk])
    screen = client.get(screen_url).content.decode()
    confirm_url = reverse("postal:confirm_handover", args=[job.pk])
    assert "Home service (postal)" in screen and f'action="{confirm_url}"' in screen
    assert "Bưu cục Buôn Ma Thuột" in screen
    response = client.post(confirm_url, {"postal_confirm-note": "Đủ giấy tờ"})
    assert response.status_code == 302 and response["Location"].startswith(screen_url)
    job.refresh_from_db()
    world["dossier"].refresh_from_db()
    assert world["dossier"].status == DossierStatus.RECEIVED
    assert world["dossier"].received_at == job.desk_confirmed_at and job.desk_receiver == world["receiver"]
    screen = client.get(screen_url).content.decode()
    assert f'action="{confirm_url}"' not in screen


def test_staff_of_another_agency_cannot_confirm_a_handover(world):
    job = handed_over(world)
    response = staff_client(world["health_receiver"]).post(reverse("postal:confirm_handover", args=[job.pk]), {})
    assert response.status_code == 404
    job.refresh_from_db()
    world["dossier"].refresh_from_db()
    assert job.awaits_desk and world["dossier"].status == DossierStatus.SUBMITTED


def test_a_handler_sees_the_progress_but_cannot_confirm(world):
    job = handed_over(world)
    client = staff_client(world["handler"])
    screen = client.get(reverse("backoffice:dossier", args=[world["dossier"].pk])).content.decode()
    confirm_url = reverse("postal:confirm_handover", args=[job.pk])
    assert "Home service (postal)" in screen and confirm_url not in screen
    client.post(confirm_url, {})
    job.refresh_from_db()
    assert job.awaits_desk


def test_the_applicant_follows_the_post_on_their_dossier_page(world):
    handed_over(world)
    client = Client()
    client.force_login(world["citizen"])
    page = client.get(reverse("my_dossier", args=[world["dossier"].code])).content.decode()
    assert 'id="postal-title"' in page and "Bưu cục Buôn Ma Thuột" in page and "Tờ khai: 1" in page
    assert "postal-officer-a" not in page
