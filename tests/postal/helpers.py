"""Builders for the postal tests (no tests here): two agencies each served
by its own postal unit, their officers and staff, a citizen, and
home-service dossiers submitted as the applying page submits them (the job
is made once the submission commits)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.test import Client
from django.utils import timezone
from wagtail.users.models import UserProfile

from eforms import lifecycle
from eforms.services import applicant_snapshot, submit_dossier
from postal.models import HomeServiceJob, PostalMembership, PostalUnit
from procedures.models import ProcedureComponent
from tests.dossier_factories import UserFactory, make_agency, make_citizen, make_procedure, make_staff
from tests.second_factor import pass_second_factor

PICKUP_DAY = dt.date(2026, 11, 10)  # a Tuesday


def english(user):
    """Admin screens (and the steps' refusals in them) in English for this
    user, whatever the Vietnamese catalogue holds when the suite runs."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def make_unit(code: str, name: str, *agencies, pickup_fee: int = 20000, delivery_fee: int = 25000,
              active: bool = True) -> PostalUnit:
    unit = PostalUnit.objects.create(code=code, name=name, phone="0262 3 000 000", pickup_fee_vnd=pickup_fee,
                                     delivery_fee_vnd=delivery_fee, active=active)
    unit.agencies.add(*agencies)
    return unit


def make_officer(username: str, unit: PostalUnit):
    user = english(UserFactory(username=username))
    PostalMembership.objects.create(user=user, unit=unit)
    return user


def window(day: dt.date = PICKUP_DAY) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(7, 30), tzinfo=tz), dt.datetime.combine(day, dt.time(11, 0), tzinfo=tz)


def submit_home_service(procedure, citizen, *, result_delivery: str = "post", pickup: bool = True, now=None,
                        language: str = "vi"):
    start, end = window() if pickup else (None, None)
    snapshot = {**applicant_snapshot(citizen), "sms_consent": True}
    return submit_dossier(
        procedure=procedure, agency=procedure.agency, applicant=citizen, form_data={"purpose": "Xin việc"},
        idempotency_key=uuid.uuid4().hex, snapshot=snapshot, login_method="email", language=language,
        channel="home_service", pickup_address="12 Lê Duẩn, phường Buôn Ma Thuột", pickup_from=start,
        pickup_until=end, result_delivery=result_delivery,
        delivery_address="12 Lê Duẩn, phường Buôn Ma Thuột" if result_delivery == "post" else "", now=now,
    ).dossier


def build_world(capture) -> dict:
    """`capture` is pytest-django's django_capture_on_commit_callbacks."""
    justice_procedure = make_procedure("1.001193", processing_time=3)
    justice = justice_procedure.agency
    ProcedureComponent.objects.create(page=justice_procedure, name="Tờ khai cấp Phiếu lý lịch tư pháp", copies=1,
                                      locale=justice_procedure.locale)
    ProcedureComponent.objects.create(page=justice_procedure, name="Bản sao CCCD", copies=2,
                                      locale=justice_procedure.locale)
    health = make_agency("000.00.14.H30", "Sở Y tế")
    health_procedure = make_procedure("1.002000", agency=health, title="Cấp chứng chỉ hành nghề")
    unit_a = make_unit("630000", "Bưu cục Buôn Ma Thuột", justice)
    unit_b = make_unit("631000", "Bưu cục Krông Pắc", health)
    citizen = make_citizen("postal-an")
    world = {
        "justice": justice, "health": health, "procedure": justice_procedure, "health_procedure": health_procedure,
        "unit_a": unit_a, "unit_b": unit_b, "citizen": citizen,
        "officer_a": make_officer("postal-officer-a", unit_a),
        "officer_b": make_officer("postal-officer-b", unit_b),
        "receiver": english(make_staff("postal-receiver", justice, "receiver")),
        "handler": english(make_staff("postal-handler", justice, "handler")),
        "leader": english(make_staff("postal-leader", justice, "leader")),
        "health_receiver": english(make_staff("postal-health-receiver", health, "receiver")),
    }
    with capture(execute=True):
        world["dossier"] = submit_home_service(justice_procedure, citizen)
    with capture(execute=True):
        world["health_dossier"] = submit_home_service(health_procedure, citizen)
    world["job"] = HomeServiceJob.objects.get(dossier=world["dossier"])
    world["health_job"] = HomeServiceJob.objects.get(dossier=world["health_dossier"])
    return world


def staff_client(user) -> Client:
    return pass_second_factor(Client(), user)


def complete(world, dossier) -> None:
    """The agency processes the dossier to a result (after it was received)."""
    leader = lifecycle.Actor.staff(world["leader"])
    lifecycle.start_processing(dossier, leader, assignee=world["handler"])
    lifecycle.complete(dossier, lifecycle.Actor.staff(world["handler"]), "Phiếu lý lịch tư pháp số 12")
