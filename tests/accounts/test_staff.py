"""Agency staff: memberships and roles mapped to Wagtail groups,
`agencies_for`, the admin for memberships, and citizens kept out of /admin/."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale

from accounts.models import StaffMembership, StaffRole, User
from accounts.services import ROLE_GROUPS, agencies_for, has_role
from procedures.models import Agency


def _agency(name, code, locale=None, **fields):
    return Agency.objects.create(name=name, tier="department", unit_code=code,
                                 locale=locale or Locale.get_default(), **fields)


@pytest.fixture
def agencies(db):
    return _agency("Sở Tư pháp", "000.00.10.H30"), _agency("Sở Xây dựng", "000.00.11.H30")


def _admin_client(client, user):
    from tests.second_factor import pass_second_factor

    return pass_second_factor(client, user)


def test_role_groups_exist_and_open_the_admin(db):
    for role in StaffRole.values:
        group = Group.objects.get(name=ROLE_GROUPS[role])
        codenames = set(group.permissions.values_list("codename", flat=True))
        assert "access_admin" in codenames
    admin_perms = set(Group.objects.get(name=ROLE_GROUPS["agency_admin"]).permissions.values_list("codename", flat=True))
    assert {"add_staffmembership", "change_staffmembership", "delete_staffmembership"} <= admin_perms
    receiver_perms = set(Group.objects.get(name=ROLE_GROUPS["receiver"]).permissions.values_list("codename", flat=True))
    assert "add_staffmembership" not in receiver_perms


def test_memberships_keep_the_groups_in_step(agencies):
    justice, building = agencies
    user = User.objects.create_user("cb", "cb@example.com", "x")
    first = StaffMembership.objects.create(user=user, agency=justice, role=StaffRole.HANDLER)
    StaffMembership.objects.create(user=user, agency=building, role=StaffRole.HANDLER)
    assert user.groups.filter(name="Agency handlers").exists()
    assert user.has_perm("wagtailadmin.access_admin")
    first.delete()
    assert user.groups.filter(name="Agency handlers").exists()  # still a handler at the other agency
    StaffMembership.objects.filter(user=user).delete()  # a queryset delete goes through no save()
    from accounts.services import sync_role_groups

    sync_role_groups(user)
    assert not user.groups.filter(name="Agency handlers").exists()


def test_groups_follow_memberships_however_they_are_removed(agencies):
    """The group sync is a signal receiver, not StaffMembership.save(): a
    queryset delete and an agency's deletion (a cascade) take the role away too."""
    justice, building = agencies
    user = User.objects.create_user("cb", "cb@example.com", "x")
    StaffMembership.objects.create(user=user, agency=justice, role=StaffRole.HANDLER)
    StaffMembership.objects.create(user=user, agency=building, role=StaffRole.LEADER)
    StaffMembership.objects.filter(user=user, role=StaffRole.HANDLER).delete()
    assert set(user.groups.values_list("name", flat=True)) == {"Agency leaders"}
    building.delete()
    assert not user.groups.exists()


def test_agencies_for(agencies):
    justice, building = agencies
    en_justice = _agency("Department of Justice", "000.00.10.H30",
                         locale=Locale.objects.get_or_create(language_code="en")[0],
                         translation_key=justice.translation_key)
    user = User.objects.create_user("cb", "cb@example.com", "x")
    StaffMembership.objects.create(user=user, agency=justice, role=StaffRole.RECEIVER)
    StaffMembership.objects.create(user=user, agency=building, role=StaffRole.LEADER)
    assert set(agencies_for(user)) == {justice, en_justice, building}
    assert set(agencies_for(user, StaffRole.RECEIVER)) == {justice, en_justice}
    assert set(agencies_for(user, StaffRole.HANDLER)) == set()
    assert has_role(user, building, StaffRole.LEADER) and not has_role(user, building, StaffRole.RECEIVER)
    citizen = User.objects.create_user("dan", "dan@example.com", "x")
    assert not agencies_for(citizen).exists()
    user.is_active = False
    assert not agencies_for(user).exists()
    root = User.objects.create_superuser("root", "root@example.com", "x")
    assert set(agencies_for(root)) >= {justice, building}
    from django.contrib.auth.models import AnonymousUser

    assert not agencies_for(AnonymousUser()).exists()


def test_citizens_never_reach_the_admin(client, db):
    citizen = User.objects.create_user("dan", "dan@example.com", "x")
    client.force_login(citizen)
    for url in ("/admin/", "/admin/pages/", "/admin/staff_memberships/", "/admin/citizen_profiles/"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/"), url
    # not even with a second-factor flag in the session
    _admin_client(client, citizen)
    assert client.get("/admin/").status_code in (302, 403)


def test_agency_admin_manages_only_their_agencies(client, agencies):
    justice, building = agencies
    boss = User.objects.create_user("boss", "boss@example.com", "x")
    StaffMembership.objects.create(user=boss, agency=justice, role=StaffRole.AGENCY_ADMIN)
    colleague = User.objects.create_user("colleague", "colleague@example.com", "x")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=colleague, email="colleague@example.com", verified=True, primary=True)
    outsider = User.objects.create_user("outsider", "outsider@example.com", "x")
    theirs = StaffMembership.objects.create(user=outsider, agency=building, role=StaffRole.HANDLER)
    _admin_client(client, boss)

    listing = client.get("/admin/staff_memberships/")
    assert listing.status_code == 200
    assert "boss@example.com" in listing.content.decode() or "boss" in listing.content.decode()
    assert "outsider" not in listing.content.decode()
    assert client.get(f"/admin/staff_memberships/edit/{theirs.pk}/").status_code in (403, 302, 404)
    assert client.post(f"/admin/staff_memberships/delete/{theirs.pk}/").status_code in (403, 302, 404)
    assert StaffMembership.objects.filter(pk=theirs.pk).exists()

    form = client.get("/admin/staff_memberships/new/").content.decode()
    assert "Sở Tư pháp" in form and "Sở Xây dựng" not in form
    # adding someone to another agency is refused
    client.post("/admin/staff_memberships/new/", {"email": "colleague@example.com", "agency": building.pk,
                                                   "role": "handler"})
    assert not StaffMembership.objects.filter(user=colleague).exists()
    response = client.post("/admin/staff_memberships/new/", {"email": "colleague@example.com", "agency": justice.pk,
                                                              "role": "receiver"})
    assert response.status_code == 302
    assert StaffMembership.objects.filter(user=colleague, agency=justice, role="receiver").exists()
    assert colleague.groups.filter(name="Agency receivers").exists()


def test_a_receiver_cannot_manage_memberships(client, agencies):
    justice, _ = agencies
    receiver = User.objects.create_user("rcv", "rcv@example.com", "x")
    StaffMembership.objects.create(user=receiver, agency=justice, role=StaffRole.RECEIVER)
    _admin_client(client, receiver)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/staff_memberships/").status_code in (302, 403)
    assert client.get("/admin/staff_memberships/new/").status_code in (302, 403)


def test_demo_accounts_load_idempotently(agencies):
    import io

    from accounts import demo

    centre = _agency("Trung tâm Phục vụ hành chính công tỉnh", "000.00.02.H30")
    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    citizen = User.objects.get(email=demo.CITIZEN_EMAIL)
    assert citizen.check_password(demo.CITIZEN_PASSWORD)
    assert citizen.profile.id_number == "066190001234"
    assert citizen.emailaddress_set.get().verified
    assert citizen.consents.count() == 1
    assert StaffMembership.objects.filter(agency=centre).count() == 4
    assert set(StaffMembership.objects.filter(agency=centre).values_list("role", flat=True)) == set(StaffRole.values)
    assert "citizen@example.com / demo-citizen-2025" in out.getvalue()
    assert "quantri.hcc@example.com / demo-staff-2025" in out.getvalue()
