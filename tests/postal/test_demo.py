"""The postal part of `load_demo`: a demo unit (fees marked as demo)
serving the demo agencies, a demo officer who may enter the admin, printed
with the other demo logins; a second run adds nothing."""

import io

import pytest

from accounts.demo import STAFF_PASSWORD
from accounts.models import User
from postal import demo
from postal.models import OFFICERS_GROUP, PostalMembership, PostalUnit
from tests.dossier_factories import make_agency


@pytest.mark.django_db
def test_the_demo_unit_and_officer_are_made_once():
    ward = make_agency(demo.BMT, "Ủy ban nhân dân phường Buôn Ma Thuột", tier="commune")
    out = io.StringIO()
    demo.load(out)
    unit = PostalUnit.objects.get(code=demo.UNIT_CODE)
    assert unit.demo_fees and unit.pickup_fee_vnd > 0 and list(unit.agencies.all()) == [ward]
    officer = User.objects.get(email=demo.OFFICER_EMAIL)
    assert officer.check_password(STAFF_PASSWORD) and officer.groups.filter(name=OFFICERS_GROUP).exists()
    assert officer.has_perm("wagtailadmin.access_admin")
    assert f"{demo.OFFICER_EMAIL} / {STAFF_PASSWORD}" in out.getvalue() and "enrolment code" in out.getvalue()
    demo.load(io.StringIO())
    assert PostalUnit.objects.count() == 1 and PostalMembership.objects.count() == 1
    assert User.objects.filter(email=demo.OFFICER_EMAIL).count() == 1
