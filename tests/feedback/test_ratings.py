"""Ratings: once, only by the applicant, only once the result is handed
over; the section on My dossiers; the admin's scoped list; and
`satisfaction()` against figures counted by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from eforms.models import Dossier, DossierStatus
from feedback import ratings as services
from feedback.models import Rating
from tests.dossier_factories import submit
from tests.feedback.complaint_world import world
from tests.second_factor import pass_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def returned(dossier):
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RETURNED, returned_at=timezone.now())
    dossier.refresh_from_db()
    return dossier


def at_agency(dossier, agency):
    """The same dossier as if another agency had received it."""
    Dossier.objects.filter(pk=dossier.pk).update(agency=agency)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def w():
    w = world()
    returned(w["dossier"])
    return w


SCORES = {"timeliness": "5", "attitude": "4", "ease": "3", "comment": "Nhanh gọn."}


def test_the_applicant_rates_once_from_my_dossiers(client, w):
    client.force_login(w["citizen"])
    code = w["dossier"].code
    page = client.get(reverse("my_dossier", args=[code])).content.decode()
    rate_url = reverse("dossier_rating", args=[code])
    assert rate_url in page
    assert client.get(rate_url).status_code == 200
    response = client.post(rate_url, SCORES)
    assert response.status_code == 302 and response["Location"] == reverse("my_dossier", args=[code])
    rating = Rating.objects.get()
    assert (rating.timeliness, rating.attitude, rating.ease, rating.comment) == (5, 4, 3, "Nhanh gọn.")
    assert rating.agency == w["dossier"].agency and rating.applicant == w["citizen"]
    # the section now shows the rating, with no link to rate again
    page = client.get(reverse("my_dossier", args=[code])).content.decode()
    assert rate_url not in page
    # a second rating is refused with a clear message
    with translation.override("en"):
        english_url = reverse("dossier_rating", args=[code])
    response = client.post(english_url, {**SCORES, "timeliness": "1"}, follow=True)
    assert "already rated this dossier" in response.content.decode()
    assert Rating.objects.get().timeliness == 5


def test_the_service_refuses_a_second_rating(w):
    services.rate(w["dossier"], w["citizen"], timeliness=5, attitude=5, ease=5)
    with pytest.raises(services.RatingRefused):
        services.rate(w["dossier"], w["citizen"], timeliness=1, attitude=1, ease=1)
    assert Rating.objects.count() == 1


def test_nobody_else_can_rate(client, w):
    rate_url = reverse("dossier_rating", args=[w["dossier"].code])
    assert client.post(rate_url, SCORES).status_code == 302  # to the sign-in page
    client.force_login(w["other_citizen"])
    assert client.get(rate_url).status_code == 404
    assert client.post(rate_url, SCORES).status_code == 404
    client.force_login(w["staff"])
    assert client.post(rate_url, SCORES).status_code == 404
    with pytest.raises(services.RatingRefused):
        services.rate(w["dossier"], w["other_citizen"], timeliness=5, attitude=5, ease=5)
    assert Rating.objects.count() == 0


def test_not_before_the_result_is_handed_over(client, w):
    pending = submit(w["procedure"], w["citizen"])
    client.force_login(w["citizen"])
    assert reverse("dossier_rating", args=[pending.code]) not in client.get(
        reverse("my_dossier", args=[pending.code])).content.decode()
    response = client.post(reverse("dossier_rating", args=[pending.code]), SCORES)
    assert response.status_code == 302 and Rating.objects.count() == 0


def test_bad_input_is_answered_and_kept(client, w):
    client.force_login(w["citizen"])
    with translation.override("en"):
        response = client.post(reverse("dossier_rating", args=[w["dossier"].code]),
                               {"timeliness": "9", "attitude": "", "ease": "3", "comment": "Giữ lại"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"timeliness", "attitude"}
    assert "Giữ lại" in response.content.decode()
    assert Rating.objects.count() == 0


def _rating(w, dossier, scores, at):
    rating = services.rate(returned(dossier), w["citizen"], timeliness=scores[0], attitude=scores[1],
                           ease=scores[2])
    Rating.objects.filter(pk=rating.pk).update(created_at=at)
    return rating


def test_satisfaction_by_hand(w):
    tz = timezone.get_current_timezone()
    day = dt.datetime(2026, 3, 10, 10, 0, tzinfo=tz)
    other = at_agency(submit(w["procedure"], w["citizen"]), w["other_agency"])
    _rating(w, w["dossier"], (5, 5, 4), day)                         # sum 14: satisfied
    _rating(w, submit(w["procedure"], w["citizen"]), (4, 4, 3), day)  # sum 11: not
    _rating(w, submit(w["procedure"], w["citizen"]), (2, 1, 5), day + dt.timedelta(days=1))  # 8: not
    _rating(w, other, (5, 4, 4), day)                                 # other agency, 13: satisfied
    _rating(w, submit(w["procedure"], w["citizen"]), (5, 5, 5), day + dt.timedelta(days=40))  # outside

    figures = services.satisfaction(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert figures["rated"] == 4
    assert figures["satisfied"] == 2
    assert figures["share_satisfied"] == Decimal("50.0")
    assert figures["questions"]["timeliness"]["counts"] == {1: 0, 2: 1, 3: 0, 4: 1, 5: 2}
    assert figures["questions"]["attitude"]["counts"] == {1: 1, 2: 0, 3: 0, 4: 2, 5: 1}
    assert figures["questions"]["ease"]["counts"] == {1: 0, 2: 0, 3: 1, 4: 2, 5: 1}
    assert figures["questions"]["timeliness"]["satisfied"] == 3
    assert figures["questions"]["timeliness"]["share_satisfied"] == Decimal("75.0")
    assert figures["questions"]["ease"]["share_satisfied"] == Decimal("75.0")

    # one agency, by any locale copy's id
    english_copy = w["agency"].get_translations().first()
    for agency_id in (w["agency"].pk, english_copy.pk):
        mine = services.satisfaction(dt.date(2026, 3, 1), dt.date(2026, 3, 31), agency_ids=[agency_id])
        assert mine["rated"] == 3 and mine["satisfied"] == 1
        assert mine["share_satisfied"] == Decimal("33.3")
    # both ends included: 11 March alone
    assert services.satisfaction(dt.date(2026, 3, 11), dt.date(2026, 3, 11))["rated"] == 1
    empty = services.satisfaction(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert empty["rated"] == 0 and empty["share_satisfied"] is None


def test_the_admin_list_is_scoped(client, w):
    mine = services.rate(w["dossier"], w["citizen"], timeliness=5, attitude=5, ease=5, comment="Của sở")
    theirs = services.rate(returned(at_agency(submit(w["procedure"], w["citizen"]), w["other_agency"])), w["citizen"],
                           timeliness=1, attitude=1, ease=1, comment="Của phường")
    pass_second_factor(client, w["staff"])
    html = client.get(reverse("ratings_admin:index")).content.decode()
    assert mine.dossier.code in html and theirs.dossier.code not in html
    csv_body = client.get(reverse("ratings_admin:export")).content.decode("utf-8-sig")
    assert "Của sở" in csv_body and "Của phường" not in csv_body
    assert list(services.visible_ratings(w["other_staff"])) == [theirs]
    pass_second_factor(client, w["citizen"])
    response = client.get(reverse("ratings_admin:index"))
    assert response.status_code == 302
