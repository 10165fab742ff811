"""Agency isolation for payments: staff see and reconcile only the payments
of their agency's dossiers (the back office's rule, by role), on every
payments admin address; reconciling needs its permission."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from payments.models import PaymentNotification, PaymentState, Reconciliation
from payments.payment_scope import may_reconcile, visible_payments
from tests.dossier_factories import PROVINCE_CODE, make_agency, make_staff
from tests.payments.admin_world import FAKE, FEE, build_world, grant_reconcile, make_payment, settle, use_fake_provider
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(monkeypatch):
    return use_fake_provider(monkeypatch)


@pytest.fixture
def world(bank):
    world = build_world()
    world["clerk"] = grant_reconcile(world["clerk"])
    world["ward_clerk"] = grant_reconcile(world["ward_clerk"])
    world["ours"] = settle(make_payment(world["dossier"]))
    world["theirs"] = settle(make_payment(world["ward_dossier"]))
    return world


def seen(user, world) -> set[str]:
    found = set(visible_payments(user).values_list("pk", flat=True))
    return {name for name in ("ours", "theirs") if world[name].pk in found}


def refused(response) -> bool:
    """The admin's answer to a missing permission: back to the dashboard,
    with a message."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def today() -> str:
    return timezone.localdate().isoformat()


# ---------------------------------------------------------------- the rule


def test_receivers_see_their_agencys_payments_only(world):
    assert seen(world["clerk"], world) == {"ours"}
    assert seen(world["ward_clerk"], world) == {"theirs"}


def test_leaders_see_the_agencies_below_them(world):
    province = make_agency(PROVINCE_CODE, "UBND tỉnh", tier="province")
    world["justice"].parent = province
    world["justice"].save()
    leader = make_staff("pay-leader", province, StaffRole.LEADER)
    assert seen(leader, world) == {"ours"}


def test_handlers_see_the_assigned_to_them_and_the_unassigned(world):
    handler = make_staff("pay-handler", world["justice"], StaffRole.HANDLER)
    assert seen(handler, world) == {"ours"}  # unassigned
    world["dossier"].assigned_to = world["clerk"]
    world["dossier"].save(update_fields=["assigned_to"])
    assert seen(handler, world) == set()
    world["dossier"].assigned_to = handler
    world["dossier"].save(update_fields=["assigned_to"])
    assert seen(handler, world) == {"ours"}


def test_superusers_all_and_agency_administrators_citizens_and_the_inactive_none(world):
    root = get_user_model().objects.create_superuser("pay-root", "root@example.vn", "a-strong-pass-123")
    assert seen(root, world) == {"ours", "theirs"} and may_reconcile(root)
    admin_only = grant_reconcile(make_staff("pay-agency-admin", world["justice"], StaffRole.AGENCY_ADMIN))
    assert seen(admin_only, world) == set() and not may_reconcile(admin_only)
    assert seen(world["citizen"], world) == set()
    world["clerk"].is_active = False
    assert seen(world["clerk"], world) == set()


# ---------------------------------------------------------------- every address


@pytest.fixture
def their_run(client, world):
    """A reconciliation the ward's clerk ran."""
    pass_second_factor(client, world["ward_clerk"])
    response = client.post(reverse("payments_admin:reconcile"), {"provider": FAKE, "day": today(), "mode": "query"})
    assert response.status_code == 302
    client.logout()
    return Reconciliation.objects.get()


def addresses(world, run) -> dict[str, str]:
    return {
        "detail": reverse("payments_admin:detail", args=[world["theirs"].pk]),
        "receipt": reverse("payments_admin:receipt", args=[world["theirs"].pk]),
        "reconciliation": reverse("payments_admin:reconciliation", args=[run.pk]),
        "export_csv": reverse("payments_admin:reconciliation_export", args=[run.pk, "csv"]),
        "export_xlsx": reverse("payments_admin:reconciliation_export", args=[run.pk, "xlsx"]),
    }


@pytest.mark.parametrize("name", ["detail", "receipt", "reconciliation", "export_csv", "export_xlsx"])
def test_another_agencys_payment_and_reconciliation_are_not_found(client, world, their_run, name):
    url = addresses(world, their_run)[name]
    pass_second_factor(client, world["clerk"])
    assert client.get(url).status_code == 404
    client.logout()
    pass_second_factor(client, world["ward_clerk"])
    assert client.get(url).status_code == 200


def test_the_list_shows_only_the_agencys_payments_and_filters(client, world):
    pass_second_factor(client, world["clerk"])
    page = client.get(reverse("payments_admin:index")).content.decode()
    assert world["ours"].reference in page and world["theirs"].reference not in page
    # a filter cannot reach past the scope
    page = client.get(reverse("payments_admin:index"), {"dossier": world["ward_dossier"].code}).content.decode()
    assert world["theirs"].reference not in page
    pending = make_payment(world["dossier"])
    page = client.get(reverse("payments_admin:index"), {"state": "pending", "provider": FAKE,
                                                        "day": today()}).content.decode()
    assert pending.reference in page and world["ours"].reference not in page
    # a bad filter is reported, not a crash
    response = client.get(reverse("payments_admin:index"), {"day": "hôm qua", "state": "stolen"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_reconciling_asks_about_and_settles_only_the_agencys_payments(client, world, bank):
    mine = make_payment(world["dossier"])
    not_mine = make_payment(world["ward_dossier"])
    bank.says_paid(mine)
    bank.says_paid(not_mine)
    pass_second_factor(client, world["clerk"])
    client.post(reverse("payments_admin:reconcile"), {"provider": FAKE, "day": today(), "mode": "query"})
    run = Reconciliation.objects.get()
    assert not_mine.reference not in bank.asked and world["theirs"].reference not in bank.asked
    assert {line["reference"] for line in run.lines} == {world["ours"].reference, mine.reference}
    not_mine.refresh_from_db()
    mine.refresh_from_db()
    assert not_mine.state == PaymentState.PENDING and mine.state == PaymentState.PAID


def test_a_statement_line_about_another_agencys_payment_is_left_out(client, world):
    theirs = world["theirs"]
    content = (f"reference,provider_reference,amount_vnd,status,paid_at\n"
               f"{world['ours'].reference},1,{FEE},paid,\n{theirs.reference},2,{FEE + 5},paid,\n").encode()
    pass_second_factor(client, world["clerk"])
    client.post(reverse("payments_admin:reconcile"), {
        "provider": FAKE, "day": today(), "mode": "statement", "statement": SimpleUploadedFile("s.csv", content)})
    run = Reconciliation.objects.get()
    assert theirs.reference not in str(run.lines) and run.totals["other_agencies"] == 1
    assert not PaymentNotification.objects.filter(payment=theirs, source="statement").exists()
    page = client.get(reverse("payments_admin:reconciliation", args=[run.pk])).content.decode()
    assert theirs.reference not in page


# ---------------------------------------------------------------- permission


def test_reconciling_needs_the_permission(client, world, their_run):
    plain = make_staff("pay-plain", world["ward"], StaffRole.RECEIVER)
    pass_second_factor(client, plain)
    urls = addresses(world, their_run)
    assert client.get(reverse("payments_admin:index")).status_code == 200
    assert client.get(urls["detail"]).status_code == 200
    for url in (reverse("payments_admin:reconcile"), urls["reconciliation"], urls["export_csv"],
                urls["export_xlsx"]):
        assert refused(client.get(url)), url
    response = client.post(reverse("payments_admin:reconcile"), {"provider": FAKE, "day": today(), "mode": "query"})
    assert refused(response) and Reconciliation.objects.count() == 1
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("payments_admin:index") in home and reverse("payments_admin:reconcile") not in home


def test_the_permission_without_an_agency_gives_nothing(client, world, their_run):
    stranger = grant_reconcile(make_staff("pay-stranger", world["ward"], StaffRole.AGENCY_ADMIN))
    pass_second_factor(client, stranger)
    assert refused(client.get(reverse("payments_admin:index")))
    assert refused(client.get(reverse("payments_admin:reconcile")))
    for url in addresses(world, their_run).values():
        assert refused(client.get(url)), url


def test_staff_with_a_password_only_and_citizens_reach_no_payments_screen(client, world, their_run):
    urls = [reverse("payments_admin:index"), reverse("payments_admin:reconcile"), *addresses(world, their_run).values()]
    client.force_login(world["ward_clerk"])  # no second factor in this session
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/second-factor/" in response["Location"], url
    client.logout()
    client.force_login(world["other_citizen"])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_superusers_see_and_reconcile_everything(client, world, bank, their_run):
    root = get_user_model().objects.create_superuser("pay-root", "root@example.vn", "a-strong-pass-123")
    pass_second_factor(client, root)
    page = client.get(reverse("payments_admin:index")).content.decode()
    assert world["ours"].reference in page and world["theirs"].reference in page
    for url in addresses(world, their_run).values():
        assert client.get(url).status_code == 200, url
    client.post(reverse("payments_admin:reconcile"), {"provider": FAKE, "day": today(), "mode": "query"})
    assert set(bank.asked) >= {world["ours"].reference, world["theirs"].reference}
