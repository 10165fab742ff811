"""Staff handle the feedback of their own agency in the admin, on every
view (list, screen, steps, export); editors route the unassigned ones and
publish."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from feedback import complaints as services
from feedback.models import ComplaintStatus
from tests.dossier_factories import make_staff
from tests.feedback.complaint_world import complaint, world
from tests.second_factor import pass_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def refused(response) -> bool:
    """403, or the admin's answer to a missing permission (back to its home)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home"))


@pytest.fixture
def w():
    w = world()
    w["mine"] = complaint(w, title="Của sở tư pháp")
    w["theirs"] = complaint(w, agency=w["other_agency"], title="Của phường")
    w["unrouted"] = services.submit(subject="agency", title="Chưa giao", body="b", name="N", email="n@example.vn")
    return w


def test_the_list_holds_only_my_agency(client, w):
    pass_second_factor(client, w["staff"])
    response = client.get(reverse("complaints_admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert w["mine"].tracking_code in html
    assert w["theirs"].tracking_code not in html and w["unrouted"].tracking_code not in html


def test_another_agencys_screen_and_steps_are_404(client, w):
    pass_second_factor(client, w["staff"])
    url = reverse("complaints_admin:detail", args=[w["theirs"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"form": "step", "action": "start"}).status_code == 404
    w["theirs"].refresh_from_db()
    assert w["theirs"].status == ComplaintStatus.RECEIVED


def test_the_export_holds_only_my_agency(client, w):
    pass_second_factor(client, w["staff"])
    response = client.get(reverse("complaints_admin:export"))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert w["mine"].tracking_code in body
    assert w["theirs"].tracking_code not in body and w["unrouted"].tracking_code not in body
    assert "an@example.vn" not in body  # no contact details in the export


def test_staff_take_the_steps_on_the_screen(client, w):
    pass_second_factor(client, w["staff"])
    url = reverse("complaints_admin:detail", args=[w["mine"].pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"form": "step", "action": "start"}).status_code == 302
    # out of order: answered → close is fine, but answering again is not
    response = client.post(url, {"form": "step", "action": "answer", "answer": ""})
    assert response.status_code == 400  # no answer text: refused, the form comes back
    assert client.post(url, {"form": "step", "action": "answer", "answer": "Đã xử lý."}).status_code == 302
    response = client.post(url, {"form": "step", "action": "start"})
    assert response.status_code == 400
    w["mine"].refresh_from_db()
    assert w["mine"].status == ComplaintStatus.ANSWERED and w["mine"].answer == "Đã xử lý."


def test_staff_cannot_route_or_publish(client, w):
    pass_second_factor(client, w["staff"])
    url = reverse("complaints_admin:detail", args=[w["mine"].pk])
    assert refused(client.post(url, {"form": "route", "agency": w["other_agency"].pk}))
    w["mine"].refresh_from_db()
    assert w["mine"].agency == w["agency"]


def test_a_citizen_and_staff_without_agency_see_nothing(client, w):
    client.force_login(w["citizen"])
    assert client.get(reverse("complaints_admin:index")).status_code == 302  # the admin's login
    nobody = make_staff("feedback-nobody", w["agency"])  # no role
    nobody.groups.add(*Group.objects.filter(name="Agency receivers"))  # admin access without a membership
    pass_second_factor(client, nobody)
    for name, args in (("complaints_admin:index", []), ("complaints_admin:export", []),
                       ("complaints_admin:detail", [w["mine"].pk])):
        response = client.get(reverse(name, args=args))
        assert refused(response), name


def test_an_editor_routes_the_unassigned_then_the_agency_sees_it(client, w):
    editor = make_staff("feedback-editor", w["agency"])
    editor.groups.add(Group.objects.get(name="Editors"))
    pass_second_factor(client, editor)
    listing = client.get(reverse("complaints_admin:index") + "?agency=none").content.decode()
    assert w["unrouted"].tracking_code in listing and w["mine"].tracking_code not in listing
    url = reverse("complaints_admin:detail", args=[w["unrouted"].pk])
    # editors route but do not answer for the agency
    assert refused(client.post(url, {"form": "step", "action": "start"}))
    assert client.post(url, {"form": "route", "agency": w["other_agency"].pk}).status_code == 302
    w["unrouted"].refresh_from_db()
    assert w["unrouted"].agency == w["other_agency"]
    assert services.visible_complaints(w["other_staff"]).filter(pk=w["unrouted"].pk).exists()
    assert not services.visible_complaints(w["staff"]).filter(pk=w["unrouted"].pk).exists()


def test_an_editor_publishes_the_public_version(client, w):
    editor = make_staff("feedback-editor", w["agency"])
    editor.groups.add(Group.objects.get(name="Editors"))
    c = w["mine"]
    c.may_publish = True
    c.save()
    services.step(c, "start", w["staff"])
    services.step(c, "answer", w["staff"], answer="Trả lời.")
    pass_second_factor(client, editor)
    url = reverse("complaints_admin:detail", args=[c.pk])
    response = client.post(url, {"form": "publish", "public_title": "", "public_body": "", "public_answer": ""})
    assert response.status_code == 400
    response = client.post(url, {"form": "publish", "public_title": "Chờ lâu ở bộ phận một cửa",
                                 "public_body": "Người dân phản ánh chờ lâu.", "public_answer": "Đã bố trí thêm."})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.is_published and c.published_by == editor


def test_a_leader_sees_the_agencies_below(client, w):
    w["other_agency"].parent = w["agency"]
    w["other_agency"].save()
    leader = make_staff("feedback-leader", w["agency"], "leader")
    seen = set(services.visible_complaints(leader).values_list("pk", flat=True))
    assert seen == {w["mine"].pk, w["theirs"].pk}
    assert services.may_handle(leader, w["theirs"])


def test_the_export_neutralises_formulas(client, w):
    complaint(w, title="=HYPERLINK(\"http://evil\")")
    pass_second_factor(client, w["staff"])
    body = client.get(reverse("complaints_admin:export")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
