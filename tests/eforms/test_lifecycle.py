"""The dossier lifecycle (eforms.lifecycle): every transition, allowed and
refused, for every kind of actor; requirements; events; dates."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from eforms import lifecycle
from eforms.lifecycle import Actor, ActorNotAllowed, RequirementMissing, TransitionNotAllowed
from eforms.models import Dossier, DossierEvent, DossierStatus
from eforms.uploads import UploadRules, check_file, store
from tests.dossier_factories import (
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    pdf_bytes,
    submit,
    upload,
)

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
S = DossierStatus

# Written out here, not read from lifecycle.TRANSITIONS, so the test says
# what DESIGN.md wants independently of the code.
EXPECTED = {
    "submit": ({"draft"}, {"applicant"}),
    "withdraw": ({"submitted"}, {"applicant"}),
    "receive": ({"submitted"}, {"receiver", "leader", "api"}),
    "reject": ({"submitted"}, {"receiver", "leader", "api"}),
    "mark_invalid": ({"submitted", "received"}, {"receiver", "handler", "leader", "api", "system"}),
    "start_processing": ({"received"}, {"receiver", "handler", "leader", "api"}),
    "request_supplement": ({"received", "processing"}, {"receiver", "handler", "leader", "api"}),
    "answer_supplement": ({"needs_supplement"}, {"applicant", "receiver", "api"}),
    "complete": ({"processing"}, {"handler", "leader", "api"}),
    "return_result": ({"completed"}, {"receiver", "leader", "api"}),
    "cancel": ({"received", "processing", "needs_supplement"}, {"receiver", "leader", "api", "system"}),
    "extend": ({"received", "processing"}, {"handler", "leader", "api"}),
    "issue_control_slip": (set(S.values) - {"draft"}, {"receiver", "handler", "leader", "api"}),
    # internal steps: no status change
    "forward": ({"submitted", "received", "processing", "needs_supplement"}, {"receiver", "leader", "api"}),
    "send_to_co_agency": ({"processing"}, {"handler", "leader", "api"}),
    # while the dossier is with the Department of Health, its staff may send it back too
    "return_from_co_agency": ({"received", "processing", "needs_supplement"},
                              {"handler", "leader", "api", "other_agency_staff"}),
    "submit_for_approval": ({"processing"}, {"handler", "api"}),
    "approve": ({"processing"}, {"leader", "api"}),
    "return_for_rework": ({"processing"}, {"leader", "api"}),
}
#: What the dossier must hold, beyond its status, for the action to be possible.
STATE_FOR = {
    "return_from_co_agency": "with_health",
    "approve": "awaiting_approval",
    "return_for_rework": "awaiting_approval",
}


@pytest.fixture
def world(db):
    """A procedure of the Department of Justice (10 working days), its
    staff, another department's staff, two citizens, two API clients."""
    procedure = make_procedure(processing_time=10)
    justice = procedure.agency
    health = make_agency("000.00.14.H30", "Sở Y tế")
    citizen = make_citizen("an")
    actors = {
        "applicant": Actor.applicant(citizen),
        "other_citizen": Actor.applicant(make_citizen("binh", id_number="001099099999")),
        "receiver": Actor.staff(make_staff("receiver", justice, "receiver")),
        "handler": Actor.staff(make_staff("handler", justice, "handler")),
        "leader": Actor.staff(make_staff("leader", justice, "leader")),
        "agency_admin": Actor.staff(make_staff("agency-admin", justice, "agency_admin")),
        "other_agency_staff": Actor.staff(make_staff("health", health, "receiver", "handler", "leader")),
        # The applicant is not staff: a citizen acting "as staff" gets nothing.
        "citizen_as_staff": Actor.staff(citizen),
        "api": Actor.api_client("Một cửa điện tử Sở Tư pháp", justice),
        "other_api": Actor.api_client("Một cửa điện tử Sở Y tế", health),
        "system": Actor.system(),
    }
    return procedure, citizen, actors


def test_every_transition_for_every_actor_and_status(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    assert set(lifecycle.TRANSITIONS) == set(EXPECTED)
    health = actors["other_agency_staff"].user.staff_memberships.first().agency
    checked = 0
    for action, (sources, who) in EXPECTED.items():
        state = STATE_FOR.get(action)
        dossier.co_handling_agency = health if state == "with_health" else None
        dossier.approval_requested_at = dossier.submitted_at if state == "awaiting_approval" else None
        for status in S.values:
            dossier.status = status
            for name, actor in actors.items():
                expected = status in sources and name in who
                assert lifecycle.can(dossier, actor, action) is expected, (action, status, name)
                checked += 1
    assert checked == len(EXPECTED) * len(S.values) * len(actors)


def test_refusals_say_why_in_the_users_language(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    lifecycle.receive(dossier, actors["receiver"])
    written = dossier.events.count()
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as error:
        lifecycle.withdraw(dossier, actors["applicant"])
    assert "Received" in error.value.message and dossier.code in error.value.message
    with translation.override("vi"), pytest.raises(TransitionNotAllowed) as error:
        lifecycle.withdraw(dossier, actors["applicant"])
    assert "Vừa tiếp nhận" in error.value.message
    with translation.override("vi"), pytest.raises(ActorNotAllowed) as error:
        lifecycle.complete(dossier, actors["other_citizen"], result="x")
    assert "không được phép" in error.value.message
    dossier.refresh_from_db()
    assert dossier.status == S.RECEIVED
    assert dossier.events.count() == written  # refusals write nothing


def test_applicant_withdraws_before_the_agency_takes_it_in(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    with pytest.raises(ActorNotAllowed):
        lifecycle.withdraw(dossier, actors["other_citizen"])
    event = lifecycle.withdraw(dossier, actors["applicant"], reason="Nộp nhầm thủ tục")
    dossier.refresh_from_db()
    assert dossier.status == S.CANCELLED and dossier.closed_at is not None
    assert (event.from_status, event.to_status, event.actor_kind, event.actor_user) == (
        "submitted", "cancelled", "applicant", citizen)
    assert event.note == "Nộp nhầm thủ tục"
    with pytest.raises(TransitionNotAllowed):
        lifecycle.withdraw(dossier, actors["applicant"])


@pytest.mark.parametrize("action", ["reject", "mark_invalid"])
def test_refusing_or_invalidating_needs_a_reason(world, action):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    with pytest.raises(RequirementMissing) as error:
        lifecycle.perform(dossier, actors["receiver"], action, reason="  ")
    assert "reason" in error.value.errors
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUBMITTED
    event = lifecycle.perform(dossier, actors["api"], action, reason="Thiếu bản sao giấy khai sinh")
    assert event.actor_kind == "api" and event.actor_label == "Một cửa điện tử Sở Tư pháp"
    assert event.data == {"reason": "Thiếu bản sao giấy khai sinh"}
    assert dossier.status == (S.REJECTED if action == "reject" else S.INVALID)
    assert dossier.is_final


def test_the_whole_road_with_a_supplement_and_dates(world):
    procedure, citizen, actors = world
    call_command("seed_calendar", "2026", stdout=StringIO())
    dossier = submit(procedure, citizen, now=dt.datetime(2026, 2, 27, 20, 0, tzinfo=ICT))
    # Submitted on a Friday evening: expected as if received Monday 2 March 07:00.
    assert dossier.expected_appointment_at == dt.datetime(2026, 3, 16, 7, 0, tzinfo=ICT)

    lifecycle.receive(dossier, actors["receiver"], now=dt.datetime(2026, 3, 2, 9, 0, tzinfo=ICT))
    assert dossier.status == S.RECEIVED
    assert dossier.appointment_at == dt.datetime(2026, 3, 16, 9, 0, tzinfo=ICT)  # 10 working days

    handler = actors["handler"].user
    with pytest.raises(RequirementMissing):  # a citizen cannot be made the handler
        lifecycle.start_processing(dossier, actors["leader"], assignee=citizen)
    lifecycle.start_processing(dossier, actors["leader"], assignee=handler,
                               now=dt.datetime(2026, 3, 2, 10, tzinfo=ICT))
    assert dossier.status == S.PROCESSING and dossier.assigned_to == handler

    asked = dt.datetime(2026, 3, 4, 10, 0, tzinfo=ICT)
    with pytest.raises(RequirementMissing) as error:
        lifecycle.request_supplement(dossier, actors["handler"], items=[], deadline=None, now=asked)
    assert set(error.value.errors) == {"items"}  # no deadline given: PORTAL_SUPPLEMENT_DAYS working days
    with pytest.raises(RequirementMissing) as error:
        lifecycle.request_supplement(dossier, actors["handler"], items=["Bản sao CCCD"],
                                     deadline=dt.date(2026, 3, 4), now=asked)
    assert set(error.value.errors) == {"deadline"}
    lifecycle.request_supplement(dossier, actors["handler"], items=["Bản sao CCCD", " "],
                                 deadline=dt.date(2026, 3, 20), now=asked)
    assert dossier.status == S.NEEDS_SUPPLEMENT
    assert dossier.supplement_items == ["Bản sao CCCD"]
    assert dossier.supplement_remaining == 8  # 5, 6, 9, 10, 11, 12, 13, 16 March

    with pytest.raises(RequirementMissing):  # answering needs the documents
        lifecycle.answer_supplement(dossier, actors["applicant"], files=[])
    with pytest.raises(ActorNotAllowed):
        lifecycle.answer_supplement(dossier, actors["other_citizen"], files=[])
    missing = check_file(upload("cccd.pdf", pdf_bytes()), UploadRules.default(), "supplement")
    event = lifecycle.answer_supplement(dossier, actors["applicant"], files=[missing],
                                        now=dt.datetime(2026, 3, 9, 8, 0, tzinfo=ICT))
    # Back where it was, and the clock ran again from the answer: 8 working days from Monday 9 March.
    assert (event.from_status, event.to_status) == ("needs_supplement", "processing")
    assert dossier.appointment_at == dt.datetime(2026, 3, 19, 8, 0, tzinfo=ICT)
    assert dossier.supplement_items == [] and dossier.supplement_deadline is None
    assert event.attachments.get().dossier_id == dossier.pk

    with pytest.raises(RequirementMissing) as error:
        lifecycle.complete(dossier, actors["handler"], result="")
    assert "result" in error.value.errors
    with pytest.raises(ActorNotAllowed):  # receivers do not decide results
        lifecycle.complete(dossier, actors["receiver"], result="Phiếu lý lịch tư pháp số 1")
    result_file = check_file(upload("ket-qua.pdf", pdf_bytes("Ket qua")), UploadRules.default())
    lifecycle.complete(dossier, actors["handler"], result="Phiếu lý lịch tư pháp số 1", files=[result_file])
    assert dossier.status == S.COMPLETED and dossier.result == "Phiếu lý lịch tư pháp số 1"
    lifecycle.return_result(dossier, actors["receiver"])
    assert dossier.status == S.RETURNED and dossier.returned_at and dossier.is_final

    steps = list(dossier.events.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("submit", "draft", "submitted"),
        ("receive", "submitted", "received"),
        ("issue_document", "received", ""),  # form 01
        ("start_processing", "received", "processing"),
        ("request_supplement", "processing", "needs_supplement"),
        ("issue_document", "needs_supplement", ""),  # form 02
        ("answer_supplement", "needs_supplement", "processing"),
        ("complete", "processing", "completed"),
        ("return_result", "completed", "returned"),
    ]
    for action in EXPECTED:
        if action not in ("submit", "issue_control_slip"):  # the control slip prints at any stage
            assert not lifecycle.can(dossier, actors["api"], action), action


def test_supplement_requested_at_receipt_goes_back_to_received(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    lifecycle.receive(dossier, actors["receiver"])
    tomorrow = dt.date.today() + dt.timedelta(days=7)
    lifecycle.request_supplement(dossier, actors["receiver"], items=["Tờ khai có chữ ký"], deadline=tomorrow)
    # Handed in at the desk: the receiver records it, with the scanned page.
    scanned = check_file(upload("to-khai.pdf", pdf_bytes()), UploadRules.default())
    event = lifecycle.answer_supplement(dossier, actors["receiver"], files=[scanned], note="Nộp trực tiếp")
    assert (event.to_status, event.actor_kind) == ("received", "staff")


def test_staff_and_system_cancel_with_a_reason(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    lifecycle.receive(dossier, actors["api"])
    lifecycle.request_supplement(dossier, actors["api"], items=["Ảnh 4x6"],
                                 deadline=dt.date.today() + dt.timedelta(days=3))
    with pytest.raises(ActorNotAllowed):
        lifecycle.cancel(dossier, actors["other_api"], reason="x")
    with pytest.raises(ActorNotAllowed):
        lifecycle.cancel(dossier, actors["other_agency_staff"], reason="x")
    with pytest.raises(RequirementMissing):
        lifecycle.cancel(dossier, actors["system"], reason="")
    event = lifecycle.cancel(dossier, actors["system"], reason="Quá hạn bổ sung hồ sơ")
    assert (event.actor_kind, event.actor_label, event.actor_user) == ("system", "system", None)
    assert dossier.status == S.CANCELLED


def test_cancel_by_leader_during_processing(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    lifecycle.receive(dossier, actors["leader"])
    lifecycle.start_processing(dossier, actors["handler"])
    assert dossier.assigned_to == actors["handler"].user  # the acting handler takes it by default
    lifecycle.cancel(dossier, actors["leader"], reason="Người nộp đề nghị dừng")
    assert dossier.status == S.CANCELLED


def test_api_client_of_another_agency_and_system_cannot_receive(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    for name in ("other_api", "system", "handler", "agency_admin", "applicant", "citizen_as_staff"):
        with pytest.raises(ActorNotAllowed):
            lifecycle.receive(dossier, actors[name])
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUBMITTED


def test_actions_cannot_be_dated_in_the_future(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    with pytest.raises(RequirementMissing):
        lifecycle.receive(dossier, actors["api"], now=dt.datetime(2099, 1, 1, tzinfo=ICT))


def test_two_clerks_cannot_both_receive(world):
    """The second sees the status the first left (the row is re-read under a lock)."""
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    stale = Dossier.objects.get(pk=dossier.pk)
    lifecycle.receive(dossier, actors["receiver"])
    with pytest.raises(TransitionNotAllowed):
        lifecycle.receive(stale, actors["leader"])
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1


def test_allowed_actions_lists_buttons(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    assert [t.name for t in lifecycle.allowed_actions(dossier, actors["applicant"])] == ["withdraw"]
    assert {t.name for t in lifecycle.allowed_actions(dossier, actors["receiver"])} == {
        "receive", "reject", "mark_invalid", "forward", "issue_control_slip"}
    assert lifecycle.allowed_actions(dossier, actors["other_agency_staff"]) == []


# ---------------------------------------------------------------- internal steps, results, handover


def _processing(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    lifecycle.receive(dossier, actors["receiver"])
    lifecycle.start_processing(dossier, actors["leader"], assignee=actors["handler"].user)
    return dossier


def test_internal_steps_are_events_that_keep_the_status_and_check_their_state(world):
    procedure, citizen, actors = world
    dossier = _processing(world)
    health = actors["other_agency_staff"].user.staff_memberships.first().agency
    event = lifecycle.send_to_co_agency(dossier, actors["handler"], health, note="Xin ý kiến")
    assert (event.from_status, event.to_status) == ("processing", "")
    assert Dossier.objects.get(pk=dossier.pk).co_handling_agency == health
    with pytest.raises(TransitionNotAllowed) as error:
        lifecycle.send_to_co_agency(dossier, actors["leader"], health)
    assert dossier.code in error.value.message
    lifecycle.return_from_co_agency(dossier, actors["other_agency_staff"], note="Đồng ý")
    assert Dossier.objects.get(pk=dossier.pk).co_handling_agency is None
    with pytest.raises(TransitionNotAllowed):
        lifecycle.approve(dossier, actors["leader"])
    lifecycle.submit_for_approval(dossier, actors["handler"])
    with pytest.raises(TransitionNotAllowed):
        lifecycle.submit_for_approval(dossier, actors["handler"])
    with pytest.raises(RequirementMissing):
        lifecycle.return_for_rework(dossier, actors["leader"], " ")
    lifecycle.approve(dossier, actors["leader"])
    with pytest.raises(RequirementMissing) as error:
        lifecycle.forward(dossier, actors["receiver"], actors["receiver"].user)  # a receiver is no handler
    assert "assignee" in error.value.errors
    lifecycle.forward(dossier, actors["receiver"], actors["leader"].user)
    dossier.refresh_from_db()
    assert dossier.status == S.PROCESSING and dossier.assigned_to == actors["leader"].user
    assert dossier.approval_requested_at is None
    internal = list(dossier.events.filter(to_status="").exclude(action="issue_document").values_list("action", flat=True))
    assert internal == ["send_to_co_agency", "return_from_co_agency", "submit_for_approval", "approve", "forward"]
    assert not lifecycle.public_events(dossier).filter(action__in=lifecycle.INTERNAL_ACTIONS).exists()


def test_completing_ends_co_handling_and_takes_only_this_dossiers_pending_result_files(world):
    procedure, citizen, actors = world
    dossier = _processing(world)
    other = _processing(world)
    health = actors["other_agency_staff"].user.staff_memberships.first().agency
    lifecycle.send_to_co_agency(dossier, actors["handler"], health)
    checked = check_file(upload("ket-qua.pdf", pdf_bytes()), UploadRules.default())
    foreign = store(checked, dossier=other, role="result")
    with pytest.raises(ActorNotAllowed):
        lifecycle.complete(dossier, actors["handler"], "Kết quả", files=[foreign])
    mine = store(check_file(upload("ket-qua.pdf", pdf_bytes()), UploadRules.default()), dossier=dossier,
                 role="result")
    event = lifecycle.complete(dossier, actors["handler"], "Kết quả", files=[mine])
    mine.refresh_from_db()
    assert mine.event == event and mine.role == "result"
    dossier.refresh_from_db()
    assert dossier.co_handling_agency is None


def test_returning_by_post_needs_the_courier_and_tracking_number(world):
    procedure, citizen, actors = world
    dossier = _processing(world)
    lifecycle.complete(dossier, actors["handler"], "Kết quả")
    with pytest.raises(RequirementMissing) as error:
        lifecycle.return_result(dossier, actors["receiver"], handover_method="post", courier="VNPost")
    assert set(error.value.errors) == {"tracking_number"}
    event = lifecycle.return_result(dossier, actors["receiver"], handover_method="post", courier="VNPost",
                                    tracking_number="EB1VN")
    assert event.data == {"handover_method": "post", "courier": "VNPost", "tracking_number": "EB1VN"}
    dossier.refresh_from_db()
    assert (dossier.status, dossier.courier, dossier.tracking_number) == (S.RETURNED, "VNPost", "EB1VN")


def test_forward_is_an_internal_event_that_keeps_the_status(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    lifecycle.receive(dossier, actors["receiver"])
    handler = actors["handler"].user
    event = lifecycle.forward(dossier, actors["receiver"], handler, note="Ưu tiên")
    dossier.refresh_from_db()
    assert dossier.status == S.RECEIVED
    assert dossier.assigned_to == handler
    assert (event.action, event.from_status, event.to_status) == ("forward", S.RECEIVED, "")
    assert event.data["assignee"] == handler.pk
    assert [e.action for e in dossier.events.public()] == ["submit", "receive"]


def test_forward_refuses_a_handler_of_another_agency_and_a_handler_assigning(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    with pytest.raises(RequirementMissing) as error:
        lifecycle.forward(dossier, actors["receiver"], actors["other_agency_staff"].user)
    assert "assignee" in error.value.errors
    with pytest.raises(RequirementMissing):
        lifecycle.forward(dossier, actors["receiver"], None)
    with pytest.raises(ActorNotAllowed):
        lifecycle.forward(dossier, actors["handler"], actors["handler"].user)
    dossier.refresh_from_db()
    assert dossier.assigned_to is None
    assert not dossier.events.filter(action="forward").exists()


def test_extend_moves_the_appointment_keeps_the_first_and_issues_form_04(world):
    procedure, citizen, actors = world
    dossier = submit(procedure, citizen)
    lifecycle.receive(dossier, actors["receiver"])
    first = dossier.appointment_at
    later = first.astimezone(ICT).date() + dt.timedelta(days=4)
    with pytest.raises(ActorNotAllowed):
        lifecycle.extend(dossier, actors["receiver"], "Chậm", later)
    with pytest.raises(RequirementMissing) as missing:
        lifecycle.extend(dossier, actors["handler"], "  ", later)
    assert "reason" in missing.value.errors
    with pytest.raises(RequirementMissing) as earlier:
        lifecycle.extend(dossier, actors["handler"], "Chậm", first.astimezone(ICT).date() - dt.timedelta(days=1))
    assert "appointment" in earlier.value.errors

    event = lifecycle.extend(dossier, actors["handler"], "Cần xác minh", later)
    dossier.refresh_from_db()
    assert dossier.status == S.RECEIVED and event.action == "extend" and event.to_status == ""
    assert dossier.original_appointment_at == first and dossier.counted_due_at == first
    assert dossier.appointment_at.astimezone(ICT).date() == later
    assert dossier.appointment_at.astimezone(ICT).time() == first.astimezone(ICT).time()
    assert dt.datetime.fromisoformat(event.data["previous"]) == first
    assert dt.datetime.fromisoformat(event.data["original_appointment_at"]) == first

    lifecycle.start_processing(dossier, actors["handler"])
    lifecycle.extend(dossier, actors["leader"], "Chờ ý kiến liên ngành", later + dt.timedelta(days=3))
    dossier.refresh_from_db()
    assert dossier.original_appointment_at == first  # set once
    assert list(dossier.documents.filter(kind="04").values_list("data__reason", flat=True)) == [
        "Cần xác minh", "Chờ ý kiến liên ngành"]
    lifecycle.complete(dossier, actors["handler"], result="Đã cấp phiếu")
    with pytest.raises(TransitionNotAllowed):
        lifecycle.extend(dossier, actors["leader"], "Muộn", later + dt.timedelta(days=9))
