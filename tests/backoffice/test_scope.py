"""Who sees which dossiers in the back office (backoffice.scope)."""

import pytest

from backoffice.scope import may_see, visible_dossiers
from tests.dossier_factories import (
    JUSTICE_CODE,
    OTHER_WARD_CODE,
    PROVINCE_CODE,
    WARD_CODE,
    make_agency,
    make_citizen,
    make_procedure,
    make_staff,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    province = make_agency(PROVINCE_CODE, "UBND tỉnh", tier="province")
    justice = make_agency(JUSTICE_CODE, "Sở Tư pháp")
    justice.parent = province
    justice.save()
    ward = make_agency(WARD_CODE, "UBND phường Tân Lợi", tier="commune")
    ward.parent = province
    ward.save()
    other_ward = make_agency(OTHER_WARD_CODE, "UBND xã Hòa Phú", tier="commune")
    citizen = make_citizen("scope-an")
    at_justice = make_procedure(agency=justice)
    at_ward = make_procedure("2.000986", agency=ward, tier="commune", title="Đăng ký khai sinh")
    at_other_ward = make_procedure("2.000987", agency=other_ward, tier="commune", title="Đăng ký kết hôn")
    dossiers = {
        "justice": submit(at_justice, citizen),
        "justice_2": submit(at_justice, citizen),
        "ward": submit(at_ward, citizen),
        "other_ward": submit(at_other_ward, citizen),
    }
    return {"province": province, "justice": justice, "ward": ward, "other_ward": other_ward,
            "dossiers": dossiers, "citizen": citizen}


def codes(user, tree):
    seen = set(visible_dossiers(user).values_list("pk", flat=True))
    return {name for name, dossier in tree["dossiers"].items() if dossier.pk in seen}


def test_receivers_see_their_whole_agency_only(tree):
    clerk = make_staff("scope-receiver", tree["justice"], "receiver")
    assert codes(clerk, tree) == {"justice", "justice_2"}


def test_leaders_also_see_the_agencies_below_them(tree):
    leader = make_staff("scope-leader", tree["province"], "leader")
    assert codes(leader, tree) == {"justice", "justice_2", "ward"}


def test_handlers_see_what_is_theirs_and_the_unassigned(tree):
    handler = make_staff("scope-handler", tree["justice"], "handler")
    colleague = make_staff("scope-colleague", tree["justice"], "handler")
    mine, theirs = tree["dossiers"]["justice"], tree["dossiers"]["justice_2"]
    mine.assigned_to = handler
    mine.save()
    assert codes(handler, tree) == {"justice", "justice_2"}
    theirs.assigned_to = colleague
    theirs.save()
    assert codes(handler, tree) == {"justice"}
    assert not may_see(handler, theirs)


def test_citizens_and_agency_admins_see_no_dossier(tree):
    assert codes(tree["citizen"], tree) == set()
    admin = make_staff("scope-admin", tree["justice"], "agency_admin")
    assert codes(admin, tree) == set()


def test_drafts_are_never_in_the_back_office(tree):
    clerk = make_staff("scope-receiver", tree["justice"], "receiver")
    draft = tree["dossiers"]["justice"]
    draft.status = "draft"
    draft.save()
    assert codes(clerk, tree) == {"justice_2"}
