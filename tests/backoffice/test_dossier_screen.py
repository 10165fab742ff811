"""The dossier screen (/admin/backoffice/dossiers/<pk>/): who sees it, which
actions each role is offered and may take, the inline preview, result
files, the handover, and two staff acting at once."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from eforms import lifecycle
from eforms.models import Attachment, DocumentKind, Dossier, DossierEvent, DossierStatus
from eforms.uploads import UploadRules, check_file, store
from tests.databases import postgresql_only
from tests.dossier_factories import (
    exe_bytes,
    image_bytes,
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    pdf_bytes,
    submit,
    upload,
)
from tests.second_factor import pass_second_factor

S = DossierStatus


@pytest.fixture
def world(db):
    procedure = make_procedure(processing_time=10)
    justice = procedure.agency
    health = make_agency("000.00.14.H30", "Sở Y tế")
    citizen = make_citizen("screen-an")
    users = {
        "receiver": make_staff("screen-receiver", justice, "receiver"),
        "handler": make_staff("screen-handler", justice, "handler"),
        "leader": make_staff("screen-leader", justice, "leader"),
        "agency_admin": make_staff("screen-admin", justice, "agency_admin"),
        "other_agency": make_staff("screen-health", health, "receiver", "handler", "leader"),
    }
    return {"procedure": procedure, "justice": justice, "health": health, "citizen": citizen, "users": users}


def staff_client(user) -> Client:
    return pass_second_factor(Client(), user)


def screen_url(dossier) -> str:
    return reverse("backoffice:dossier", args=[dossier.pk])


def act_url(dossier) -> str:
    return reverse("backoffice:dossier_act", args=[dossier.pk])


def preview_url(dossier, attachment) -> str:
    return reverse("backoffice:attachment_preview", args=[dossier.pk, attachment.public_id])


def dossier_in(world, status: str, *, result_delivery: str = "office") -> Dossier:
    """A dossier brought to `status` the way the lifecycle does it."""
    address = {"delivery_address": "12 Lê Duẩn, phường Bến Nghé"} if result_delivery == "post" else {}
    dossier = submit(world["procedure"], world["citizen"], result_delivery=result_delivery, **address)
    leader = lifecycle.Actor.staff(world["users"]["leader"])
    handler = world["users"]["handler"]
    road = {
        S.SUBMITTED: [],
        S.RECEIVED: [lambda d: lifecycle.receive(d, leader)],
        S.PROCESSING: [lambda d: lifecycle.receive(d, leader),
                       lambda d: lifecycle.start_processing(d, leader, assignee=handler)],
        S.NEEDS_SUPPLEMENT: [lambda d: lifecycle.receive(d, leader),
                             lambda d: lifecycle.request_supplement(
                                 d, leader, ["Bản sao CCCD"], timezone.localdate() + dt.timedelta(days=5))],
        S.COMPLETED: [lambda d: lifecycle.receive(d, leader),
                      lambda d: lifecycle.start_processing(d, leader, assignee=handler),
                      lambda d: lifecycle.complete(d, leader, "Phiếu lý lịch tư pháp số 12")],
    }[status]
    for step in road:
        step(dossier)
    return dossier


# What each form posts for each action (besides `action`).
def payload(action: str, world) -> dict:
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    return {
        "receive": {},
        "reject": {"reject-reason": "Không thuộc thẩm quyền"},
        "mark_invalid": {"mark_invalid-reason": "Số CCCD sai"},
        "cancel": {"cancel-reason": "Người nộp đề nghị dừng"},
        "start_processing": {"start_processing-assignee": world["users"]["handler"].pk},
        "request_supplement": {"request_supplement-items": "Bản sao CCCD\nẢnh 4x6",
                               "request_supplement-deadline": deadline},
        "complete": {"complete-result": "Phiếu lý lịch tư pháp số 12"},
        "return_result": {"return_result-handover_method": "desk"},
        "forward": {"forward-assignee": world["users"]["handler"].pk},
        "send_to_co_agency": {"send_to_co_agency-co_agency": world["health"].pk},
        "return_from_co_agency": {},
        "submit_for_approval": {},
        "approve": {},
        "return_for_rework": {"return_for_rework-reason": "Thiếu căn cứ"},
    }[action]


#: (action, the status it starts from, any state it needs) → the roles that may take it on the screen
CASES = [
    ("receive", S.SUBMITTED, None, {"receiver", "leader"}),
    ("reject", S.SUBMITTED, None, {"receiver", "leader"}),
    ("mark_invalid", S.RECEIVED, None, {"receiver", "handler", "leader"}),
    ("start_processing", S.RECEIVED, None, {"receiver", "handler", "leader"}),
    ("request_supplement", S.PROCESSING, None, {"receiver", "handler", "leader"}),
    ("cancel", S.PROCESSING, None, {"receiver", "leader"}),
    ("complete", S.PROCESSING, None, {"handler", "leader"}),
    ("return_result", S.COMPLETED, None, {"receiver", "leader"}),
    ("forward", S.RECEIVED, None, {"receiver", "leader"}),
    ("send_to_co_agency", S.PROCESSING, None, {"handler", "leader"}),
    ("return_from_co_agency", S.PROCESSING, "with_health", {"handler", "leader", "other_agency"}),
    ("submit_for_approval", S.PROCESSING, None, {"handler"}),
    ("approve", S.PROCESSING, "awaiting_approval", {"leader"}),
    ("return_for_rework", S.PROCESSING, "awaiting_approval", {"leader"}),
]
ROLES = ["receiver", "handler", "leader", "agency_admin", "other_agency", "citizen"]


@pytest.mark.parametrize(("action", "status", "state", "allowed"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_every_action_on_the_screen(world, action, status, state, allowed, role):
    dossier = dossier_in(world, status)
    if state == "with_health":
        lifecycle.send_to_co_agency(dossier, lifecycle.Actor.staff(world["users"]["leader"]), world["health"])
    elif state == "awaiting_approval":
        lifecycle.submit_for_approval(dossier, lifecycle.Actor.staff(world["users"]["handler"]))
    before = dossier.events.exclude(action="issue_document").count()
    if role == "citizen":
        client = Client()
        client.force_login(world["citizen"])
    else:
        client = staff_client(world["users"][role])

    page = client.get(screen_url(dossier))
    response = client.post(act_url(dossier), {"action": action, **payload(action, world)})

    if role == "citizen":  # no admin access at all: sent to the admin's sign-in
        assert page.status_code == 302 and response.status_code == 302
        assert "/admin/login/" in response["Location"]
    elif role in allowed:
        assert page.status_code == 200
        assert f'name="action" value="{action}"' in page.content.decode()
        assert response.status_code == 302, response.content.decode()[:2000]
        assert dossier.events.exclude(action="issue_document").count() == before + 1  # and the step's document, if any
        assert dossier.events.exclude(action="issue_document").order_by("-pk").first().action == action
    elif role in ("agency_admin",) or (role == "other_agency" and state != "with_health"):
        # Nothing of a dossier they may not see: 404, as if it did not exist.
        assert page.status_code == 404 and response.status_code == 404
    else:
        assert page.status_code == 200
        assert f'name="action" value="{action}"' not in page.content.decode()
        assert response.status_code == 403
        assert "not allowed" in response.content.decode() or "không được phép" in response.content.decode()
    if role not in allowed:
        assert dossier.events.exclude(action="issue_document").count() == before
        assert Dossier.objects.get(pk=dossier.pk).status == status


def test_the_screen_shows_data_with_the_form_labels_files_history_and_time_left(world):
    dossier = submit(world["procedure"], world["citizen"],
                     form_data={"purpose": {"label": "Mục đích yêu cầu", "value": "Xin việc"}})
    store(check_file(upload("giay-khai-sinh.pdf", pdf_bytes()), UploadRules.default()), dossier=dossier)
    leader = lifecycle.Actor.staff(world["users"]["leader"])
    lifecycle.receive(dossier, leader)
    page = staff_client(world["users"]["receiver"]).get(screen_url(dossier))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Mục đích yêu cầu" in html and "Xin việc" in html
    assert "giay-khai-sinh.pdf" in html
    attachment = dossier.attachments.get()
    assert preview_url(dossier, attachment) in html
    assert reverse("dossier_attachment", args=[attachment.public_id]) in html
    assert dossier.appointment_at.strftime("%d/%m/%Y") in html or timezone.localtime(
        dossier.appointment_at).strftime("%d/%m/%Y") in html
    assert "Time left" in html or "Thời gian còn lại" in html


def test_time_left_stands_still_while_a_supplement_is_awaited(world):
    from backoffice.views.dossier import time_left

    dossier = dossier_in(world, S.NEEDS_SUPPLEMENT)
    first = time_left(dossier)
    later = time_left(dossier, now=timezone.now() + dt.timedelta(days=3))
    assert first["paused"] and first["amount"] == later["amount"] == dossier.supplement_remaining
    lifecycle.start_processing  # noqa: B018 - documentation: the answer moves the appointment (lifecycle)
    running = dossier_in(world, S.PROCESSING)
    assert time_left(running)["amount"] > time_left(running, now=timezone.now() + dt.timedelta(days=3))["amount"]


def test_a_refused_action_shows_why_in_the_error_summary(world):
    dossier = dossier_in(world, S.SUBMITTED)
    client = staff_client(world["users"]["receiver"])
    response = client.post(act_url(dossier), {"action": "reject", "reject-reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html and 'href="#id_reject-reason"' in html
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUBMITTED


def test_a_second_staff_on_a_stale_page_is_told_who_changed_the_dossier(world):
    """On any database: the page was shown, someone else acted, then this
    form arrives: the lifecycle refuses and the screen says who and when."""
    dossier = dossier_in(world, S.SUBMITTED)
    receiver = staff_client(world["users"]["receiver"])
    page = receiver.get(screen_url(dossier))
    seen = page.context["forms"][0]["form"].initial["seen"]
    lifecycle.reject(dossier, lifecycle.Actor.staff(world["users"]["leader"]), "Không thuộc thẩm quyền")
    response = receiver.post(act_url(dossier), {"action": "receive", "receive-seen": seen})
    assert response.status_code == 409
    html = response.content.decode()
    assert dossier.code in html
    assert "screen-leader" in html  # who changed it
    assert Dossier.objects.get(pk=dossier.pk).status == S.REJECTED


# ---------------------------------------------------------------- agency A reaches nothing of agency B


def test_staff_of_another_agency_reach_nothing_screen_preview_download(world):
    dossier = submit(world["procedure"], world["citizen"])
    attachment = store(check_file(upload("a.pdf", pdf_bytes()), UploadRules.default()), dossier=dossier)
    outsider = staff_client(world["users"]["other_agency"])
    assert outsider.get(screen_url(dossier)).status_code == 404
    assert outsider.get(preview_url(dossier, attachment)).status_code == 404
    assert outsider.get(reverse("dossier_attachment", args=[attachment.public_id])).status_code == 404
    assert outsider.post(act_url(dossier), {"action": "receive"}).status_code == 404
    # Their own dossier's pk with this file's id: still 404.
    theirs = submit(make_procedure("2.000001", agency=world["health"]), world["citizen"])
    assert outsider.get(preview_url(theirs, attachment)).status_code == 404
    assert not ModelLogEntry.objects.filter(action="backoffice.attachment_preview").exists()


def test_the_inline_preview_is_inline_sandboxed_and_audited(world, settings):
    dossier = submit(world["procedure"], world["citizen"])
    pdf = store(check_file(upload("don.pdf", pdf_bytes()), UploadRules.default()), dossier=dossier)
    png = store(check_file(upload("anh.png", image_bytes()), UploadRules.default()), dossier=dossier)
    client = staff_client(world["users"]["receiver"])
    for attachment in (pdf, png):
        response = client.get(preview_url(dossier, attachment))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert b"".join(response.streaming_content)[:4] in (b"%PDF", b"\x89PNG")
    entries = ModelLogEntry.objects.filter(action="backoffice.attachment_preview")
    assert entries.count() == 2 and {e.user_id for e in entries} == {world["users"]["receiver"].pk}
    # Scanning on and the file not known clean: refused.
    settings.PORTAL_CLAMAV_SOCKET = "/nonexistent/clamd.sock"
    assert client.get(preview_url(dossier, pdf)).status_code == 403


# ---------------------------------------------------------------- internal steps and co-handling


def test_the_co_handling_agency_sees_the_dossier_only_while_it_is_with_them(world):
    dossier = dossier_in(world, S.PROCESSING)
    attachment = store(check_file(upload("a.pdf", pdf_bytes()), UploadRules.default()), dossier=dossier)
    health = staff_client(world["users"]["other_agency"])
    assert health.get(screen_url(dossier)).status_code == 404
    handler = staff_client(world["users"]["handler"])
    response = handler.post(act_url(dossier), {"action": "send_to_co_agency",
                                               "send_to_co_agency-co_agency": world["health"].pk})
    assert response.status_code == 302
    assert health.get(screen_url(dossier)).status_code == 200
    assert health.get(preview_url(dossier, attachment)).status_code == 200
    assert health.get(reverse("dossier_attachment", args=[attachment.public_id])).status_code == 200
    assert handler.get(screen_url(dossier)).status_code == 200  # the receiving agency still sees it
    response = health.post(act_url(dossier), {"action": "return_from_co_agency",
                                              "return_from_co_agency-note": "Đồng ý"})
    assert response.status_code == 302
    assert health.get(screen_url(dossier)).status_code == 404
    assert health.get(reverse("dossier_attachment", args=[attachment.public_id])).status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING


def test_internal_steps_never_reach_the_applicants_history_or_the_lookup(world):
    from eforms.lookup import public_view

    dossier = dossier_in(world, S.PROCESSING)
    leader = lifecycle.Actor.staff(world["users"]["leader"])
    handler = lifecycle.Actor.staff(world["users"]["handler"])
    lifecycle.forward(dossier, leader, world["users"]["handler"], note="GHI-CHU-NOI-BO-1")
    lifecycle.send_to_co_agency(dossier, handler, world["health"], note="GHI-CHU-NOI-BO-2")
    lifecycle.return_from_co_agency(dossier, handler, note="GHI-CHU-NOI-BO-3")
    lifecycle.submit_for_approval(dossier, handler, note="GHI-CHU-NOI-BO-4")
    lifecycle.return_for_rework(dossier, leader, "GHI-CHU-NOI-BO-5")
    lifecycle.submit_for_approval(dossier, handler)
    lifecycle.approve(dossier, leader, note="GHI-CHU-NOI-BO-6")
    assert dossier.events.filter(action__in=lifecycle.INTERNAL_ACTIONS).count() == 7

    applicant = Client()
    applicant.force_login(world["citizen"])
    html = applicant.get(reverse("my_dossier", args=[dossier.code])).content.decode()
    assert "GHI-CHU-NOI-BO" not in html and "Sở Y tế" not in html
    history = html.split('id="history-title"')[1].split("</ol>")[0]
    assert history.count("<li>") == 3  # submitted, received, processing
    public = public_view(dossier)
    assert [step.status for step in public.history] == [
        str(S.SUBMITTED.label), str(S.RECEIVED.label), str(S.PROCESSING.label)]
    # Staff see them all on the screen.
    staff_html = staff_client(world["users"]["leader"]).get(screen_url(dossier)).content.decode()
    for n in range(1, 7):
        assert f"GHI-CHU-NOI-BO-{n}" in staff_html


# ---------------------------------------------------------------- results and handover


def test_result_files_a_bad_one_refused_the_rest_kept_then_complete_and_the_applicant_downloads(world):
    dossier = dossier_in(world, S.PROCESSING, result_delivery="online")
    handler = staff_client(world["users"]["handler"])
    response = handler.post(act_url(dossier), {
        "action": "complete", "complete-result": "Phiếu lý lịch tư pháp số 12",
        "complete-files": [upload("phieu-ket-qua.pdf", pdf_bytes("Ket qua")), upload("virus.pdf", exe_bytes())],
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "virus.pdf" in html and "error-summary" in html
    assert "Phiếu lý lịch tư pháp số 12" in html  # the text typed is kept
    pending = Attachment.objects.get(dossier=dossier, role="result")
    assert pending.event_id is None and pending.original_name == "phieu-ket-qua.pdf"
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING

    # Not issued yet: the applicant can neither see nor download it.
    applicant = Client()
    applicant.force_login(world["citizen"])
    download = reverse("dossier_attachment", args=[pending.public_id])
    assert applicant.get(download).status_code == 404

    response = handler.post(act_url(dossier), {
        "action": "complete", "complete-result": "Phiếu lý lịch tư pháp số 12", "complete-keep": [pending.pk],
    })
    assert response.status_code == 302
    dossier.refresh_from_db()
    pending.refresh_from_db()
    assert dossier.status == S.COMPLETED
    assert pending.event.action == "complete"

    page = applicant.get(reverse("my_dossier", args=[dossier.code])).content.decode()
    result_section = page.split('id="result-title"')[1]
    assert "phieu-ket-qua.pdf" in result_section and download in result_section
    response = applicant.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_results_are_not_offered_online_when_delivered_at_the_office(world):
    dossier = dossier_in(world, S.PROCESSING, result_delivery="office")
    handler = staff_client(world["users"]["handler"])
    handler.post(act_url(dossier), {"action": "complete", "complete-result": "Kết quả",
                                    "complete-files": [upload("ket-qua.pdf", pdf_bytes())]})
    result = Attachment.objects.get(dossier=dossier, role="result")
    assert result.event is not None
    applicant = Client()
    applicant.force_login(world["citizen"])
    assert applicant.get(reverse("dossier_attachment", args=[result.public_id])).status_code == 404
    assert "ket-qua.pdf" not in applicant.get(reverse("my_dossier", args=[dossier.code])).content.decode()


def test_return_by_post_records_courier_and_tracking_shown_to_the_applicant(world):
    dossier = dossier_in(world, S.COMPLETED, result_delivery="post")
    receiver = staff_client(world["users"]["receiver"])
    response = receiver.post(act_url(dossier), {"action": "return_result", "return_result-handover_method": "post"})
    assert response.status_code == 400  # courier and tracking number are needed
    assert Dossier.objects.get(pk=dossier.pk).status == S.COMPLETED
    response = receiver.post(act_url(dossier), {
        "action": "return_result", "return_result-handover_method": "post",
        "return_result-courier": "Bưu điện Việt Nam (VNPost)", "return_result-tracking_number": "EB123456789VN",
    })
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.handover_method, dossier.courier, dossier.tracking_number) == (
        S.RETURNED, "post", "Bưu điện Việt Nam (VNPost)", "EB123456789VN")
    applicant = Client()
    applicant.force_login(world["citizen"])
    html = applicant.get(reverse("my_dossier", args=[dossier.code])).content.decode()
    assert "Bưu điện Việt Nam (VNPost)" in html and "EB123456789VN" in html


# ---------------------------------------------------------------- two staff at once, on PostgreSQL


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_staff_acting_at_once_on_the_screen_one_wins_the_other_is_told(request):
    from tests.databases import restore_staff_groups
    from tests.eforms.test_races import join, run_together, waiting_for_a_lock

    restore_staff_groups()  # an earlier transactional test may have flushed them
    world = request.getfixturevalue("world")
    dossier = submit(world["procedure"], world["citizen"])
    receiver = staff_client(world["users"]["receiver"])
    leader = staff_client(world["users"]["leader"])
    seen = DossierEvent.objects.filter(dossier=dossier).latest("pk").pk

    with transaction.atomic():
        Dossier.objects.select_for_update().get(pk=dossier.pk)
        threads, results, errors = run_together(
            lambda: receiver.post(act_url(dossier), {"action": "receive", "receive-seen": seen}),
            lambda: leader.post(act_url(dossier), {"action": "reject", "reject-seen": seen,
                                                   "reject-reason": "Không thuộc thẩm quyền"}),
        )
        deadline = time.monotonic() + 10
        while waiting_for_a_lock() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    join(threads)

    assert errors == [None, None]
    codes = sorted(r.status_code for r in results)
    assert codes == [302, 409], (codes, list(DossierEvent.objects.filter(dossier=dossier).values_list("action", "from_status", "to_status")))
    loser = next(r for r in results if r.status_code == 409)
    html = loser.content.decode()
    winner = DossierEvent.objects.filter(dossier=dossier).exclude(action="issue_document").latest("pk")
    assert winner.action in ("receive", "reject")
    assert winner.actor_label in html  # "changed by X at T"
    assert timezone.localtime(winner.created_at).strftime("%H:%M %d/%m/%Y") in html
    assert DossierEvent.objects.filter(dossier=dossier).exclude(action__in=("submit", "issue_document")).count() == 1


def test_the_screen_lists_issued_documents_and_extends_with_form_04(world):
    """Receiving issues form 01, listed on the screen; a handler who cannot
    finish on time extends from the screen, which issues form 04."""
    dossier = dossier_in(world, S.PROCESSING)
    handler = staff_client(world["users"]["handler"])
    page = handler.get(screen_url(dossier)).content.decode()
    assert dossier.documents.get(kind=DocumentKind.RECEIPT).number in page  # form 01, issued on receipt
    assert 'name="action" value="extend"' in page
    later = (timezone.localtime(dossier.appointment_at) + dt.timedelta(days=10)).date().isoformat()
    refused = handler.post(act_url(dossier), {"action": "extend", "extend-appointment": later})
    assert refused.status_code == 400  # the reason is required
    response = handler.post(act_url(dossier), {"action": "extend", "extend-reason": "Cần xác minh thêm",
                                               "extend-appointment": later})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert timezone.localtime(dossier.appointment_at).date().isoformat() == later
    assert dossier.documents.filter(kind=DocumentKind.EXTENSION).exists()
    page = handler.get(screen_url(dossier)).content.decode()
    assert dossier.documents.get(kind=DocumentKind.EXTENSION).number in page
