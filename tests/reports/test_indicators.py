"""Decision 766 indicators: the small counting functions against hand-made
values, and the database ones against a few hand-made dossiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from eforms.models import Dossier, DossierStatus
from feedback.models import Rating
from reports import facts, indicators
from reports.figures import Figures, Period, Scope
from reports.figures import figures as figures_of
from signing.models import SignedDocument, SignedKind
from tests.dossier_factories import make_citizen, submit
from tests.procedures.fixtures import JUSTICE, WARD, build_catalogue, make_legal_document, make_procedure

COMPLETE = {"steps": "Nộp hồ sơ", "applicants": "Công dân", "result": "Giấy khai sinh",
            "submission_methods": ["online"], "components": 2, "legal_basis": 1}


def test_rate():
    assert indicators.rate(2, 3) == Decimal("66.7")
    assert indicators.rate(1, 8) == Decimal("12.5")
    assert indicators.rate(0, 0) is None


@pytest.mark.parametrize("missing", indicators.PUBLISHED_PARTS)
def test_a_procedure_missing_any_part_is_not_published_completely(missing):
    assert indicators.published_completely(COMPLETE)
    blank = "   " if isinstance(COMPLETE[missing], str) else 0 if isinstance(COMPLETE[missing], int) else []
    assert not indicators.published_completely({**COMPLETE, missing: blank})


def test_publicity_online_levels_and_satisfaction_by_hand():
    assert indicators.publicity([COMPLETE, {**COMPLETE, "steps": ""}, COMPLETE]) == (2, 3)
    assert indicators.online_levels([1, 2, 3, 4, 4]) == (3, 2, 5)
    # means 4, 3.67, 5, 4.33: three satisfied (the mean of 4 counts)
    assert indicators.satisfied([(4, 4, 4), (5, 5, 1), (5, 5, 5), (3, 5, 5)]) == (3, 4)
    assert indicators.satisfied([]) == (0, 0)


def test_every_group_has_a_computed_figure_and_the_missing_ones_say_why():
    groups = {str(group) for group, _label, _why in indicators.not_computed()}
    assert len(groups) == 5
    assert all(why for _group, _label, why in indicators.not_computed())


# ---------------------------------------------------------------- from the database


@pytest.fixture
def world(home_page):
    catalogue = build_catalogue(home_page)
    decree = make_legal_document(catalogue.legal_index, "123/2015/NĐ-CP", "Nghị định về hộ tịch", "Civil status decree")
    full = make_procedure(catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"],
                          catalogue.agencies[WARD], level=4, en_title="Birth registration",
                          components=[("Tờ khai", 1, "original", None)], legal=[decree])
    partial = make_procedure(catalogue.index, "2.000488", "Đăng ký đất đai", catalogue.fields["dat-dai"],
                             catalogue.agencies[JUSTICE], tier="province", level=3, steps="")
    make_procedure(catalogue.index, "2.000489", "Tra cứu đất đai", catalogue.fields["dat-dai"],
                   catalogue.agencies[JUSTICE], tier="province", level=2)
    return catalogue, full, partial


MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def moment(day: int, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, month, day, 10))


def dossier(procedure, citizen, **values) -> Dossier:
    made = submit(procedure, citizen)
    if "completed_at" in values:
        values.setdefault("received_at", values["completed_at"] - dt.timedelta(days=1))
    Dossier.objects.filter(pk=made.pk).update(**values)  # the state only: the facts are rebuilt below
    made.refresh_from_db()
    return made


@pytest.mark.django_db
def test_indicators_from_hand_made_dossiers(world):
    catalogue, full, partial = world
    citizen = make_citizen("ind-an")
    returned_online = dossier(full, citizen, status=DossierStatus.RETURNED, completed_at=moment(3),
                              returned_at=moment(4), handover_method="online")
    dossier(full, citizen, status=DossierStatus.RETURNED, completed_at=moment(5), returned_at=moment(6),
            handover_method="desk")
    dossier(partial, citizen, status=DossierStatus.RETURNED, completed_at=moment(20, 2), returned_at=moment(2),
            handover_method="online")
    dossier(partial, citizen, status=DossierStatus.COMPLETED, completed_at=moment(10))
    SignedDocument.objects.create(code=f"{returned_online.code}/KQ-1", kind=SignedKind.RESULT, signed=True,
                                  dossier_code=returned_online.code, sha256="0" * 64)
    rated = Dossier.objects.filter(status=DossierStatus.RETURNED).order_by("pk")
    for made, scores, when in zip(rated, [(4, 4, 4), (5, 1, 5), (5, 5, 5)], [moment(7), moment(8), moment(2, 4)],
                                  strict=True):
        rating = Rating.objects.create(dossier=made, agency=made.agency, procedure=made.procedure,
                                       timeliness=scores[0], attitude=scores[1], ease=scores[2])
        Rating.objects.filter(pk=rating.pk).update(created_at=when)

    facts.rebuild()
    # returned in March: three (two online); the February-completed one was returned on 2 March
    march = figures_of(MARCH)
    assert (march.returned_online, march.returned) == (2, 3)
    only_full = figures_of(MARCH, Scope(procedure_ids=(full.pk,)))
    assert (only_full.returned_online, only_full.returned) == (1, 2)
    # completed in March: three, one with a signed result
    assert (march.signed_results, march.resolved) == (1, 3)
    # ratings in March: two, one satisfied (5, 1, 5 averages 3.67)
    assert indicators.ratings(MARCH, Scope()) == (1, 2)
    assert indicators.ratings(MARCH, Scope(agency_ids=(catalogue.agencies[JUSTICE].pk,))) == (0, 0)

    figures = Figures(received_by_channel={"online": 3, "desk": 1}, early=2, on_time=1, late=1, open_overdue=1,
                      open_within=3)
    with translation.override("en"):
        found = {str(i.label): i for i in indicators.compute(MARCH, Scope(), figures)}
    # three live procedures: only the birth one is complete (the others lack steps or documents)
    assert (found["Procedures published with complete information"].numerator,
            found["Procedures published with complete information"].denominator) == (1, 3)
    assert found["Procedures offered online (level 3 or 4)"].value == Decimal("66.7")
    assert found["Procedures offered fully online (level 4)"].value == Decimal("33.3")
    assert found["Dossiers resolved on time"].value == Decimal("75.0")
    assert found["Open dossiers overdue"].value == Decimal("25.0")
    assert found["Dossiers received online"].value == Decimal("75.0")
    assert found["Satisfied applicants"].value == Decimal("50.0")
    assert all(i.formula for i in found.values())

    april = Period(dt.date(2025, 4, 5), dt.date(2025, 4, 30))
    with translation.override("en"):
        quiet = {str(i.label): i for i in indicators.compute(april, Scope(), Figures())}
        assert str(quiet["Satisfied applicants"].note) == "No ratings were given in this period."
    assert quiet["Satisfied applicants"].value is None


@pytest.mark.django_db
def test_the_scope_counts_dossiers_made_on_the_english_page(world):
    catalogue, full, _partial = world
    english_copy = full.get_translation(translation_locale("en"))
    citizen = make_citizen("ind-en")
    made = dossier(full, citizen, status=DossierStatus.RETURNED, completed_at=moment(3), returned_at=moment(4),
                   handover_method="online")
    Dossier.objects.filter(pk=made.pk).update(procedure=english_copy)
    facts.rebuild()
    found = figures_of(MARCH, Scope(procedure_ids=(full.pk,)))
    assert (found.returned_online, found.returned) == (1, 1)


def translation_locale(code):
    from wagtail.models import Locale

    return Locale.objects.get(language_code=code)
