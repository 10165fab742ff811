"""The statistics' demo year (`reports.demo`, part of `load_demo`): a year of
dossiers made through the services and the lifecycle, spread over the
channels and outcomes, whose facts follow from the dossiers (never written
directly): the year's figures are real-looking, the facts are the ones a
rebuild computes, a second load adds nothing and no message is sent for
history."""

import datetime as dt
import importlib
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from eforms.models import Channel, DocumentKind, Dossier, DossierEvent, IssuedDocument
from home.models import NewsPage
from notifications.models import Message
from reports import demo, facts
from reports.figures import Period, figures, figures_by
from reports.models import DailyFact, DossierTally, MonthlyFact
from tests.reports.test_facts import summed

pytestmark = pytest.mark.django_db

COUNT = 120
#: the demo modules the year stands on: site, catalogue, staff, the postal unit
PREREQUISITES = ("home.demo", "procedures.demo", "accounts.demo", "postal.demo")


@pytest.fixture
def load_year(home_page, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_DEMO_STATISTICS_DOSSIERS = COUNT
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        for name in PREREQUISITES:
            importlib.import_module(name).load(out)
    mail.outbox.clear()  # the other demos' own messages (the postal demo's pickup, its fee notice)

    def run() -> str:
        before = out.tell()
        # The commit callbacks run inside the quiet spell, as they do when
        # `load_demo` runs without an enclosing transaction (each submission
        # commits at once).
        with demo.quietly(), django_capture_on_commit_callbacks(execute=True):
            demo.load(out)
        return out.getvalue()[before:]

    return run


def _year() -> Period:
    today = timezone.localdate()
    return Period(today - dt.timedelta(days=365), today)


def _facts() -> tuple[set, set, set]:
    return (
        set(summed(DailyFact).items()),
        set(summed(MonthlyFact).items()),
        {(pk, a, p, c, repr(f)) for pk, a, p, c, f in DossierTally.objects.values_list(
            "dossier_id", "agency_id_counted", "procedure_id_counted", "channel", "facts")},
    )


def test_the_year_gives_real_looking_figures(load_year):
    output = load_year()
    assert f"{COUNT} dossiers of the demo year made" in output

    year = figures(_year())
    assert set(Channel.values) <= {c for c, n in year.received_by_channel.items() if n > 0}
    assert year.received >= COUNT * 0.9
    assert 80 <= year.on_time_rate < 100
    assert year.late > 0 and year.early > 0
    assert year.open_overdue > 0
    assert year.open_within > 0
    assert year.refused + year.cancelled + year.invalid > 0
    assert year.returned > 0
    assert len(figures_by(_year(), "agency")) >= 5
    assert len(figures_by(_year(), "field")) >= 5


def test_the_dossiers_went_through_the_services_and_the_lifecycle(load_year):
    load_year()
    dossiers = Dossier.objects.filter(idempotency_key__startswith=demo.KEY_PREFIX)
    assert dossiers.count() == COUNT
    # every one has its submission event, and every received one its receipt (form 01)
    submitted = set(DossierEvent.objects.filter(dossier__in=dossiers, action="submit").values_list("dossier_id",
                                                                                                    flat=True))
    assert submitted == set(dossiers.values_list("pk", flat=True))
    received = dossiers.filter(received_at__isnull=False)
    with_receipt = set(IssuedDocument.objects.filter(dossier__in=received, kind=DocumentKind.RECEIPT)
                       .values_list("dossier_id", flat=True))
    assert with_receipt == set(received.values_list("pk", flat=True))
    # extended by form 04, keeping the first appointment; supplements asked and answered
    extended = dossiers.filter(original_appointment_at__isnull=False)
    assert extended.exists()
    assert IssuedDocument.objects.filter(dossier__in=extended, kind=DocumentKind.EXTENSION).exists()
    assert DossierEvent.objects.filter(dossier__in=dossiers, action="answer_supplement").exists()
    # in the past: nothing happened after now, and the year is spread over many months
    now = timezone.now()
    assert not DossierEvent.objects.filter(dossier__in=dossiers, created_at__gt=now).exists()
    months = {timezone.localdate(d).replace(day=1) for d in dossiers.values_list("submitted_at", flat=True)}
    assert len(months) >= 10


def test_the_facts_are_the_ones_a_rebuild_computes(load_year):
    load_year()
    kept = _facts()
    assert kept[0]

    check = io.StringIO()
    call_command("rebuild_statistics", "--check", stdout=check)
    assert "facts are current" in check.getvalue()

    facts.rebuild()
    assert _facts() == kept


def test_a_second_load_adds_nothing_and_no_message_is_sent_for_history(load_year):
    load_year()
    counts = (Dossier.objects.count(), DossierEvent.objects.count(), IssuedDocument.objects.count(),
              DailyFact.objects.count())
    assert load_year() == ""
    assert (Dossier.objects.count(), DossierEvent.objects.count(), IssuedDocument.objects.count(),
            DailyFact.objects.count()) == counts
    assert not Message.objects.filter(dossier__idempotency_key__startswith=demo.KEY_PREFIX).exists()
    assert [(m.to, m.subject) for m in mail.outbox] == []  # no receipt, nothing else


def test_no_demo_year_when_the_setting_says_none(home_page, settings):
    settings.PORTAL_DEMO_STATISTICS_DOSSIERS = 0
    demo.load(io.StringIO())
    assert not Dossier.objects.filter(idempotency_key__startswith=demo.KEY_PREFIX).exists()


def test_the_service_index_news_links_to_the_live_statistics(home_page):
    out = io.StringIO()
    importlib.import_module("home.demo").load(out)
    news = NewsPage.objects.get(slug="ket-qua-chi-so-phuc-vu")
    body = str(news.body.raw_data)
    assert 'href="/statistics/"' in body
    assert "%" not in body and "32.023" not in body
    english = news.get_translation(news.locale.__class__.objects.get(language_code="en"))
    assert 'href="/en/statistics/"' in str(english.body.raw_data)
