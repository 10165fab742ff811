"""Dossier codes (Circular 01/2018/TT-VPCP Art. 19) and submission: one
dossier per attempt, codes unique even when many arrive at once."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

from eforms.lifecycle import ActorNotAllowed
from eforms.models import Dossier, DossierCodeCounter, DossierEvent, DossierStatus
from eforms.services import SubmissionError, save_draft, submit_dossier
from tests.databases import postgresql_only
from tests.dossier_factories import (
    PROVINCE_CODE,
    WARD_CODE,
    make_agency,
    make_citizen,
    make_procedure,
    submit,
)

ICT = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def procedure(db):
    return make_procedure()


@pytest.fixture
def citizen(db):
    return make_citizen("an")


def test_code_is_unit_date_and_sequence(procedure, citizen):
    moment = dt.datetime(2026, 11, 22, 9, 30, tzinfo=ICT)
    first = submit(procedure, citizen, now=moment)
    second = submit(procedure, citizen, now=moment + dt.timedelta(hours=1))
    assert first.code == "000.00.10.H30-261122-0001"
    assert second.code == "000.00.10.H30-261122-0002"
    next_day = submit(procedure, citizen, now=dt.datetime(2026, 11, 23, 8, 0, tzinfo=ICT))
    assert next_day.code == "000.00.10.H30-261123-0001"


def test_sequence_is_per_receiving_unit(db, citizen):
    province = make_agency(PROVINCE_CODE, "Ủy ban nhân dân tỉnh Đắk Lắk", "province")
    ward = make_agency(WARD_CODE, "Phường Buôn Ma Thuột", "commune")
    commune_procedure = make_procedure("2.000001", agency=province, tier="commune")
    moment = dt.datetime(2026, 11, 22, 9, 0, tzinfo=ICT)
    a = submit(commune_procedure, citizen, agency=ward, now=moment)
    b = submit(commune_procedure, citizen, agency=province, now=moment)
    assert a.code == f"{WARD_CODE}-261122-0001"
    assert b.code == f"{PROVINCE_CODE}-261122-0001"


def test_the_date_is_the_local_day(procedure, citizen):
    # 23:30 in UTC on the 21st is 06:30 on the 22nd in Hà Nội.
    dossier = submit(procedure, citizen, now=dt.datetime(2026, 11, 21, 23, 30, tzinfo=dt.UTC))
    assert "-261122-" in dossier.code


def test_pattern_is_a_setting(procedure, citizen, settings):
    settings.PORTAL_DOSSIER_CODE_PATTERN = "H30.{unit_code}.{date:%Y%m%d}.{seq:06d}"
    dossier = submit(procedure, citizen, now=dt.datetime(2026, 11, 22, 9, tzinfo=ICT))
    assert dossier.code == "H30.000.00.10.H30.20261122.000001"


def test_counter_is_a_row_not_a_max(procedure, citizen):
    moment = dt.datetime(2026, 11, 22, 9, tzinfo=ICT)
    submit(procedure, citizen, now=moment)
    # A dossier deleted (or a transaction rolled back after taking a number)
    # never makes its number come round again.
    Dossier.objects.all().delete()
    assert submit(procedure, citizen, now=moment).code.endswith("-0002")
    assert DossierCodeCounter.objects.get(unit_code="000.00.10.H30").last_value == 2


def test_submission_makes_one_dossier_with_everything(procedure, citizen):
    result = submit_dossier(
        procedure=procedure, agency=procedure.agency, applicant=citizen, form_data={"purpose": "Du học"},
        form_version={"revision": 7}, idempotency_key="k-1", login_method="vneid",
        result_delivery="post", delivery_address="12 Lê Duẩn, Phường Buôn Ma Thuột",
        now=dt.datetime(2026, 2, 13, 18, 0, tzinfo=ICT),
    )
    dossier = result.dossier
    assert result.created
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.form_data == {"purpose": "Du học"} and dossier.form_version == {"revision": 7}
    assert dossier.login_method == "vneid"
    assert dossier.applicant_snapshot["id_number"] == "001099012345"
    assert dossier.applicant_id_number == "001099012345" and dossier.applicant_phone == "0912345678"
    assert dossier.applicant_date_of_birth == dt.date(1990, 5, 17)
    # Friday evening before Tết 2026, no calendar seeded: Monday 16, then 3
    # working days (weekdays only here) → Thursday 19 February 07:00.
    assert dossier.expected_appointment_at == dt.datetime(2026, 2, 19, 7, 0, tzinfo=ICT)
    event = dossier.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor_kind) == (
        "submit", "draft", "submitted", "applicant")
    procedure.refresh_from_db()
    assert procedure.usage_count == 1


def test_double_click_or_replay_makes_one_dossier(procedure, citizen):
    first = submit_dossier(procedure=procedure, agency=procedure.agency, applicant=citizen, form_data={},
                           idempotency_key="same-key")
    again = submit_dossier(procedure=procedure, agency=procedure.agency, applicant=citizen, form_data={},
                           idempotency_key="same-key")
    assert first.created and not again.created
    assert again.dossier.pk == first.dossier.pk
    assert Dossier.objects.count() == 1 and DossierEvent.objects.count() == 1


def test_replayed_key_of_someone_else_is_refused(procedure, citizen):
    submit(procedure, citizen, key="shared")
    other = make_citizen("binh", id_number="001099099999")
    with pytest.raises(ActorNotAllowed):
        submit(procedure, other, key="shared")


def test_resubmitted_draft_makes_one_dossier(procedure, citizen):
    draft = save_draft(procedure=procedure, applicant=citizen, form_data={"step": 1})
    assert draft.status == DossierStatus.DRAFT and draft.code is None
    first = submit_dossier(procedure=procedure, agency=procedure.agency, applicant=citizen, form_data={"step": 2},
                           idempotency_key=str(draft.public_id), draft=draft)
    # The same draft submitted again from another tab with a fresh key.
    again = submit_dossier(procedure=procedure, agency=procedure.agency, applicant=citizen, form_data={"step": 2},
                           idempotency_key="another-tab", draft=draft)
    assert first.dossier.pk == draft.pk == again.dossier.pk and not again.created
    assert Dossier.objects.count() == 1
    # Saving the draft afterwards leaves the submitted dossier alone.
    assert save_draft(procedure=procedure, applicant=citizen, form_data={"x": 1}, draft=draft).form_data == {
        "step": 2}


def test_in_person_only_procedure_makes_no_dossier(db, citizen):
    paper = make_procedure("1.000002", level=2)
    with pytest.raises(SubmissionError):
        submit(paper, citizen)
    assert not Dossier.objects.exists()


def test_agency_must_receive_the_procedure(procedure, citizen):
    stranger = make_agency("000.00.14.H30", "Sở Y tế")
    with pytest.raises(SubmissionError) as error:
        submit(procedure, citizen, agency=stranger)
    assert "agency" in error.value.errors
    assert not DossierCodeCounter.objects.exists()


def test_home_service_needs_a_pickup_address(procedure, citizen):
    with pytest.raises(SubmissionError) as error:
        submit(procedure, citizen, channel="home_service")
    assert "pickup_address" in error.value.errors
    dossier = submit(procedure, citizen, channel="home_service", pickup_address="12 Lê Duẩn",
                     pickup_from=dt.datetime(2026, 3, 2, 8, tzinfo=ICT),
                     pickup_until=dt.datetime(2026, 3, 2, 11, tzinfo=ICT))
    dossier.refresh_from_db()
    assert dossier.channel == "home_service"
    assert dossier.pickup_until == dt.datetime(2026, 3, 2, 11, tzinfo=ICT)


def test_english_copies_point_at_the_vietnamese_agency_and_procedure(procedure, citizen):
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    en_agency = procedure.agency.get_translation(english)
    dossier = submit(procedure, citizen, agency=en_agency, language="en")
    assert dossier.agency_id == procedure.agency_id
    assert dossier.language == "en"


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_one_hundred_concurrent_submissions_get_one_hundred_codes():
    procedure = make_procedure()
    citizen = make_citizen("dong-thoi")
    total, workers = 100, 20
    barrier = threading.Barrier(workers)
    codes, errors = [], []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(index, total, workers):
                # A replayed key from a neighbour now and then: still one dossier per key.
                key = f"key-{n}"
                dossier = submit(procedure, citizen, key=key)
                with lock:
                    codes.append((key, dossier.code))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(codes) == total
    assert len({code for _key, code in codes}) == total
    assert Dossier.objects.count() == total
    sequences = sorted(int(code.rsplit("-", 1)[1]) for _key, code in codes)
    assert sequences == list(range(1, total + 1))


def test_system_checks_guard_the_settings(settings, tmp_path):
    from eforms.checks import check_dossier_settings

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    assert check_dossier_settings() == []
    settings.PORTAL_PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"
    assert [e.id for e in check_dossier_settings()] == ["eforms.E001"]
    settings.PORTAL_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PORTAL_DOSSIER_CODE_PATTERN = "{unit_code}-{date:%y%m%d}"
    assert [e.id for e in check_dossier_settings()] == ["eforms.E002"]
    settings.PORTAL_DOSSIER_CODE_PATTERN = "{unit_code}-{seq:04d}-{when}"
    assert [e.id for e in check_dossier_settings()] == ["eforms.E003"]
