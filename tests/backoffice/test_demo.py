"""`manage.py load_demo` (what `make run` starts with) leaves dossiers in
every status, made through the services and the lifecycle, with their
history, Circular 03/2025 documents and messages (email and SMS), and
dossiers on which each demo staff member's actions are open. A second run
adds nothing."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from backoffice.scope import visible_dossiers
from eforms.lifecycle import Actor, allowed_actions
from eforms.models import Channel, DocumentKind, Dossier, DossierEvent, DossierStatus, DueState, IssuedDocument
from notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def load_demo(home_page, django_capture_on_commit_callbacks):
    """`load_demo` as `make run` runs it; the messages are made once each
    transaction commits, as outside a test."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("load_demo", force=True, stdout=io.StringIO())

    return run


def _counts():
    return (Dossier.objects.count(), DossierEvent.objects.count(), IssuedDocument.objects.count(),
            Message.objects.count(), len(mail.outbox))


def _actions(user, dossier) -> set[str]:
    return {t.name for t in allowed_actions(dossier, Actor.staff(user))}


def test_demo_leaves_every_status_with_history_documents_and_messages_once(load_demo):
    load_demo()
    dossiers = Dossier.objects.exclude(status=DossierStatus.DRAFT)
    assert set(dossiers.values_list("status", flat=True)) == set(DossierStatus.values) - {DossierStatus.DRAFT}
    for dossier in dossiers:
        assert dossier.events.filter(action="submit").exists(), dossier.idempotency_key

    supplement = dossiers.get(status=DossierStatus.NEEDS_SUPPLEMENT)
    assert supplement.supplement_items and supplement.supplement_deadline
    completed = dossiers.get(status=DossierStatus.COMPLETED)
    assert completed.attachments.filter(role="result").exists()
    by_post = dossiers.get(status=DossierStatus.RETURNED, handover_method="post")
    assert by_post.courier and by_post.tracking_number
    assert dossiers.filter(status=DossierStatus.RETURNED, handover_method="desk").exists()
    assert dossiers.filter(original_appointment_at__isnull=False).exists()  # extended, with form 04
    assert dossiers.filter(co_handling_agency__isnull=False).exists()
    assert dossiers.filter(approval_requested_at__isnull=False).exists()
    assert dossiers.filter(due_state=DueState.OVERDUE, appointment_at__isnull=False).exists()
    assert {Channel.DESK, Channel.POST} <= set(dossiers.values_list("channel", flat=True))

    assert set(IssuedDocument.objects.values_list("kind", flat=True)) >= {
        DocumentKind.RECEIPT, DocumentKind.SUPPLEMENT, DocumentKind.REFUSAL, DocumentKind.EXTENSION,
        DocumentKind.STOP, DocumentKind.CONTROL}
    citizen = User.objects.get(email="citizen@example.com")
    online = dossiers.filter(applicant=citizen).first()
    assert online.applicant_snapshot["sms_consent"] is True and online.applicant_snapshot["phone"]
    assert Message.objects.filter(channel="sms", dossier__applicant=citizen).exists()
    assert Message.objects.filter(channel="email").exists()
    # Only the demo's reserved example.com addresses are ever written to.
    assert all(r.endswith("@example.com") for r in Message.objects.filter(channel="email").values_list(
        "recipient", flat=True))
    assert all(a.endswith("@example.com") for m in mail.outbox for a in m.to)

    before = _counts()
    load_demo()
    assert _counts() == before


def test_each_demo_staff_member_has_dossiers_to_act_on(load_demo):
    load_demo()
    receiver = User.objects.get(email="tiepnhan.bmt@example.com")
    submitted = visible_dossiers(receiver).filter(status=DossierStatus.SUBMITTED).first()
    assert submitted is not None
    assert "receive" in _actions(receiver, submitted)

    hcc_receiver = User.objects.get(email="tiepnhan.hcc@example.com")
    assert any("receive" in _actions(hcc_receiver, d)
               for d in visible_dossiers(hcc_receiver).filter(status=DossierStatus.SUBMITTED))

    handler = User.objects.get(email="xuly.bmt@example.com")
    mine = visible_dossiers(handler).filter(status=DossierStatus.PROCESSING, assigned_to=handler)
    assert any("complete" in _actions(handler, d) for d in mine)

    leader = User.objects.get(email="lanhdao.bmt@example.com")
    awaiting = visible_dossiers(leader).get(approval_requested_at__isnull=False)
    assert "approve" in _actions(leader, awaiting)

    co_handler = User.objects.get(email="xuly.hcc@example.com")
    sent = visible_dossiers(co_handler).get(co_handling_agency__isnull=False)
    assert "return_from_co_agency" in _actions(co_handler, sent)
