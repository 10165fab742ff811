"""Fee notices: the one made at submission, the one staff issue from the
dossier screen (prefilled, edited, validated, only by the dossier's agency),
what the applicant sees and is told, and who may pay."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from eforms import lifecycle
from eforms.models import DossierEvent
from notifications.models import Message
from payments import services
from payments.models import FeeNotice, NoticeKind, Payment, PaymentNotification, PaymentState
from payments.providers import vnpay
from payments.providers.base import Outcome, ProviderResult
from tests.dossier_factories import make_staff

from .builders import citizen_client, level4_procedure, notice_of, received, staff_client, submitted, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def submit_and_commit(procedure, citizen, capture, **kwargs):
    with capture(execute=True):
        return submitted(procedure, citizen, **kwargs)


# ---------------------------------------------------------------- at submission


def test_submission_makes_one_notice_of_the_items_owed_then(w, django_capture_on_commit_callbacks):
    dossier = submit_and_commit(w["procedure"], w["citizen"], django_capture_on_commit_callbacks)
    notice = FeeNotice.objects.get(dossier=dossier)
    assert notice.kind == NoticeKind.SUBMISSION and notice.total_vnd == 200_000 and notice.is_open
    assert [(i.name, i.amount_vnd) for i in notice.items.all()] == [("Lệ phí cấp Phiếu lý lịch tư pháp", 200_000)]
    assert notice.number == f"{dossier.code}/TB-1"
    step = DossierEvent.objects.get(dossier=dossier, action="fee_notice")
    assert step.note == "200.000 VND" and step.to_status == "" and step.data["notice"] == notice.number
    # the applicant is told, in the dossier's language, by email and SMS
    with django_capture_on_commit_callbacks(execute=True):
        pass
    messages = Message.objects.filter(dossier=dossier, kind="fee_notice")
    email = messages.get(channel="email")
    assert email.subject == f"Hồ sơ {dossier.code}: thông báo nộp phí, lệ phí"
    assert "Số tiền phải nộp: 200.000 VND" in email.body
    assert "đề nghị nộp phí, lệ phí 200.000 VND" in messages.get(channel="sms").body
    # idempotent: the hook again, or the service again, makes nothing new
    assert services.make_submission_notice(dossier.pk) == notice
    assert services.issue_submission_notice(dossier) == notice
    assert FeeNotice.objects.filter(dossier=dossier).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action="fee_notice").count() == 1


def test_no_submission_notice_without_online_payment_or_items(w, django_capture_on_commit_callbacks):
    offline = level4_procedure("4.000002", online_payment=False)
    free = level4_procedure("4.000003", submission_fees=())
    for procedure in (offline, free):
        dossier = submit_and_commit(procedure, w["citizen"], django_capture_on_commit_callbacks)
        assert not FeeNotice.objects.filter(dossier=dossier).exists()


def test_the_fee_steps_are_in_the_applicants_history(w, django_capture_on_commit_callbacks):
    dossier = submit_and_commit(w["procedure"], w["citizen"], django_capture_on_commit_callbacks)
    with translation.override("en"):
        html = citizen_client(w["citizen"]).get(reverse("my_dossier", args=[dossier.code])).content.decode()
    assert "Fee notice issued" in html


# ---------------------------------------------------------------- the applicant's page


def test_the_applicant_sees_items_total_and_a_pay_button_per_provider(w, django_capture_on_commit_callbacks):
    dossier = submit_and_commit(w["procedure"], w["citizen"], django_capture_on_commit_callbacks)
    notice = FeeNotice.objects.get(dossier=dossier)
    with translation.override("en"):
        html = citizen_client(w["citizen"]).get(reverse("my_dossier", args=[dossier.code])).content.decode()
    assert "Fees and payments" in html and "Lệ phí cấp Phiếu lý lịch tư pháp" in html
    assert "<caption>" in html and 'scope="col"' in html and "200,000" in html
    assert f'name="notice" value="{notice.public_id}"' in html
    assert 'name="provider" value="sandbox"' in html and "Pay online with" in html


def test_pay_starts_a_payment_of_the_whole_notice(w, django_capture_on_commit_callbacks, settings):
    dossier = submit_and_commit(w["procedure"], w["citizen"], django_capture_on_commit_callbacks)
    notice = FeeNotice.objects.get(dossier=dossier)
    client = citizen_client(w["citizen"])
    response = client.post(reverse("payment_start", args=[dossier.code]),
                           {"notice": notice.public_id, "provider": "sandbox"})
    payment = Payment.objects.get(notice=notice)
    assert payment.amount_vnd == 200_000 and payment.provider == "sandbox" and payment.state == PaymentState.PENDING
    assert payment.created_by == w["citizen"] and len(payment.reference) <= 34
    assert payment.events.get().action == "started"
    assert response.status_code == 302 and response["Location"].startswith("/payments/sandbox/pay/?")
    # a provider that is not offered is refused, and nothing is made
    response = client.post(reverse("payment_start", args=[dossier.code]),
                           {"notice": notice.public_id, "provider": "vnpay"}, follow=True)
    assert Payment.objects.filter(notice=notice).count() == 1
    assert response.redirect_chain[-1][0] == reverse("my_dossier", args=[dossier.code])


def test_a_paid_notice_or_a_closed_dossier_takes_no_payment(w, django_capture_on_commit_callbacks):
    dossier = submit_and_commit(w["procedure"], w["citizen"], django_capture_on_commit_callbacks)
    notice = FeeNotice.objects.get(dossier=dossier)
    client = citizen_client(w["citizen"])
    lifecycle.withdraw(dossier, lifecycle.Actor.applicant(w["citizen"]))
    with translation.override("en"):
        response = client.post(reverse("payment_start", args=[dossier.code]),
                               {"notice": notice.public_id, "provider": "sandbox"}, follow=True)
    assert "takes no payment" in response.content.decode()
    assert not Payment.objects.exists()
    with pytest.raises(services.PaymentError):
        services.start_payment(notice, "sandbox")


def test_only_the_applicant_may_pay_or_see_a_payment(w, django_capture_on_commit_callbacks):
    dossier = submit_and_commit(w["procedure"], w["citizen"], django_capture_on_commit_callbacks)
    notice = FeeNotice.objects.get(dossier=dossier)
    payment = services.start_payment(notice, "sandbox", user=w["citizen"])
    other = citizen_client(w["other_citizen"])
    assert other.post(reverse("payment_start", args=[dossier.code]),
                      {"notice": notice.public_id, "provider": "sandbox"}).status_code == 404
    assert other.get(reverse("payment_return", args=[payment.public_id])).status_code == 404
    assert Payment.objects.count() == 1
    # staff of the agency are not the applicant either
    assert citizen_client(w["receiver"]).get(reverse("payment_return", args=[payment.public_id])).status_code == 404
    # a notice of another dossier cannot be paid from this one
    second = submit_and_commit(w["procedure"], w["other_citizen"], django_capture_on_commit_callbacks)
    foreign = FeeNotice.objects.get(dossier=second)
    assert citizen_client(w["citizen"]).post(reverse("payment_start", args=[dossier.code]),
                                             {"notice": foreign.public_id, "provider": "sandbox"}).status_code == 404
    # signed out: to the login page
    from django.test import Client

    response = Client().get(reverse("payment_return", args=[payment.public_id]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_return_page_only_shows(w, django_capture_on_commit_callbacks, settings):
    """Even a correctly signed "success" brought by the browser marks nothing."""
    dossier = submit_and_commit(w["procedure"], w["citizen"], django_capture_on_commit_callbacks)
    notice = FeeNotice.objects.get(dossier=dossier)
    payment = services.start_payment(notice, "sandbox", user=w["citizen"])
    answer = {"vnp_Amount": "20000000", "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00",
              "vnp_TmnCode": "SANDBOX1", "vnp_TxnRef": payment.reference, "vnp_TransactionNo": "123"}
    answer["vnp_SecureHash"] = vnpay.sign(settings.PORTAL_PAYMENT_SANDBOX_SECRET, vnpay.hash_data(answer))
    with translation.override("en"):
        url = reverse("payment_return", args=[payment.public_id])
    html = citizen_client(w["citizen"]).get(url, answer).content.decode()
    assert "Waiting for the bank" in html and "Check again" in html
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and payment.returned_at is not None
    notification = PaymentNotification.objects.get(payment=payment)
    assert notification.source == "return" and notification.verified and notification.answer == ""
    notice.refresh_from_db()
    assert notice.paid_at is None
    with pytest.raises(ValueError):
        services.apply_result(ProviderResult(reference=payment.reference, verified=True, success=True,
                                             amount_vnd=200_000), provider="sandbox", source="return")
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_apply_result_checks_signature_reference_amount_then_state(w, django_capture_on_commit_callbacks):
    dossier = submit_and_commit(w["procedure"], w["citizen"], django_capture_on_commit_callbacks)
    payment = services.start_payment(FeeNotice.objects.get(dossier=dossier), "sandbox")

    def result(**kw):
        values = {"reference": payment.reference, "verified": True, "success": True, "amount_vnd": 200_000}
        return ProviderResult(**{**values, **kw})

    apply = lambda r: services.apply_result(r, provider="sandbox", source="ipn")  # noqa: E731
    assert apply(result(verified=False, amount_vnd=1)) == Outcome.INVALID_SIGNATURE
    assert apply(result(reference="P-nothing")) == Outcome.NOT_FOUND
    assert services.apply_result(result(), provider="vnpay", source="ipn") == Outcome.NOT_FOUND
    assert apply(result(amount_vnd=199_999)) == Outcome.INVALID_AMOUNT
    assert apply(result(amount_vnd=None)) == Outcome.INVALID_AMOUNT
    assert apply(result(final=False, amount_vnd=None)) == Outcome.PENDING
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert apply(result()) == Outcome.CONFIRMED
    assert apply(result(success=False)) == Outcome.ALREADY
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    answers = list(PaymentNotification.objects.order_by("pk").values_list("answer", flat=True))
    assert answers == ["invalid_signature", "not_found", "not_found", "invalid_amount", "invalid_amount",
                       "pending", "confirmed", "already"]


# ---------------------------------------------------------------- staff issue a notice


def dossier_screen(client, dossier):
    with translation.override("en"):
        return client.get(reverse("backoffice:dossier", args=[dossier.pk]))


def issue_url(dossier):
    with translation.override("en"):
        return reverse("payments_staff:issue_notice", args=[dossier.pk])


def form_data(lines, note=""):
    data = {"lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000", "notice-note": note}
    for i, (name, amount, payer) in enumerate(lines):
        data.update({f"lines-{i}-name": name, f"lines-{i}-amount_vnd": amount, f"lines-{i}-payer": payer,
                     f"lines-{i}-exemptions": ""})
    return data


def test_the_dossier_screen_offers_the_notice_prefilled_with_the_procedures_notice_items(w):
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    html = dossier_screen(staff_client(w["receiver"]), dossier).content.decode()
    assert "Fees and payments" in html and "Issue a fee notice" in html
    assert 'value="Phí thẩm định hồ sơ"' in html and 'value="150000"' in html
    assert 'value="Phí sao y bản chính"' in html and 'value="30000"' in html
    assert f'action="{issue_url(dossier)}"' in html
    # not before the agency takes the dossier in
    waiting = submitted(w["procedure"], w["other_citizen"])
    assert "Issue a fee notice" not in dossier_screen(staff_client(w["receiver"]), waiting).content.decode()


def test_staff_issue_a_notice_as_edited_and_the_applicant_is_told(w, django_capture_on_commit_callbacks):
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    client = staff_client(w["handler"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(issue_url(dossier), form_data(
            [("Phí thẩm định hồ sơ", "150.000", "Người nộp hồ sơ"), ("", "", ""), ("Phí bưu chính", "25,000 đ", "")],
            note="Nộp trong 5 ngày làm việc."))
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:dossier", args=[dossier.pk])
    notice = FeeNotice.objects.get(dossier=dossier, kind=NoticeKind.PROCESSING)
    assert notice.total_vnd == 175_000 and notice.issued_by == w["handler"]
    assert [(i.name, i.amount_vnd, i.payer) for i in notice.items.all()] == [
        ("Phí thẩm định hồ sơ", 150_000, "Người nộp hồ sơ"), ("Phí bưu chính", 25_000, "")]
    step = DossierEvent.objects.get(dossier=dossier, action="fee_notice")
    assert step.note == "175.000 VND. Nộp trong 5 ngày làm việc." and step.actor_user == w["handler"]
    assert Message.objects.filter(dossier=dossier, kind="fee_notice", channel="sms").exists()
    # the applicant sees it and can pay it
    with translation.override("en"):
        html = citizen_client(w["citizen"]).get(reverse("my_dossier", args=[dossier.code])).content.decode()
    assert "Phí bưu chính" in html and "175,000" in html and f'value="{notice.public_id}"' in html


@pytest.mark.parametrize(("lines", "message"), [
    ([("Phí thẩm định hồ sơ", "abc", "")], "Enter a whole amount in đồng"),
    ([("", "150000", "")], "Name this fee."),
    ([("Phí thẩm định hồ sơ", "0", "")], "Enter an amount greater than 0."),
    ([("Phí thẩm định hồ sơ", "99999999999", "")], "at most"),
    ([("", "", ""), ("", "", "")], "Give at least one fee item with its amount."),
])
def test_a_bad_notice_is_refused_with_every_line_kept(w, lines, message):
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    # a good line beside the bad one, except when the point is that no line is filled
    good = [("Phí khác", "10000", "Doanh nghiệp")] if any(any(line) for line in lines) else []
    response = staff_client(w["receiver"]).post(issue_url(dossier), form_data([*lines, *good], note="Ghi chú giữ lại"))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "There is a problem" in html
    assert "Ghi chú giữ lại" in html
    if good:
        assert 'value="Phí khác"' in html and 'value="Doanh nghiệp"' in html and 'value="10000"' in html
    assert not FeeNotice.objects.filter(dossier=dossier).exists()


def test_only_the_dossiers_agency_issues_notices(w):
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    data = form_data([("Phí thẩm định hồ sơ", "150000", "")])
    for user in (w["other_agency"],):
        client = staff_client(user)
        assert client.get(issue_url(dossier)).status_code == 404
        assert client.post(issue_url(dossier), data).status_code == 404
        assert dossier_screen(client, dossier).status_code == 404
    # a handler of the agency, when the dossier is another handler's
    other_handler = make_staff("pay-handler-2", w["justice"], "handler")
    lifecycle.start_processing(dossier, lifecycle.Actor.staff(w["leader"]), assignee=w["handler"])
    assert staff_client(other_handler).post(issue_url(dossier), data).status_code == 404
    assert not FeeNotice.objects.filter(dossier=dossier).exists()
    # the assigned handler may
    assert staff_client(w["handler"]).post(issue_url(dossier), data).status_code == 302
    assert FeeNotice.objects.filter(dossier=dossier).count() == 1


def test_a_notice_is_refused_while_the_agency_does_not_hold_the_dossier(w):
    dossier = submitted(w["procedure"], w["citizen"])
    response = staff_client(w["receiver"]).post(issue_url(dossier), form_data([("Phí", "150000", "")]))
    assert response.status_code == 400
    assert "a fee notice is issued while the agency holds the dossier" in response.content.decode()
    assert not FeeNotice.objects.filter(dossier=dossier).exists()


def test_issue_fee_notice_refuses_a_notice_of_nothing(w):
    dossier = submitted(w["procedure"], w["citizen"])
    with pytest.raises(ValueError):
        services.issue_fee_notice(dossier, [services.FeeLine("Phí", 0)], lifecycle.Actor.system())
    notice = notice_of(dossier, 10_000)
    assert notice.number.endswith("/TB-1") and notice_of(dossier, 5_000).number.endswith("/TB-2")


def test_a_second_click_issues_one_notice(w):
    dossier = received(submitted(w["procedure"], w["citizen"]), w["receiver"])
    html = dossier_screen(staff_client(w["receiver"]), dossier).content.decode()
    assert 'name="notice-notices_seen" value="0"' in html
    data = {**form_data([("Phí thẩm định hồ sơ", "150000", "")]), "notice-notices_seen": "0"}
    client = staff_client(w["receiver"])
    assert client.post(issue_url(dossier), data).status_code == 302
    again = client.post(issue_url(dossier), data)
    assert again.status_code == 400
    html = again.content.decode()
    assert "Another fee notice was issued for this dossier" in html and 'value="Phí thẩm định hồ sơ"' in html
    assert 'name="notice-notices_seen" value="1"' in html
    assert FeeNotice.objects.filter(dossier=dossier).count() == 1
    # having seen it, they may issue another
    assert client.post(issue_url(dossier), {**data, "notice-notices_seen": "1"}).status_code == 302
    assert FeeNotice.objects.filter(dossier=dossier).count() == 2
