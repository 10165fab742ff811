"""Supplement requests: items and a deadline (by default on the working-day
calendar), the applicant's per-item answer, what changed for the handler,
and the deadline flag."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from eforms import lifecycle
from eforms.drafts import Application
from eforms.forms import ApplicantForm
from eforms.models import Dossier, DossierStatus
from eforms.services import overdue_supplements, supplement_changes, supplement_field
from notifications.delivery import create_messages
from notifications.rendering import event_values
from procedures.models import CalendarDay
from tests.dossier_factories import (
    JUSTICE_CODE,
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    pdf_bytes,
    submit,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]
ICT = ZoneInfo("Asia/Ho_Chi_Minh")
ASKED = dt.datetime(2026, 4, 23, 10, 0, tzinfo=ICT)  # a Thursday
ITEMS = ["Bản sao căn cước", "Tờ khai ghi sai ngày sinh"]


@pytest.fixture
def world(settings, tmp_path):
    settings.PORTAL_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.PORTAL_SUPPLEMENT_DAYS = 3
    # Monday 27 April is a day off on this calendar.
    CalendarDay.objects.create(date=dt.date(2026, 4, 27), kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ bù")
    citizen = make_citizen("supp-an")
    handler = make_staff("supp-handler", make_agency(JUSTICE_CODE, "Sở Tư pháp"), "receiver", "handler")
    dossier = submit(make_procedure(), citizen, now=ASKED - dt.timedelta(days=1))
    actor = lifecycle.Actor.staff(handler)
    lifecycle.receive(dossier, actor, now=ASKED - dt.timedelta(hours=20))
    lifecycle.start_processing(dossier, actor, now=ASKED - dt.timedelta(hours=19))
    return {"citizen": citizen, "handler": handler, "actor": actor, "dossier": dossier}


def asked(world) -> Dossier:
    lifecycle.request_supplement(world["dossier"], world["actor"], ITEMS, now=ASKED)
    return world["dossier"]


def test_a_request_needs_items_and_gets_a_deadline_on_the_calendar(world):
    for items in ([], [" "], None):
        with pytest.raises(lifecycle.RequirementMissing) as error:
            lifecycle.request_supplement(world["dossier"], world["actor"], items, now=ASKED)
        assert "items" in error.value.errors
    dossier = asked(world)
    dossier.refresh_from_db()
    # Fri 24, (Mon 27 off), Tue 28, Wed 29: three working days.
    assert dossier.supplement_deadline == dt.date(2026, 4, 29)
    assert dossier.supplement_items == ITEMS
    event = dossier.events.get(action="request_supplement")
    assert event.data == {"items": ITEMS, "deadline": "2026-04-29"}
    # The applicant's message can list the items and the deadline.
    values = event_values(dossier, event, "vi", "https://example.vn")
    assert values["items"] == "; ".join(ITEMS) and values["deadline"] == "29/04/2026"


def test_the_applicant_sees_the_items_and_answers_per_item(client, world):
    dossier = asked(world)
    client.force_login(world["citizen"])
    page = client.get(reverse("my_dossier", args=[dossier.code])).content.decode()
    for text in (*ITEMS, "29/04/2026", f'name="{supplement_field(0)}"', f'name="{supplement_field(1)}"'):
        assert text in page, text
    response = client.post(reverse("my_dossier_supplement", args=[dossier.code]), {
        supplement_field(0): [upload("cccd.pdf", pdf_bytes("CCCD"))],
        "files": [upload("ghi-chu.pdf", pdf_bytes("Khac"))],
        "note": "Ngày sinh đúng là 02/04/1999",
    })
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING

    changes = supplement_changes(dossier)
    assert [(c.item, [f.original_name for f in c.files], c.answers) for c in changes] == [
        (ITEMS[0], ["cccd.pdf"], []),
        (ITEMS[1], [], []),
        ("", ["ghi-chu.pdf"], ["Ngày sinh đúng là 02/04/1999"]),
    ]
    html = render_to_string("backoffice/includes/supplement_changes.html", {"supplement_changes": changes})
    assert "cccd.pdf" in html and ITEMS[1] in html and "02/04/1999" in html
    assert reverse("dossier_attachment", args=[changes[0].files[0].public_id]) in html


def test_nothing_changed_when_nothing_was_requested(world):
    assert supplement_changes(world["dossier"]) == []
    assert render_to_string("backoffice/includes/supplement_changes.html",
                            {"supplement_changes": []}).strip() == ""


def test_an_unanswered_request_is_flagged_after_its_deadline_only(client, world):
    dossier = asked(world)
    # On the deadline day itself (which a calendar without the day off would have passed) nothing is due.
    assert not overdue_supplements(now=dt.datetime(2026, 4, 29, 16, 0, tzinfo=ICT)).exists()
    assert list(overdue_supplements(now=dt.datetime(2026, 4, 30, 8, 0, tzinfo=ICT))) == [dossier]
    call_command("flag_supplement_deadlines", stdout=open("/dev/null", "w"))
    call_command("flag_supplement_deadlines", stdout=open("/dev/null", "w"))  # once only
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEEDS_SUPPLEMENT and dossier.supplement_overdue_at is not None
    event = dossier.events.get(action=lifecycle.SUPPLEMENT_OVERDUE)
    assert (event.from_status, event.to_status, event.actor_kind) == ("needs_supplement", "needs_supplement",
                                                                      "system")
    # Nothing told to the applicant, nothing in their history.
    assert create_messages(event.pk) == []
    client.force_login(world["citizen"])
    assert "29/04/2026" in (page := client.get(reverse("my_dossier", args=[dossier.code])).content.decode())
    assert event.note not in page
    # The answer clears the flag.
    lifecycle.answer_supplement(dossier, lifecycle.Actor.applicant(world["citizen"]), files=[
        _checked()])
    dossier.refresh_from_db()
    assert dossier.supplement_overdue_at is None


def _checked():
    from eforms.file_kinds import UploadRules
    from eforms.uploads import check_file

    return check_file(upload("cccd.pdf", pdf_bytes()), UploadRules.default(), supplement_field(0))


def test_sms_consent_on_the_applicant_step_is_stored_in_the_snapshot():
    citizen = make_citizen("supp-sms")
    data = {"applying_as": "self", "full_name": "Nguyễn Văn An", "date_of_birth": "1999-05-17",
            "id_number": "001099012345", "phone": "0912345678", "address_0": "", "address_1": "",
            "address_2": "12 Lê Duẩn"}
    form = ApplicantForm({**data, "sms_consent": "on"})
    form.is_valid()
    assert form.cleaned_data["sms_consent"] is True
    assert "sms_consent" in form.as_p() or "sms_consent" in str(form["sms_consent"])
    for applicant, expected in (({"phone": "0912345678", "sms_consent": True}, True),
                                ({"phone": "0912345678", "sms_consent": False}, False),
                                ({"phone": "", "sms_consent": True}, False)):
        draft = Dossier(form_data={"applicant": applicant})
        snapshot = Application(draft, version=None, level=3).snapshot(citizen)
        assert snapshot["sms_consent"] is expected
