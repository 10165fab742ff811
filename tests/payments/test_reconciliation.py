"""The daily reconciliation: by asking a (fake) provider, where a pending
payment the provider says is paid is settled once; from an uploaded CSV or
XLSX statement, which only flags; bad statement lines reported in the
user's language; exports that no spreadsheet runs as formulas; and the
scheduler's command."""

from __future__ import annotations

import csv
import datetime as dt
import io

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from wagtail.users.models import UserProfile

from payments.models import Payment, PaymentEvent, PaymentNotification, PaymentState, Reconciliation
from payments.providers.base import ProviderResult
from payments.reconciliation import reconcile_by_query
from tests.databases import postgresql_only
from tests.eforms.test_races import join, run_together
from tests.payments.admin_world import (
    FAKE,
    FEE,
    build_world,
    grant_reconcile,
    make_payment,
    settle,
    use_fake_provider,
)
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db

HEADER = "status;amount_vnd;reference;note;provider_reference;paid_at"


@pytest.fixture
def bank(monkeypatch):
    return use_fake_provider(monkeypatch)


@pytest.fixture
def world(bank):
    world = build_world()
    world["clerk"] = grant_reconcile(world["clerk"])
    return world


@pytest.fixture
def clerk(client, world):
    return pass_second_factor(client, world["clerk"])


def today() -> str:
    return timezone.localdate().isoformat()


def reconcile(client, **data):
    data = {"provider": FAKE, "day": today(), "mode": "query", **data}
    return client.post(reverse("payments_admin:reconcile"), data)


def upload(client, name: str, content: bytes):
    return reconcile(client, mode="statement", statement=SimpleUploadedFile(name, content))


def latest() -> Reconciliation:
    return Reconciliation.objects.latest("pk")


def line_for(run: Reconciliation, reference: str) -> dict:
    found = [line for line in run.lines if line["reference"] == reference]
    assert len(found) == 1, (reference, run.lines)
    return found[0]


# ---------------------------------------------------------------- asking the provider


def test_a_pending_payment_the_provider_says_is_paid_is_settled_once(clerk, world, bank):
    pending = make_payment(world["dossier"])
    bank.says_paid(pending, number="14809999")
    response = reconcile(clerk)
    run = latest()
    assert response.status_code == 302 and response["Location"] == reverse("payments_admin:reconciliation",
                                                                            args=[run.pk])
    line = line_for(run, pending.reference)
    assert line["flags"] == ["settled"] and line["our_state"] == "paid" and line["their_state"] == "paid"
    assert run.totals["settled"] == 1 and run.mismatches == 0
    pending.refresh_from_db()
    assert pending.state == PaymentState.PAID and pending.provider_reference == "14809999"
    assert pending.notice.paid_at is not None
    assert world["dossier"].events.filter(action="payment_paid").count() == 1
    assert PaymentNotification.objects.filter(payment=pending, source="query").count() == 1

    # asked again: already paid, nothing credited twice
    reconcile(clerk)
    again = line_for(latest(), pending.reference)
    assert again["flags"] == [] and again["our_state"] == "paid"
    assert PaymentEvent.objects.filter(payment=pending, action="paid").count() == 1
    assert world["dossier"].events.filter(action="payment_paid").count() == 1
    page = clerk.get(reverse("payments_admin:reconciliation", args=[latest().pk]))
    assert page.status_code == 200 and pending.reference in page.content.decode()


def test_an_amount_that_differs_is_flagged_and_never_credited(clerk, world, bank):
    paid = settle(make_payment(world["dossier"]))
    bank.says_paid(paid, amount=FEE + 50_000)
    pending = make_payment(world["dossier"])
    bank.says_paid(pending, amount=FEE - 1)
    reconcile(clerk)
    run = latest()
    assert line_for(run, paid.reference)["flags"] == ["amount"]
    assert set(line_for(run, pending.reference)["flags"]) == {"amount", "state"}
    assert line_for(run, pending.reference)["their_amount"] == FEE - 1
    pending.refresh_from_db()
    assert pending.state == PaymentState.PENDING and pending.notice.paid_at is None
    assert run.mismatches == 2


def test_a_paid_payment_the_provider_does_not_know_is_missing_on_their_side(clerk, world, bank):
    paid = settle(make_payment(world["dossier"]))
    pending = make_payment(world["dossier"])  # the applicant never reached the bank: no record, no flag
    reconcile(clerk)
    run = latest()
    assert line_for(run, paid.reference)["flags"] == ["missing_theirs"]
    assert line_for(run, pending.reference)["flags"] == []
    assert line_for(run, pending.reference)["their_state"] == "missing"
    assert run.mismatches == 1 and run.totals["ours"] == 2 and run.totals["ours_paid_vnd"] == FEE


def test_a_provider_that_cannot_answer_or_answers_unsigned_is_flagged_and_changes_nothing(clerk, world, bank):
    down = make_payment(world["dossier"])
    bank.fails(down)
    unsigned = make_payment(world["dossier"])
    bank.answers[unsigned.reference] = ProviderResult(reference=unsigned.reference, verified=False, success=True,
                                                      amount_vnd=FEE, raw={"forged": "1"})
    not_paid = make_payment(world["dossier"])
    bank.says_not_paid(not_paid)
    reconcile(clerk)
    run = latest()
    assert line_for(run, down.reference)["flags"] == ["error"]
    assert "connection refused" in line_for(run, down.reference)["note"]
    assert line_for(run, unsigned.reference)["flags"] == ["error"]
    # "not paid" may mean still on the bank's page: the payment stays open
    assert line_for(run, not_paid.reference)["flags"] == []
    assert set(Payment.objects.filter(pk__in=[down.pk, unsigned.pk, not_paid.pk]).values_list("state", flat=True)) \
        == {PaymentState.PENDING}


def test_only_the_days_pending_and_paid_payments_of_the_provider_are_asked(clerk, world, bank):
    today_pending = make_payment(world["dossier"])
    yesterday = make_payment(world["dossier"], created_at=timezone.now() - dt.timedelta(days=2))
    other_provider = make_payment(world["dossier"], provider="vnpay")
    failed = make_payment(world["dossier"])
    Payment.objects.filter(pk=failed.pk).update(state=PaymentState.FAILED)
    reconcile(clerk)
    run = latest()
    assert bank.asked == [today_pending.reference]
    assert {line["reference"] for line in run.lines} == {today_pending.reference, failed.reference}
    assert line_for(run, failed.reference)["their_state"] == "not_asked"
    assert yesterday.reference not in str(run.lines) and other_provider.reference not in str(run.lines)


def test_the_scheduler_command_settles_older_pending_payments_and_prints_mismatches(world, bank):
    older = make_payment(world["dossier"], created_at=timezone.now() - dt.timedelta(minutes=40))
    bank.says_paid(older)
    young = make_payment(world["dossier"], created_at=timezone.now() - dt.timedelta(minutes=5))
    bank.says_paid(young)
    lost = settle(make_payment(world["dossier"]))
    out = io.StringIO()
    call_command("reconcile_payments", provider=FAKE, day=today(), older_than=15, stdout=out)
    printed = out.getvalue()
    older.refresh_from_db()
    young.refresh_from_db()
    assert older.state == PaymentState.PAID and young.state == PaymentState.PENDING
    assert young.reference not in bank.asked
    assert "settled=1 flagged=1" in printed
    assert lost.reference in printed and "Missing on the provider's side" in printed
    assert older.reference not in printed.split("\n", 1)[1]  # settled, not a mismatch
    with pytest.raises(CommandError):
        call_command("reconcile_payments", provider=FAKE, day=today(), strict=True, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("reconcile_payments", provider=FAKE, day="14/07/2025", stdout=io.StringIO())


def test_the_scheduler_names_yesterday_for_a_payment_started_before_midnight(world, bank):
    """The nightly job passes --day yesterday: a payment started late
    yesterday and paid without a notification is settled the next night."""
    late = make_payment(world["dossier"], created_at=timezone.now() - dt.timedelta(days=1))
    bank.says_paid(late)
    call_command("reconcile_payments", provider=FAKE, day="today", stdout=io.StringIO())
    late.refresh_from_db()
    assert late.state == PaymentState.PENDING
    call_command("reconcile_payments", provider=FAKE, day="yesterday", stdout=io.StringIO())
    late.refresh_from_db()
    assert late.state == PaymentState.PAID


# ---------------------------------------------------------------- statements


@pytest.fixture
def statement_world(world):
    payments = {
        "ok": settle(make_payment(world["dossier"])),
        "amount": settle(make_payment(world["dossier"])),
        "absent": settle(make_payment(world["dossier"])),
        "pending": make_payment(world["dossier"]),
    }
    return world | {"payments": payments}


def statement_csv(p) -> bytes:
    rows = [
        HEADER,
        f"paid;{FEE};{p['ok'].reference};;14800001;2025-07-14 09:30",
        f"00;{FEE + 1000:,};{p['amount'].reference};;14800002;14/07/2025 09:31".replace(",", "."),
        f"thành công;{FEE};{p['pending'].reference};;14800003;",
        "paid;50000;KHONG-CO-1;;14800004;20250714093000",
        f"paid;abc;{p['ok'].reference};;14800005;",
        "maybe;1000;X-2;;;",
        ";1000;;;;",
        f"paid;{FEE};{p['ok'].reference}-9;;;hôm qua",
        ";;;;;",
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_a_csv_statement_flags_every_kind_of_mismatch_and_settles_nothing(clerk, statement_world):
    p = statement_world["payments"]
    response = upload(clerk, "saoke-vnpay.csv", statement_csv(p))
    assert response.status_code == 302
    run = latest()
    assert run.mode == "statement" and run.statement_name == "saoke-vnpay.csv" and len(run.statement_sha256) == 64
    assert line_for(run, p["ok"].reference)["flags"] == []
    assert line_for(run, p["amount"].reference)["flags"] == ["amount"]
    assert line_for(run, p["absent"].reference)["flags"] == ["missing_theirs"]
    assert line_for(run, p["pending"].reference)["flags"] == ["state"]
    assert line_for(run, "KHONG-CO-1")["flags"] == ["missing_ours"]
    assert [problem["line"] for problem in run.totals["problems"]] == [6, 7, 8, 9]
    assert run.mismatches == 4 and run.totals["statement_lines"] == 4
    # a statement never settles
    p["pending"].refresh_from_db()
    assert p["pending"].state == PaymentState.PENDING
    kept = PaymentNotification.objects.filter(source="statement")
    assert kept.count() == 4 and not kept.filter(verified=True).exists()
    assert kept.get(payment=p["ok"]).raw["uploaded_by"] == statement_world["clerk"].get_username()
    assert kept.get(payment__isnull=True).raw["reference"] == "KHONG-CO-1"


def test_an_xlsx_statement_is_read_with_its_numbers_and_times(clerk, statement_world):
    p = statement_world["payments"]
    book = Workbook()
    sheet = book.active
    sheet.append(["Reference", "Provider reference", "Amount VND", "Status", "Paid at"])
    sheet.append([p["ok"].reference, 14800001, FEE, "Đã thanh toán", dt.datetime(2025, 7, 14, 9, 30)])
    sheet.append([p["amount"].reference, "14800002", float(FEE + 1), "paid", None])
    sheet.append([p["absent"].reference, "14800003", 12.5, "paid", None])
    content = io.BytesIO()
    book.save(content)
    assert upload(clerk, "saoke.xlsx", content.getvalue()).status_code == 302
    run = latest()
    assert line_for(run, p["ok"].reference)["flags"] == []
    assert line_for(run, p["ok"].reference)["their_paid_at"] == "2025-07-14 09:30:00"
    assert line_for(run, p["amount"].reference)["flags"] == ["amount"]
    assert line_for(run, p["absent"].reference)["flags"] == ["missing_theirs"]  # its line was unreadable
    assert [problem["line"] for problem in run.totals["problems"]] == [4]


@pytest.fixture
def vietnamese_catalogue(tmp_path, settings):
    """The Vietnamese of two statement messages, in a catalogue of this
    test's own, so the test does not wait for the project's catalogues."""
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=1; plural=0;"}
    po.append(polib.POEntry(msgid="Line %(line)d: %(problems)s", msgstr="Dòng %(line)d: %(problems)s"))
    po.append(polib.POEntry(msgid="The amount “%(value)s” is not a whole number of đồng.",
                            msgstr="Số tiền “%(value)s” không phải là một số nguyên đồng."))
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save_as_mofile(str(folder / "django.mo"))
    settings.LOCALE_PATHS = [str(tmp_path), *settings.LOCALE_PATHS]


@pytest.mark.usefixtures("vietnamese_catalogue")
@pytest.mark.parametrize(("language", "expected"), [
    ("vi", "Dòng 6: Số tiền “abc” không phải là một số nguyên đồng."),
    ("en", "Line 6: The amount “abc” is not a whole number of đồng."),
])
def test_bad_lines_are_reported_in_the_users_language(clerk, statement_world, language, expected):
    profile = UserProfile.get_for_user(statement_world["clerk"])
    profile.preferred_language = language
    profile.save()
    upload(clerk, "saoke.csv", statement_csv(statement_world["payments"]))
    run = latest()
    assert run.totals["problems"][0]["message"] == expected
    page = clerk.get(reverse("payments_admin:reconciliation", args=[run.pk]))
    assert expected in page.content.decode()


def test_a_statement_that_cannot_be_read_is_refused_whole_and_nothing_is_kept(clerk, statement_world):
    p = statement_world["payments"]
    wrong_columns = f"reference,amount\n{p['ok'].reference},{FEE}\n".encode()
    for name, content in [("saoke.csv", wrong_columns), ("saoke.txt", b"reference"), ("saoke.csv", b"\xff\xfe\x00"),
                          ("saoke.xlsx", b"PK\x03\x04 not a workbook"), ("saoke.csv", b"")]:
        response = upload(clerk, name, content)
        assert response.status_code == 400, name
        assert 'role="alert"' in response.content.decode()
    assert reconcile(clerk, mode="statement").status_code == 400  # no file
    assert reconcile(clerk, day=(timezone.localdate() + dt.timedelta(days=1)).isoformat()).status_code == 400
    assert reconcile(clerk, provider="no-such-bank").status_code == 400
    assert not Reconciliation.objects.exists()
    assert not PaymentNotification.objects.filter(source="statement").exists()


# ---------------------------------------------------------------- exports


def test_exports_cannot_run_formulas_and_carry_the_totals(clerk, statement_world):
    p = statement_world["payments"]
    rows = [HEADER, f'paid;{FEE};{p["ok"].reference};;=HYPERLINK("http://evil.example/","x");',
            "paid;1000;@SUM(1+1);;+cmd|' /C calc'!A0;"]
    upload(clerk, "saoke.csv", ("\n".join(rows) + "\n").encode())
    run = latest()
    response = clerk.get(reverse("payments_admin:reconciliation_export", args=[run.pk, "csv"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in table for cell in row]
    assert "'=HYPERLINK(\"http://evil.example/\",\"x\")" in cells and "'@SUM(1+1)" in cells
    assert not any(cell.startswith(("=", "+", "@", "-")) for cell in cells)
    assert table[-1][-1] == str(run.totals["settled"]) and [] in table  # totals after a blank row
    assert len(table) == 1 + len(run.lines) + 1 + 9

    response = clerk.get(reverse("payments_admin:reconciliation_export", args=[run.pk, "xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    lines, totals = book.worksheets
    values = [cell for row in lines.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(cell.value == "'@SUM(1+1)" for cell in values)
    assert all(cell.data_type == "s" for cell in values)
    assert not any(cell.value.startswith(("=", "+", "@")) for cell in values)
    assert [row[1] for row in totals.iter_rows(values_only=True)][0] == run.totals["ours"]
    assert clerk.get(reverse("payments_admin:reconciliation_export", args=[run.pk, "pdf"])).status_code == 404


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_reconciliations_at_once_settle_a_payment_once(monkeypatch):
    bank = use_fake_provider(monkeypatch)
    world = build_world()
    pending = make_payment(world["dossier"])
    bank.says_paid(pending)
    day = timezone.localdate()

    def run():
        return reconcile_by_query(FAKE, day, Payment.objects.all(), actor_label="test")

    threads, results, errors = run_together(run, run)
    join(threads)
    assert errors == [None, None]
    pending.refresh_from_db()
    assert pending.state == PaymentState.PAID
    assert PaymentEvent.objects.filter(payment=pending, action="paid").count() == 1
    settled = [line["flags"] for run in Reconciliation.objects.all() for line in run.lines]
    assert sorted(settled) == [[], ["settled"]]
