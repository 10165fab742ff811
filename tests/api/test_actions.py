"""Lifecycle actions through the API (with the lifecycle's own checks and
refusals), result and supplement files, acknowledgements, documents, and
idempotent writes, including two requests with one key at once."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from django.db import connections
from django.test import Client

from api.models import Acknowledgement, IdempotencyRecord
from eforms.models import AttachmentRole, DossierEvent, IssuedDocument
from tests.api.conftest import make_caller, submitted_dossier
from tests.databases import postgresql_only
from tests.dossier_factories import exe_bytes, make_citizen, pdf_bytes


def act(caller, dossier, action, data=None, **kwargs):
    return caller.post(f"/api/v1/dossiers/{dossier.code}/actions/{action}", data or {}, **kwargs)


def test_receive_goes_through_the_lifecycle_as_the_api_client(world):
    a, dossier = world["a"], world["dossier_a"]
    answer = act(a, dossier, "receive", {"note": "Đã nhận vào phần mềm một cửa"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["dossier"]["status"] == "received"
    assert body["event"]["actor_kind"] == "api" and body["event"]["actor"] == "Một cửa Sở Tư pháp"
    assert [d["form"] for d in body["documents"]] == ["01"]  # receipt and appointment, issued with the step
    dossier.refresh_from_db()
    assert dossier.status == "received" and dossier.appointment_at is not None
    event = dossier.events.get(action="receive")
    assert event.actor_kind == "api" and event.note == "Đã nhận vào phần mềm một cửa"


def test_a_refused_action_is_a_409_with_the_lifecycles_message(world):
    a, dossier = world["a"], world["dossier_a"]
    refused = act(a, dossier, "complete", {"result": "Phiếu lý lịch tư pháp số 12"})
    assert refused.status_code == 409
    assert refused["Content-Type"].startswith("application/problem+json")
    body = refused.json()
    assert body["type"].endswith("/action-refused")
    assert "Đã nộp trực tuyến" in body["detail"] and "Hoàn thành" in body["detail"]  # the lifecycle's words
    assert body["status_code"] == "submitted"
    assert "receive" in body["allowed_actions"]
    dossier.refresh_from_db()
    assert dossier.status == "submitted"


def test_a_missing_requirement_is_a_422_naming_the_field(world):
    a, dossier = world["a"], world["dossier_a"]
    answer = act(a, dossier, "reject", {})
    assert answer.status_code == 422
    body = answer.json()
    assert body["type"].endswith("/action-requirements")
    assert body["errors"][0]["loc"] == ["body", "reason"]
    assert act(a, dossier, "reject", {"reason": "Hồ sơ không thuộc thẩm quyền"}).status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == "rejected"
    assert IssuedDocument.objects.filter(dossier=dossier, kind="03").exists()  # refusal, form 03


def test_an_action_takes_only_its_own_fields_and_unknown_actions_are_invalid(world):
    a, dossier = world["a"], world["dossier_a"]
    answer = act(a, dossier, "receive", {"reason": "x"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "reason"]
    assert act(a, dossier, "receive", {"surprise": 1}).status_code == 422
    assert act(a, dossier, "withdraw", {}).status_code == 422  # the applicant's, not the agency's
    assert act(a, dossier, "receive", {"note": "x" * 2001}).status_code == 422
    dossier.refresh_from_db()
    assert dossier.status == "submitted"


def test_the_whole_way_to_the_result_with_a_result_file(world):
    a, dossier, handler = world["a"], world["dossier_a"], world["handler"]
    assert act(a, dossier, "receive").status_code == 200
    answer = act(a, dossier, "start_processing", {"assignee": "XULY@sotuphap.example.vn"})
    assert answer.status_code == 200, answer.content
    dossier.refresh_from_db()
    assert dossier.assigned_to == handler
    unknown = act(a, dossier, "forward", {"assignee": "nobody@example.vn"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["body", "assignee"]
    # a program is refused by content, whatever its name
    refused = a.upload(f"/api/v1/dossiers/{dossier.code}/files", "ket-qua.pdf", exe_bytes())
    assert refused.status_code == 422 and refused.json()["type"].endswith("/file-refused")
    uploaded = a.upload(f"/api/v1/dossiers/{dossier.code}/files", "ket-qua.pdf", pdf_bytes("Ket qua"))
    assert uploaded.status_code == 201, uploaded.content
    file_id = uploaded.json()["id"]
    bad = act(a, dossier, "complete", {"result": "Phiếu số 12", "files": [str(uuid.uuid4())]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "files"]
    done = act(a, dossier, "complete", {"result": "Phiếu lý lịch tư pháp số 12", "files": [file_id]})
    assert done.status_code == 200, done.content
    dossier.refresh_from_db()
    assert dossier.status == "completed" and dossier.result == "Phiếu lý lịch tư pháp số 12"
    result = dossier.attachments.get(role=AttachmentRole.RESULT)
    assert str(result.public_id) == file_id and result.event_id == done.json()["event"]["id"]
    returned = act(a, dossier, "return_result", {"handover_method": "post", "courier": "VNPost",
                                                 "tracking_number": "EB123456789VN"})
    assert returned.status_code == 200, returned.content
    dossier.refresh_from_db()
    assert dossier.status == "returned" and dossier.tracking_number == "EB123456789VN"


def test_a_result_file_waits_for_a_dossier_being_processed(world):
    a, dossier = world["a"], world["dossier_a"]
    early = a.upload(f"/api/v1/dossiers/{dossier.code}/files", "ket-qua.pdf", pdf_bytes())
    assert early.status_code == 409
    assert not dossier.attachments.filter(role=AttachmentRole.RESULT).exists()


def test_a_supplement_request_and_the_documents_handed_in_at_the_desk(world):
    a, dossier = world["a"], world["dossier_a"]
    act(a, dossier, "receive")
    asked = act(a, dossier, "request_supplement", {"items": ["Bản sao CCCD còn hạn"], "deadline": "2099-01-10"})
    assert asked.status_code == 200, asked.content
    assert [d["form"] for d in asked.json()["documents"]] == ["02"]
    brought = a.upload(f"/api/v1/dossiers/{dossier.code}/files", "cccd.pdf", pdf_bytes("CCCD moi"), "supplement")
    assert brought.status_code == 201
    answered = act(a, dossier, "answer_supplement", {"files": [brought.json()["id"]], "note": "Nộp tại quầy"})
    assert answered.status_code == 200, answered.content
    dossier.refresh_from_db()
    assert dossier.status == "received"
    assert dossier.attachments.filter(public_id=brought.json()["id"]).exists()


def test_internal_steps_and_the_control_slip(world):
    a, dossier = world["a"], world["dossier_a"]
    act(a, dossier, "receive")
    assert act(a, dossier, "start_processing").status_code == 200
    assert act(a, dossier, "submit_for_approval", {"note": "Dự thảo kết quả"}).status_code == 200
    assert act(a, dossier, "submit_for_approval").status_code == 409  # already waiting (the lifecycle's guard)
    assert act(a, dossier, "approve").status_code == 200
    slip = act(a, dossier, "issue_control_slip")
    assert slip.status_code == 200
    assert [d["form"] for d in slip.json()["documents"]] == ["06"]
    history = a.get(f"/api/v1/dossiers/{dossier.code}").json()["history"]
    internal = {e["action"] for e in history if e["internal"]}
    assert {"submit_for_approval", "approve"} <= internal


def test_acknowledging_receipt(world):
    a, dossier = world["a"], world["dossier_a"]
    answer = a.post(f"/api/v1/dossiers/{dossier.code}/acknowledge", {"reference": "MC-2026-000123"})
    assert answer.status_code == 200
    assert answer.json()["reference"] == "MC-2026-000123"
    again = a.post(f"/api/v1/dossiers/{dossier.code}/acknowledge", {"reference": "other"})
    assert again.json()["at"] == answer.json()["at"]
    assert Acknowledgement.objects.filter(dossier=dossier).count() == 1
    shown = a.get(f"/api/v1/dossiers/{dossier.code}").json()["acknowledgements"]
    assert shown == [{"client": "Một cửa Sở Tư pháp", "at": answer.json()["at"], "reference": "MC-2026-000123"}]
    dossier.refresh_from_db()
    assert dossier.status == "submitted"  # acknowledging is not receiving


# ---------------------------------------------------------------- idempotency


def test_every_write_needs_an_idempotency_key(world):
    a, dossier = world["a"], world["dossier_a"]
    for path in (f"/api/v1/dossiers/{dossier.code}/actions/receive", f"/api/v1/dossiers/{dossier.code}/acknowledge"):
        answer = a.post(path, {}, key=None)
        assert answer.status_code == 400
        assert answer.json()["type"].endswith("/idempotency-key-missing")
    assert a.post(f"/api/v1/dossiers/{dossier.code}/actions/receive", {}, key="kh\u00f4ng").status_code == 400
    dossier.refresh_from_db()
    assert dossier.status == "submitted"
    assert not Acknowledgement.objects.exists()


def test_a_repeat_gets_the_first_answer_and_acts_once(world):
    a, dossier = world["a"], world["dossier_a"]
    first = act(a, dossier, "receive", {"note": "một lần"}, key="receive-1")
    second = act(a, dossier, "receive", {"note": "một lần"}, key="receive-1")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1
    # a refusal is an answer too: replayed, not redone
    refused = act(a, dossier, "receive", {}, key="receive-2")
    assert refused.status_code == 409
    assert act(a, dossier, "receive", {}, key="receive-2").json() == refused.json()


def test_the_same_key_for_another_request_is_a_422(world):
    a, dossier = world["a"], world["dossier_a"]
    assert act(a, dossier, "reject", {"reason": "Sai thẩm quyền"}, key="k-1").status_code == 200
    other = act(a, dossier, "reject", {"reason": "Lý do khác"}, key="k-1")
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    # keys are the client's own: another client may use the same one
    b = world["b"]
    assert act(b, world["dossier_b"], "receive", {}, key="k-1").status_code == 200


def test_json_is_compared_as_data(world):
    a, dossier = world["a"], world["dossier_a"]
    path = f"/api/v1/dossiers/{dossier.code}/acknowledge"
    headers = a.headers("ack-1")
    first = Client().post(path, '{"reference": "R1"}', content_type="application/json", **headers)
    second = Client().post(path, json.dumps({"reference": "R1"}, indent=2), content_type="application/json",
                           **headers)
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_once_act_once():
    """Real connections, one per thread, released together: one does the
    work, the other waits on the key and gets the same answer."""
    from tests.dossier_factories import JUSTICE_CODE, make_agency, make_procedure

    agency = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    dossier = submitted_dossier(make_procedure("1.001193", agency=agency), make_citizen("dong-thoi-api"))
    caller = make_caller(agency)
    barrier = threading.Barrier(2)
    answers, errors = [None, None], []

    def send(index):
        try:
            barrier.wait(timeout=30)
            answers[index] = Client().post(
                f"/api/v1/dossiers/{dossier.code}/actions/receive", json.dumps({"note": "cùng lúc"}),
                content_type="application/json", **caller.headers("same-key"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1
    assert IdempotencyRecord.objects.filter(key="same-key").count() == 1


def test_prune_forgets_old_keys_and_expired_tokens(world):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    a, dossier = world["a"], world["dossier_a"]
    act(a, dossier, "receive", {}, key="old-key")
    act(a, dossier, "start_processing", {}, key="new-key")
    IdempotencyRecord.objects.filter(key="old-key").update(created_at=timezone.now() - dt.timedelta(hours=25))
    expired = make_caller(world["agency_a"], name="Cũ")
    AccessToken.objects.filter(application_id=expired.client.application_id).update(
        expires=timezone.now() - dt.timedelta(days=1))
    call_command("prune_api", stdout=__import__("io").StringIO())
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new-key"]
    assert not AccessToken.objects.filter(application_id=expired.client.application_id).exists()
    assert AccessToken.objects.filter(application_id=a.client.application_id).exists()
    # a forgotten key may be used afresh
    assert act(a, dossier, "request_supplement", {"items": ["CCCD"], "deadline": "2099-01-01"},
               key="old-key").status_code == 200
