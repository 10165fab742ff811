"""The postal officer's steps (postal.steps): in order, out of order
(refused, nothing written), the desk handover that starts the dossier's
clock, a message for each step, the postal fee notice once, and which
unit a job goes to."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import transaction
from django.utils import timezone, translation

from eforms import lifecycle
from eforms.models import Dossier, DossierEvent, DossierStatus
from notifications.models import Message
from payments.models import FeeNotice, NoticeKind
from postal import steps
from postal.jobs import ensure_job
from postal.models import HomeServiceJob, JobPhoto, JobState
from procedures.calendar import add_processing_time
from tests.databases import postgresql_only
from tests.dossier_factories import image_bytes, submit, upload

from .helpers import build_world, complete, make_officer, make_unit, submit_home_service

S = JobState
ITEMS = [("Tờ khai cấp Phiếu lý lịch tư pháp", 1), ("Bản sao CCCD", 2)]


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    return build_world(django_capture_on_commit_callbacks)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


ROAD = ["accept_pickup", "collect", "hand_over", "confirm_handover", "complete", "collect_result", "deliver"]


def run_all(world, until: str = "deliver", capture=None, since: str = "accept_pickup") -> HomeServiceJob:
    """Take the steps in order from `since` up to `until`, as the officer and the receiver would."""
    job, officer, receiver = world["job"], world["officer_a"], world["receiver"]
    road = [
        ("accept_pickup", lambda: steps.accept_pickup(job, officer, note="Gọi trước 15 phút")),
        ("collect", lambda: steps.collect(job, officer, ITEMS, note="Đã lập biên nhận")),
        ("hand_over", lambda: steps.hand_over(job, officer)),
        ("confirm_handover", lambda: steps.confirm_handover(job, receiver, note="Đủ giấy tờ")),
        ("complete", lambda: complete(world, world["dossier"])),
        ("collect_result", lambda: steps.collect_result(job, officer)),
        ("deliver", lambda: steps.deliver(job, officer, "Nguyễn Văn An")),
    ]
    for name, step in road[ROAD.index(since):]:
        if capture is not None:
            with capture(execute=True):
                step()
        else:
            step()
        if name == until:
            break
    job.refresh_from_db()
    world["dossier"].refresh_from_db()
    return job


# ---------------------------------------------------------------- in order


def test_a_submitted_home_service_dossier_gets_one_job_for_the_only_unit_serving_its_agency(world):
    job = world["job"]
    assert job.state == S.WAITING and job.unit == world["unit_a"]
    assert ensure_job(world["dossier"].pk) == job and HomeServiceJob.objects.filter(dossier=world["dossier"]).count() == 1


def test_an_online_dossier_gets_no_job(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        online = submit(world["procedure"], world["citizen"])
    assert not HomeServiceJob.objects.filter(dossier=online).exists()
    assert ensure_job(online.pk) is None


def test_the_steps_in_order(world):
    job = run_all(world)
    dossier = world["dossier"]
    assert job.state == S.DELIVERED
    assert job.pickup_accepted_by == world["officer_a"] and job.collected_by == world["officer_a"]
    assert job.collected_items == [{"name": "Tờ khai cấp Phiếu lý lịch tư pháp", "count": 1},
                                   {"name": "Bản sao CCCD", "count": 2}]
    assert job.collected_note == "Đã lập biên nhận"
    assert job.desk_receiver == world["receiver"] and job.desk_note == "Đủ giấy tờ"
    assert job.delivered_to == "Nguyễn Văn An" and job.delivered_by == world["officer_a"]
    assert (job.pickup_accepted_at <= job.collected_at <= job.handed_over_at <= job.desk_confirmed_at
            <= job.result_collected_at <= job.delivered_at)
    actions = list(dossier.events.exclude(action="issue_document").order_by("created_at", "pk")
                   .values_list("action", flat=True))
    assert actions == ["submit", "postal_accept_pickup", "fee_notice", "postal_collect", "postal_hand_over",
                       "receive", "start_processing", "complete", "postal_collect_result", "postal_deliver"]
    public = lifecycle.public_events(dossier)
    labels = [event.public_label for event in public]
    assert "Papers collected by the post" in labels and "Result delivered at home by the post" in labels
    collect_event = dossier.events.get(action="postal_collect")
    assert "Bản sao CCCD (2)" in collect_event.note and collect_event.data["items"] == [
        "Tờ khai cấp Phiếu lý lịch tư pháp (1)", "Bản sao CCCD (2)"]


def test_the_handover_confirmed_by_the_receiver_receives_the_dossier_at_that_moment(
        world, django_capture_on_commit_callbacks):
    start = timezone.now() - dt.timedelta(hours=4)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_home_service(world["procedure"], world["citizen"], now=start - dt.timedelta(hours=1))
    job, officer = HomeServiceJob.objects.get(dossier=dossier), world["officer_a"]
    with pytest.raises(steps.StepRefused, match="before the previous one"):
        steps.accept_pickup(job, officer, now=start - dt.timedelta(hours=2))
    steps.accept_pickup(job, officer, now=start)
    steps.collect(job, officer, ITEMS, now=start + dt.timedelta(hours=1))
    steps.hand_over(job, officer, now=start + dt.timedelta(hours=2))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED and dossier.received_at is None and job.awaits_desk
    moment = start + dt.timedelta(hours=3)
    steps.confirm_handover(job, world["receiver"], note="Đủ giấy tờ", now=moment)
    dossier.refresh_from_db()
    job.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.received_at == moment == job.desk_confirmed_at
    assert dossier.received_at > dossier.submitted_at
    expected = add_processing_time(moment, dossier.procedure.processing_time, dossier.procedure.processing_unit)
    assert dossier.appointment_at == expected
    receive = dossier.events.get(action="receive")
    assert receive.actor_user == world["receiver"] and receive.created_at == moment
    assert "Đủ giấy tờ" in receive.note and not job.awaits_desk


def test_confirming_papers_of_a_dossier_received_earlier_keeps_its_clock(world):
    job = run_all(world, until="hand_over")
    dossier = world["dossier"]
    lifecycle.receive(dossier, lifecycle.Actor.staff(world["receiver"]))
    received_at = dossier.received_at
    steps.confirm_handover(job, world["receiver"])
    dossier.refresh_from_db()
    assert dossier.received_at == received_at and dossier.events.filter(action="receive").count() == 1
    assert dossier.events.filter(action=steps.DESK_CONFIRMED).count() == 1
    assert steps.DESK_CONFIRMED not in [e.action for e in lifecycle.public_events(dossier)]


# ---------------------------------------------------------------- out of order


#: (the step attempted, how far the job got first)
OUT_OF_ORDER = [
    ("collect", None), ("hand_over", None), ("collect_result", None), ("deliver", None), ("confirm_handover", None),
    ("accept_pickup", "accept_pickup"), ("hand_over", "accept_pickup"), ("deliver", "accept_pickup"),
    ("collect", "collect"), ("collect_result", "collect"), ("confirm_handover", "collect"),
    ("accept_pickup", "hand_over"), ("collect_result", "hand_over"), ("deliver", "hand_over"),
    ("hand_over", "confirm_handover"), ("deliver", "confirm_handover"), ("confirm_handover", "confirm_handover"),
    ("collect_result", "collect_result"), ("collect", "collect_result"),
    ("deliver", "deliver"), ("accept_pickup", "deliver"),
]


def attempt(world, step: str):
    job, officer = world["job"], world["officer_a"]
    return {
        "accept_pickup": lambda: steps.accept_pickup(job, officer),
        "collect": lambda: steps.collect(job, officer, ITEMS),
        "hand_over": lambda: steps.hand_over(job, officer),
        "confirm_handover": lambda: steps.confirm_handover(job, world["receiver"]),
        "collect_result": lambda: steps.collect_result(job, officer),
        "deliver": lambda: steps.deliver(job, officer, "Nguyễn Văn An"),
    }[step]()


@pytest.mark.parametrize(("step", "after"), OUT_OF_ORDER, ids=[f"{s}-after-{a}" for s, a in OUT_OF_ORDER])
def test_a_step_out_of_order_is_refused_and_writes_nothing(world, step, after):
    if after is not None:
        run_all(world, until=after)
    job = world["job"]
    job.refresh_from_db()
    before = (job.state, job.desk_confirmed_at, DossierEvent.objects.count(), FeeNotice.objects.count())
    with pytest.raises(steps.StepRefused) as refused:
        attempt(world, step)
    assert "is not possible now" in refused.value.message or "already confirmed" in refused.value.message
    assert str(world["dossier"].code) in refused.value.message
    job.refresh_from_db()
    assert (job.state, job.desk_confirmed_at, DossierEvent.objects.count(), FeeNotice.objects.count()) == before


def test_the_refusal_names_the_next_step(world):
    with pytest.raises(steps.StepRefused) as refused:
        steps.hand_over(world["job"], world["officer_a"])
    assert refused.value.message == (
        f"Dossier {world['dossier'].code}: “Handed over at the agency's desk” is not possible now; the job stands "
        "at “Waiting for a postal officer”. The next step is “Accept the pickup”.")


def test_the_result_is_collected_only_when_ready_and_asked_for_by_post(world, django_capture_on_commit_callbacks):
    job = run_all(world, until="confirm_handover")
    with pytest.raises(steps.StepRefused, match="is not ready"):
        steps.collect_result(job, world["officer_a"])
    with django_capture_on_commit_callbacks(execute=True):
        at_office = submit_home_service(world["procedure"], world["citizen"], result_delivery="office")
    other = HomeServiceJob.objects.get(dossier=at_office)
    officer = world["officer_a"]
    steps.accept_pickup(other, officer)
    steps.collect(other, officer, ITEMS)
    steps.hand_over(other, officer)
    steps.confirm_handover(other, world["receiver"])
    complete(world, at_office)
    with pytest.raises(steps.StepRefused, match="not by post"):
        steps.collect_result(other, officer)
    assert steps.next_step(other) is None


def test_bad_items_and_an_empty_receiver_name_are_refused(world):
    job = run_all(world, until="accept_pickup")
    for items in ([], [("", 2)], [("Tờ khai", 0)], [("Tờ khai", 100)]):
        with pytest.raises(steps.StepRefused) as refused:
            steps.collect(job, world["officer_a"], items)
        assert "items" in refused.value.errors
    with pytest.raises(steps.StepRefused):
        steps.collect(job, world["officer_a"], ITEMS, now=timezone.now() + dt.timedelta(days=1))
    job = run_all(world, since="collect", until="collect_result")
    with pytest.raises(steps.StepRefused) as refused:
        steps.deliver(job, world["officer_a"], "   ")
    assert "delivered_to" in refused.value.errors
    job.refresh_from_db()
    assert job.state == S.RESULT_COLLECTED


def test_an_officer_of_another_unit_and_a_desk_outsider_are_refused(world):
    with pytest.raises(steps.StepRefused) as refused:
        steps.accept_pickup(world["job"], world["officer_b"])
    assert refused.value.forbidden
    run_all(world, until="hand_over")
    for outsider in (world["health_receiver"], world["handler"], world["officer_a"]):
        with pytest.raises(steps.StepRefused) as refused:
            steps.confirm_handover(world["job"], outsider)
        assert refused.value.forbidden
    world["job"].refresh_from_db()
    assert world["job"].awaits_desk


def test_a_withdrawn_dossier_cancels_its_waiting_job(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.withdraw(world["dossier"], lifecycle.Actor.applicant(world["citizen"]), reason="Không cần nữa")
    world["job"].refresh_from_db()
    assert world["job"].state == S.CANCELLED and world["job"].cancelled_at is not None
    with pytest.raises(steps.StepRefused):
        steps.accept_pickup(world["job"], world["officer_a"])


# ---------------------------------------------------------------- messages and the fee


def test_each_step_is_told_to_the_applicant_by_email_and_sms(world, django_capture_on_commit_callbacks):
    run_all(world, capture=django_capture_on_commit_callbacks)
    dossier = world["dossier"]
    for kind in ("postal_pickup_accepted", "postal_collected", "postal_handed_over", "postal_result_collected",
                 "postal_delivered"):
        channels = set(Message.objects.filter(dossier=dossier, kind=kind).values_list("channel", flat=True))
        assert channels == {"email", "sms"}, kind
    accepted = Message.objects.get(dossier=dossier, kind="postal_pickup_accepted", channel="email")
    assert accepted.language == "vi" and accepted.subject == f"Hồ sơ {dossier.code}: bưu điện sẽ đến thu gom giấy tờ"
    assert "Bưu cục Buôn Ma Thuột" in accepted.body and "Gọi trước 15 phút" in accepted.body
    collected = Message.objects.get(dossier=dossier, kind="postal_collected", channel="email")
    assert "Bản sao CCCD (2)" in collected.body
    delivered = Message.objects.get(dossier=dossier, kind="postal_delivered", channel="sms")
    assert delivered.body.startswith(f"Hồ sơ {dossier.code}: kết quả đã được bưu điện giao tận nhà")
    assert Message.objects.filter(dossier=dossier, kind="received").count() == 2


def test_the_postal_fee_notice_is_issued_once_when_the_pickup_is_accepted(world):
    job = run_all(world, until="accept_pickup")
    [notice] = FeeNotice.objects.filter(dossier=world["dossier"])
    assert notice.kind == NoticeKind.POSTAL and notice.total_vnd == 20000 + 25000 and job.fee_notice == notice
    assert [item.amount_vnd for item in notice.items.all()] == [20000, 25000]
    with pytest.raises(steps.StepRefused):
        steps.accept_pickup(job, world["officer_a"])
    run_all(world, since="collect", until="deliver")
    assert FeeNotice.objects.filter(dossier=world["dossier"]).count() == 1


def test_no_fee_notice_when_the_unit_charges_nothing(world, django_capture_on_commit_callbacks):
    unit = world["unit_a"]
    unit.pickup_fee_vnd = unit.delivery_fee_vnd = 0
    unit.save()
    job = run_all(world, until="accept_pickup")
    assert job.fee_notice is None and not FeeNotice.objects.filter(dossier=world["dossier"]).exists()


def test_a_result_at_the_office_owes_the_pickup_fee_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_home_service(world["procedure"], world["citizen"], result_delivery="office")
    job = steps.accept_pickup(HomeServiceJob.objects.get(dossier=dossier), world["officer_a"])
    assert job.fee_notice.total_vnd == 20000


# ---------------------------------------------------------------- which unit


def test_several_units_are_offered_the_job_and_the_first_to_accept_takes_it(world, django_capture_on_commit_callbacks):
    second = make_unit("630100", "Bưu cục Ea Kao", world["justice"])
    second_officer = make_officer("postal-officer-second", second)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_home_service(world["procedure"], world["citizen"])
    job = HomeServiceJob.objects.get(dossier=dossier)
    assert job.unit is None
    from postal.scope import visible_jobs

    assert visible_jobs(world["officer_a"]).filter(pk=job.pk).exists()
    assert visible_jobs(second_officer).filter(pk=job.pk).exists()
    steps.accept_pickup(job, second_officer)
    assert job.unit == second
    assert not visible_jobs(world["officer_a"]).filter(pk=job.pk).exists()
    with pytest.raises(steps.StepRefused):
        steps.collect(job, world["officer_a"], ITEMS)


def test_an_inactive_unit_is_offered_nothing(world, django_capture_on_commit_callbacks):
    world["unit_a"].active = False
    world["unit_a"].save()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_home_service(world["procedure"], world["citizen"])
    job = HomeServiceJob.objects.get(dossier=dossier)
    assert job.unit is None
    with pytest.raises(steps.StepRefused):
        steps.accept_pickup(job, world["officer_a"])


# ---------------------------------------------------------------- photos


def test_a_jpg_that_is_really_text_is_refused_and_a_real_photo_kept(world):
    fake = upload("giay-to.jpg", b"This is a text file, not a photo.\n" * 20, "image/jpeg")
    real = upload("bien-nhan.jpg", image_bytes("JPEG"), "image/jpeg")
    pdf_named_png = upload("anh.png", b"%PDF-1.4\n" + b"0" * 200, "image/png")
    accepted, errors = steps.check_photos([fake, real, pdf_named_png])
    assert [c.original_name for c in accepted] == ["bien-nhan.jpg"]
    assert len(errors) == 2 and "giay-to.jpg" in errors[0] and "whatever its name says" in errors[0]
    job = run_all(world, until="accept_pickup")
    steps.collect(job, world["officer_a"], ITEMS, photos=accepted)
    [photo] = JobPhoto.objects.filter(job=job)
    assert photo.kind == "jpeg" and photo.step == "collected"
    with photo.file.open("rb") as handle:
        assert handle.read() == image_bytes("JPEG")
    assert "postal/" in photo.file.name and "bien-nhan" not in photo.file.name


# ---------------------------------------------------------------- two officers at once, on PostgreSQL


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_one_pickup_at_once_one_wins(django_capture_on_commit_callbacks):
    from tests.eforms.test_races import join, run_together, waiting_for_a_lock

    with translation.override("en"):
        world = build_world(django_capture_on_commit_callbacks)
    second = make_unit("630100", "Bưu cục Ea Kao", world["justice"])
    second_officer = make_officer("postal-officer-second", second)
    dossier = submit_home_service(world["procedure"], world["citizen"])
    job = HomeServiceJob.objects.get(dossier=dossier)
    assert job.unit is None

    def accept(officer):
        return lambda: steps.accept_pickup(HomeServiceJob.objects.get(pk=job.pk), officer)

    with transaction.atomic():
        Dossier.objects.select_for_update().get(pk=dossier.pk)
        threads, _results, errors = run_together(accept(world["officer_a"]), accept(second_officer))
        deadline = time.monotonic() + 10
        while waiting_for_a_lock() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    join(threads)

    assert sorted(type(e).__name__ for e in errors if e is not None) == ["StepRefused"] and errors.count(None) == 1
    job.refresh_from_db()
    assert job.state == S.PICKUP_ACCEPTED and job.unit in (world["unit_a"], second)
    assert dossier.events.filter(action="postal_accept_pickup").count() == 1
    assert FeeNotice.objects.filter(dossier=dossier).count() == 1
