"""The statistics' figures against a small dataset counted by hand.

Thirteen dossiers of one procedure (3 working days), moved through the real
lifecycle with `now=` in the past, on a calendar with 1 January, 30 April
and 1 May off and Saturday 11 April 2026 a make-up working day. The
comments give each dossier's appointment as counted by hand.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import TestCase
from wagtail.models import Locale

from eforms import lifecycle
from eforms.file_kinds import UploadRules
from eforms.models import Channel, Dossier
from eforms.services import supplement_field
from eforms.uploads import check_file
from procedures.models import CalendarDay
from reports import facts
from reports.figures import Period, Scope, figures, figures_by, monthly_series
from reports.models import DailyFact, DossierTally, MonthlyFact
from tests.dossier_factories import make_agency, make_citizen, make_procedure, make_staff, pdf_bytes, submit, upload

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, clock: str = "09:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=HCM)


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def _file():
    return check_file(upload("giay-to.pdf", pdf_bytes()), UploadRules.default(), supplement_field(0))


def summed(model) -> Counter:
    """{key: count} of a fact table, each key's rows summed (a key may have
    several rows until they are compacted), keys counting 0 left out."""
    counts: Counter = Counter()
    for *key, count in model.objects.values_list(*model.key_fields(), "count"):
        counts[tuple(key)] += count
    return +counts


def make_world() -> dict:
    for day, kind in (("2026-01-01", "day_off"), ("2026-04-30", "day_off"), ("2026-05-01", "day_off"),
                      ("2026-04-11", "working_day")):
        CalendarDay.objects.create(date=d(day), kind=kind, name="test")
    agency = make_agency("000.00.01.H01", "Sở Tư pháp")
    other = make_agency("000.00.02.H01", "Sở Y tế")
    procedure = make_procedure("1.001193", agency, processing_time=3)
    other_procedure = make_procedure("1.000894", other, processing_time=3, title="Cấp giấy phép hành nghề")
    staff = make_staff("clerk", agency, "receiver", "handler", "leader")
    other_staff = make_staff("clerk2", other, "receiver", "handler", "leader")
    citizen = make_citizen("dan")
    return {"agency": agency, "other": other, "procedure": procedure, "other_procedure": other_procedure, "staff": lifecycle.Actor.staff(staff),
            "other_staff": lifecycle.Actor.staff(other_staff), "citizen": citizen}


def _dossier(world, submitted: str, *, agency=None, channel=Channel.ONLINE, clock="08:00") -> Dossier:
    procedure = world["procedure"] if agency is None else world["other_procedure"]
    return submit(procedure, world["citizen"], agency=agency or world["agency"], channel=channel,
                  now=at(submitted, clock))


def _received(world, day: str, *, staff=None, agency=None, channel=Channel.ONLINE, clock="09:00") -> Dossier:
    dossier = _dossier(world, day, agency=agency, channel=channel, clock="08:00" if clock >= "08:00" else clock)
    lifecycle.receive(dossier, staff or world["staff"], now=at(day, clock))
    return dossier


def _complete(world, dossier, day: str, staff=None) -> None:
    staff = staff or world["staff"]
    if dossier.status == "received":
        lifecycle.start_processing(dossier, staff, now=at(day, "08:00"))
    lifecycle.complete(dossier, staff, result="Phiếu lý lịch tư pháp", now=at(day, "10:00"))


def make_dataset(world) -> dict:
    staff = world["staff"]
    out = {}
    # D12: received Mon 29/12/2025, due Fri 2/1 (1/1 off), completed 7/1: late, carried into 2026.
    out["d12"] = dossier = _received(world, "2025-12-29")
    _complete(world, dossier, "2026-01-07")
    # D1: received Mon 30/3, due Thu 2/4, completed 2/4: on time, carried into April.
    out["d1"] = dossier = _received(world, "2026-03-30")
    _complete(world, dossier, "2026-04-02")
    # D2: received Mon 6/4, due Thu 9/4, completed 8/4: early.
    out["d2"] = dossier = _received(world, "2026-04-06")
    _complete(world, dossier, "2026-04-08")
    # D4: received Thu 9/4, due Mon 13/4 (Sat 11/4 works), completed 14/4: late.
    out["d4"] = dossier = _received(world, "2026-04-09")
    _complete(world, dossier, "2026-04-14")
    # D5: received Wed 1/4, due Mon 6/4; supplement asked Thu 2/4 with 2 days left, answered Wed 8/4:
    # due Fri 10/4; completed 10/4: on time.
    out["d5"] = dossier = _received(world, "2026-04-01")
    lifecycle.start_processing(dossier, staff, now=at("2026-04-01", "10:00"))
    lifecycle.request_supplement(dossier, staff, ["Bản sao CCCD"], deadline=d("2026-04-20"),
                                 now=at("2026-04-02"))
    lifecycle.answer_supplement(dossier, lifecycle.Actor.applicant(world["citizen"]), files=[_file()],
                                now=at("2026-04-08"))
    _complete(world, dossier, "2026-04-10")
    # D6: received Mon 6/4, due Thu 9/4; extended (form 04) on 8/4 to 15/4; completed 14/4: late.
    out["d6"] = dossier = _received(world, "2026-04-06")
    lifecycle.start_processing(dossier, staff, now=at("2026-04-06", "10:00"))
    lifecycle.extend(dossier, staff, reason="Cần xác minh", appointment=d("2026-04-15"), now=at("2026-04-08"))
    _complete(world, dossier, "2026-04-14")
    # D7: received Mon 20/4, due Thu 23/4, still being processed: overdue from 24/4.
    out["d7"] = dossier = _received(world, "2026-04-20")
    lifecycle.start_processing(dossier, staff, now=at("2026-04-20", "10:00"))
    # D3: received Tue 28/4, due Tue 5/5 (30/4 and 1/5 off), completed 5/5: on time.
    out["d3"] = dossier = _received(world, "2026-04-28")
    _complete(world, dossier, "2026-05-05")
    # D8: submitted 15/4, refused 16/4.
    out["d8"] = dossier = _dossier(world, "2026-04-15")
    lifecycle.reject(dossier, staff, reason="Không thuộc thẩm quyền", now=at("2026-04-16"))
    # D9: received Mon 13/4 (due 16/4), cancelled 17/4 during processing.
    out["d9"] = dossier = _received(world, "2026-04-13")
    lifecycle.cancel(dossier, staff, reason="Người nộp đề nghị dừng", now=at("2026-04-17"))
    # D10: submitted 21/4, withdrawn by the applicant 22/4 before receipt.
    out["d10"] = dossier = _dossier(world, "2026-04-21")
    lifecycle.withdraw(dossier, lifecycle.Actor.applicant(world["citizen"]), now=at("2026-04-22"))
    # D11: at the other agency's desk, received Wed 22/4, due Mon 27/4, completed 27/4, returned 28/4.
    out["d11"] = dossier = _received(world, "2026-04-22", staff=world["other_staff"], agency=world["other"],
                                     channel=Channel.DESK)
    _complete(world, dossier, "2026-04-27", staff=world["other_staff"])
    lifecycle.return_result(dossier, world["other_staff"], now=at("2026-04-28"), handover_method="desk")
    # D13: received at 00:30 on Fri 1/5 (a day off; 17:30 UTC on 30/4): counts in May, due Thu 7/5.
    out["d13"] = _received(world, "2026-05-01", clock="00:30")
    return out


class FiguresByHand(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = make_world()
        cls.dataset = make_dataset(cls.world)

    def test_appointments_counted_by_hand(self):
        due = {name: (dossier.refresh_from_db() or dossier).counted_due_at.astimezone(HCM).date()
               for name, dossier in self.dataset.items() if dossier.counted_due_at}
        assert due == {
            "d12": d("2026-01-02"), "d1": d("2026-04-02"), "d2": d("2026-04-09"), "d4": d("2026-04-13"),
            "d5": d("2026-04-10"), "d6": d("2026-04-09"), "d7": d("2026-04-23"), "d3": d("2026-05-05"),
            "d9": d("2026-04-16"), "d11": d("2026-04-27"), "d13": d("2026-05-07"),
        }


    def test_april(self):
        f = figures(Period(d("2026-04-01"), d("2026-04-30")))
        assert f.carried_over == 1  # D1
        assert f.received_by_channel == {"online": 7, "desk": 1}
        assert (f.early, f.on_time, f.late) == (1, 3, 2)  # D2; D1, D5, D11; D4, D6
        assert (f.open_within, f.open_overdue) == (1, 1)  # D3; D7
        assert (f.refused, f.cancelled, f.invalid, f.returned) == (1, 2, 0, 1)
        assert f.on_time_rate == Decimal("66.7")
        assert f.online_rate == Decimal("87.5")


    def test_may_carries_over_what_april_left_open(self):
        f = figures(Period(d("2026-05-01"), d("2026-05-31")))
        assert f.carried_over == 2  # D3, D7
        assert f.received == 1  # D13, received at 00:30 local on 1 May
        assert (f.early, f.on_time, f.late) == (0, 1, 0)  # D3
        assert (f.open_within, f.open_overdue) == (0, 2)  # D7, D13
        assert f.on_time_rate == Decimal("100.0")


    def test_march_edge_and_the_year_carries_over_from_the_previous_year(self):
        march = figures(Period(d("2026-03-01"), d("2026-03-31")))
        assert (march.carried_over, march.received, march.open_within, march.open_overdue) == (0, 1, 1, 0)
        year = figures(Period(d("2026-01-01"), d("2026-12-31")))
        assert year.carried_over == 1  # D12, received on 29/12/2025
        assert year.received == 10  # everything received in 2026 (D8 and D10 never were)
        assert (year.early, year.on_time, year.late) == (1, 4, 3)  # D2; D1, D5, D11, D3; D12, D4, D6
        assert (year.open_within, year.open_overdue) == (0, 2)  # D7, D13
        previous = figures(Period(d("2025-12-01"), d("2025-12-31")))
        assert (previous.received, previous.open_within) == (1, 1)


    def test_a_period_across_months_mixes_daily_and_monthly_facts(self):
        f = figures(Period(d("2026-04-10"), d("2026-05-04")))
        assert f.carried_over == 3  # D4, D5, D6
        assert f.received_by_channel == {"online": 4, "desk": 1}  # D7, D9, D3, D13; D11
        assert (f.early, f.on_time, f.late) == (0, 2, 2)  # D5, D11; D4, D6
        assert (f.refused, f.cancelled, f.returned) == (1, 2, 1)
        assert (f.open_within, f.open_overdue) == (2, 1)  # D3, D13; D7


    def test_scope_by_agency_and_breakdown(self):
        april = Period(d("2026-04-01"), d("2026-04-30"))
        other = figures(april, Scope(agency_ids=(self.world["other"].pk,)))
        assert (other.received_by_channel, other.on_time, other.returned) == ({"desk": 1}, 1, 1)
        by_agency = figures_by(april, "agency")
        assert by_agency[self.world["other"].pk].resolved == 1
        assert by_agency[self.world["agency"].pk].resolved == 5
        assert by_agency[self.world["agency"].pk].carried_over == 1
        assert figures(april, Scope(tier="commune")).received == 0


    def test_six_months_series(self):
        series = monthly_series(d("2026-05-31"))
        assert [p.start for p, _f in series] == [d(f"2025-{m}-01") for m in (12,)] + [
            d(f"2026-0{m}-01") for m in range(1, 6)]
        assert [f.received for _p, f in series] == [1, 0, 0, 1, 8, 1]
        assert [f.resolved for _p, f in series] == [0, 1, 0, 0, 6, 1]


    @staticmethod
    def _facts():
        return summed(DailyFact), summed(MonthlyFact), sorted(DossierTally.objects.values_list("dossier_id", "facts"))


    def test_facts_kept_current_equal_facts_rebuilt(self):
        current = self._facts()
        assert current[0]  # the dataset made facts
        result = facts.rebuild()
        assert result.dossiers == 13
        assert self._facts() == current
        call_command("rebuild_statistics", "--check")


    def test_a_deleted_dossier_takes_its_counts_with_it(self):
        april = Period(d("2026-04-01"), d("2026-04-30"))
        self.dataset["d7"].events.all().delete()
        Dossier.objects.filter(pk=self.dataset["d7"].pk).delete()
        f = figures(april)
        assert (f.received, f.open_overdue) == (7, 0)
        current = self._facts()
        facts.rebuild()
        assert self._facts() == current


    @staticmethod
    def _rows(model) -> list[tuple]:
        """Every row of a fact table as (key…, count, delta), sorted."""
        return sorted(model.objects.values_list(*model.key_fields(), "count", "delta"),
                      key=lambda row: tuple(str(v) for v in row))

    def test_changes_are_appended_and_compaction_leaves_what_a_rebuild_writes(self):
        kept = self._facts()
        # Every change was appended: more rows than keys, none updated in place,
        # and what a change took back (the due day paused by D5's supplement
        # request) is a negative row.
        assert MonthlyFact.objects.count() > len(summed(MonthlyFact))
        assert not DailyFact.objects.filter(delta=False).exists()
        assert DailyFact.objects.filter(count__lt=0).exists()

        rows = sum(model.objects.count() for model in facts.FACT_MODELS)
        keys = sum(len(set(model.objects.values_list(*model.key_fields()))) for model in facts.FACT_MODELS)
        result = facts.compact()
        # every row read once; a key whose rows sum to 0 leaves no row
        assert (result.rows_read, result.keys) == (rows, keys)
        assert result.rows_written == sum(len(summed(model)) for model in facts.FACT_MODELS) < keys
        assert self._facts() == kept
        compacted = {model: self._rows(model) for model in facts.FACT_MODELS}
        for model, rows in compacted.items():
            assert len(rows) == len({row[:5] for row in rows}) == len(summed(model))  # one row per key
            assert all(count > 0 and not delta for *_key, count, delta in rows)
        assert facts.compact() == facts.CompactResult(0, 0, 0)

        facts.rebuild()
        assert {model: self._rows(model) for model in facts.FACT_MODELS} == compacted

    def test_after_a_compaction_only_the_keys_changed_are_merged_again(self):
        facts.compact()
        # A second dossier received on D7's day: its rows are appended beside the merged ones.
        _received(self.world, "2026-04-20")
        key = (d("2026-04-20"), self.world["agency"].pk, self.world["procedure"].pk, Channel.ONLINE, "received")
        rows = DailyFact.objects.filter(**dict(zip(DailyFact.key_fields(), key, strict=True)))
        assert sorted(rows.values_list("count", "delta")) == [(1, False), (1, True)]
        # received and due (23/4), by day, month and year
        assert facts.compact() == facts.CompactResult(keys=6, rows_read=12, rows_written=6)
        assert list(rows.values_list("count", "delta")) == [(2, False)]
        current = self._facts()
        facts.rebuild()
        assert self._facts() == current

    def test_the_check_compares_sums_and_sees_a_drift(self):
        out = io.StringIO()
        call_command("rebuild_statistics", "--check", stdout=out)  # rows not merged yet: no difference
        assert "facts are current" in out.getvalue()
        DailyFact.objects.create(day=d("2026-04-20"), agency=self.world["agency"], procedure=self.world["procedure"],
                                 channel=Channel.ONLINE, outcome="received", count=1, delta=True)
        with pytest.raises(SystemExit):
            call_command("rebuild_statistics", "--check", stdout=io.StringIO(), stderr=io.StringIO())
        out = io.StringIO()
        call_command("compact_statistics", stdout=out)
        assert out.getvalue().startswith("compacted ")

    def test_an_english_copy_counts_with_the_vietnamese_agency(self):
        english = self.world["other"].get_translation_or_none(
            Locale.objects.get(language_code="en"))
        assert english is not None
        dossier = _received(self.world, "2026-06-01", agency=self.world["other"], staff=self.world["other_staff"])
        # Older data (or another writer) may point at the translation.
        dossier.agency = english
        dossier.save()
        june = Period(d("2026-06-01"), d("2026-06-30"))
        assert figures(june, Scope(agency_ids=(self.world["other"].pk,))).received == 1


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def test_a_period_is_cut_into_whole_years_months_and_days_that_cover_it_once():
    import random

    from reports.figures import pieces

    chance = random.Random(15)
    cases = [(d("2025-01-01"), d("2026-12-31")), (d("2025-03-10"), d("2027-02-14")), (d("2026-02-01"), d("2026-02-28")),
             (d("2026-04-30"), d("2026-05-01")), (d("2024-12-31"), d("2025-01-01"))]
    cases += [(start, start + dt.timedelta(days=chance.randrange(0, 1200)))
              for start in (d("2024-01-01") + dt.timedelta(days=chance.randrange(0, 900)) for _ in range(200))]
    for start, end in cases:
        covered = []
        for level, first, last in pieces(start, end):
            if level == "year":
                covered += _days(first, dt.date(last.year, 12, 31))
            elif level == "month":
                covered += _days(first, (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                                 - dt.timedelta(days=1))
            else:
                covered += _days(first, last)
        assert covered == _days(start, end), (start, end)
    assert pieces(d("2025-03-10"), d("2027-02-14")) == [
        ("day", d("2025-03-10"), d("2025-03-31")), ("month", d("2025-04-01"), d("2025-12-01")),
        ("year", d("2026-01-01"), d("2026-01-01")), ("month", d("2027-01-01"), d("2027-01-01")),
        ("day", d("2027-02-01"), d("2027-02-14"))]
