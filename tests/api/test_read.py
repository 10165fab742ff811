"""One dossier through the API: the answers labelled by the e-form version
it was made with (in the request's language), the applicant, files and
documents with links, and the whole history with the internal steps."""

from __future__ import annotations

from tests.dossier_factories import submit
from tests.eform_factories import make_eform


def test_answers_carry_the_form_versions_labels(world):
    a = world["a"]
    eform = make_eform(world["procedure_a"])
    version = eform.current_version()
    dossier = submit(world["procedure_a"], world["citizen"], form_version=version.reference(),
                     form_data={"answers": {"muc_dich_yeu_cau": "Du học", "noi_dung_chi_tiet": "Cần trước tháng 9"}})
    vietnamese = a.get(f"/api/v1/dossiers/{dossier.code}").json()
    assert {"label": "Mục đích yêu cầu", "value": "Du học"} in vietnamese["form"]
    assert {"label": "Nội dung chi tiết", "value": "Cần trước tháng 9"} in vietnamese["form"]
    assert vietnamese["form_data"]["answers"]["muc_dich_yeu_cau"] == "Du học"
    english = a.get(f"/api/v1/dossiers/{dossier.code}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {"label": "Details", "value": "Cần trước tháng 9"} in english["form"]
    # the form's labels change later: the dossier keeps the version it was made with
    field = eform.form_fields.get(clean_name="noi_dung_chi_tiet")
    field.label = "Ghi chú thêm"
    eform.form_fields = list(eform.form_fields.all())
    eform.save_revision().publish()
    again = a.get(f"/api/v1/dossiers/{dossier.code}").json()
    assert {"label": "Nội dung chi tiết", "value": "Cần trước tháng 9"} in again["form"]


def test_the_whole_dossier(world):
    a, dossier, handler = world["a"], world["dossier_a"], world["handler"]
    a.post(f"/api/v1/dossiers/{dossier.code}/actions/receive", {})
    a.post(f"/api/v1/dossiers/{dossier.code}/actions/forward", {"assignee": handler.username, "note": "Giao chị Lan"})
    body = a.get(f"/api/v1/dossiers/{dossier.code}").json()
    assert body["status"] == "received" and body["handler"] == "Lan Trần"
    assert body["applicant"]["id_number"] == "001099012345"  # the agency's software needs it whole
    assert body["applicant"]["date_of_birth"] == "1990-05-17"
    assert [f["field_name"] for f in body["files"]] == ["ban_sao_cccd"]
    assert body["files"][0]["download_url"].startswith("http://testserver/api/v1/files/")
    assert [d["form"] for d in body["documents"]] == ["01"]
    actions = [(e["action"], e["internal"]) for e in body["history"]]
    assert ("submit", False) in actions and ("receive", False) in actions and ("forward", True) in actions
    forward = next(e for e in body["history"] if e["action"] == "forward")
    assert forward["note"] == "Giao chị Lan" and forward["actor_kind"] == "api"
    assert "start_processing" in body["allowed_actions"] and "receive" not in body["allowed_actions"]


def test_staff_see_the_acknowledgement_on_the_dossier_screen(world):
    from django.test import Client

    from tests.dossier_factories import make_staff
    from tests.second_factor import pass_second_factor

    a, dossier = world["a"], world["dossier_a"]
    staff = pass_second_factor(Client(), make_staff("tiepnhan.ack", world["agency_a"], "receiver"))
    screen = staff.get(f"/admin/backoffice/dossiers/{dossier.pk}/")
    assert screen.status_code == 200
    assert "MC-2026-7" not in screen.content.decode()
    a.post(f"/api/v1/dossiers/{dossier.code}/acknowledge", {"reference": "MC-2026-7"})
    html = staff.get(f"/admin/backoffice/dossiers/{dossier.pk}/").content.decode()
    assert "MC-2026-7" in html and "Một cửa Sở Tư pháp" in html
