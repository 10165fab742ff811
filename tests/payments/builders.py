"""Builders for the payment tests (no tests here): a level-4 procedure with
fee items, a submitted dossier and its fee notice, a citizen's and a staff
member's client."""

from __future__ import annotations

from django.test import Client

from eforms import lifecycle
from eforms.services import applicant_snapshot
from payments import services
from procedures.models import FeeDue, ProcedureFee
from tests.dossier_factories import make_citizen, make_procedure, make_staff, submit
from tests.second_factor import pass_second_factor

SUBMISSION_FEES = (("Lệ phí cấp Phiếu lý lịch tư pháp", 200_000, ""),)
NOTICE_FEES = (("Phí thẩm định hồ sơ", 150_000, "Người nộp hồ sơ"), ("Phí sao y bản chính", 30_000, ""))


def level4_procedure(code: str = "4.000001", agency=None, *, online_payment: bool = True,
                     submission_fees=SUBMISSION_FEES, notice_fees=NOTICE_FEES):
    """A level-4 procedure paid online, with fee items owed at submission and on a notice."""
    procedure = make_procedure(code, agency, level=4, title="Cấp Phiếu lý lịch tư pháp (toàn trình)")
    procedure.online_payment = online_payment
    procedure.result_methods = ["online", "post"]
    procedure.save()
    order = 0
    for due, fees in ((FeeDue.SUBMISSION, submission_fees), (FeeDue.NOTICE, notice_fees)):
        for name, amount, payer in fees:
            ProcedureFee.objects.create(page=procedure, locale=procedure.locale, name=name, amount_vnd=amount,
                                        payer=payer, due=due, exemptions="", sort_order=order)
            order += 1
    return procedure


def submitted(procedure, citizen, **kwargs):
    """A dossier submitted online by `citizen` (email and SMS consent given)."""
    snapshot = {**applicant_snapshot(citizen), "sms_consent": True}
    return submit(procedure, citizen, snapshot=snapshot, **kwargs)


def received(dossier, staff):
    lifecycle.receive(dossier, lifecycle.Actor.staff(staff))
    return dossier


def notice_of(dossier, amount: int = 180_000, *, actor=None):
    """A processing fee notice of one item."""
    return services.issue_fee_notice(dossier, [services.FeeLine("Phí thẩm định hồ sơ", amount)],
                                     actor or lifecycle.Actor.system("test"))


def citizen_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff_client(user, language: str = "en") -> Client:
    """Signed in to the admin, second factor passed, the admin in `language`
    (English by default: the tests read the messages they wrote)."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return pass_second_factor(Client(), user)


def world():
    """Sở Tư pháp's level-4 procedure, its staff, Sở Y tế's staff, two citizens."""
    from tests.dossier_factories import make_agency

    procedure = level4_procedure()
    justice = procedure.agency
    health = make_agency("000.00.14.H30", "Sở Y tế")
    return {
        "procedure": procedure,
        "justice": justice,
        "health": health,
        "citizen": make_citizen("pay-an"),
        "other_citizen": make_citizen("pay-binh", id_number="001099054321"),
        "receiver": make_staff("pay-receiver", justice, "receiver"),
        "handler": make_staff("pay-handler", justice, "handler"),
        "leader": make_staff("pay-leader", justice, "leader"),
        "other_agency": make_staff("pay-health", health, "receiver", "handler", "leader"),
    }
