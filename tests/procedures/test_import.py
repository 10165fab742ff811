"""Import and export of the procedure catalogue."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Locale, PageLogEntry, Revision

from procedures.exporting import write_csv, write_xlsx
from procedures.importing import COLUMNS, import_file
from procedures.models import (
    Agency,
    Field,
    LegalDocumentIndexPage,
    LegalDocumentPage,
    ProcedureIndexPage,
    ProcedurePage,
)

HEADER = ",".join(COLUMNS)


@pytest.fixture(autouse=True)
def english_messages():
    """The service's messages in English for the assertions below (the
    Vietnamese ones are checked through the admin, whose default they are)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def catalogue(home_page):
    """A procedure catalogue with two agencies, one field, one legal
    document and one form template."""
    vi = Locale.objects.get(language_code="vi")
    province = Agency.objects.create(name="Ủy ban nhân dân tỉnh Đắk Lắk", tier="province",
                                     unit_code="000.00.00.H30", locale=vi)
    Agency.objects.create(name="Sở Tư pháp", tier="department", unit_code="000.00.10.H30", parent=province, locale=vi)
    Agency.objects.create(name="Phường Buôn Ma Thuột", tier="commune", unit_code="000.20.30.H30", parent=province,
                          locale=vi)
    Field.objects.create(name="Hộ tịch", code="ho-tich", locale=vi)
    index = home_page.add_child(instance=ProcedureIndexPage(title="Thủ tục hành chính", slug="thu-tuc", locale=vi))
    docs = home_page.add_child(instance=LegalDocumentIndexPage(title="Văn bản", slug="van-ban", locale=vi))
    docs.add_child(instance=LegalDocumentPage(
        title="Luật Hộ tịch", slug="luat-ho-tich", number="60/2014/QH13", doc_type="law", issuer="Quốc hội",
        signed_date=date(2014, 11, 20), locale=vi))
    document = get_document_model()(title="Tờ khai đăng ký khai sinh")
    document.file.save("to-khai-khai-sinh.docx", ContentFile(b"PK\x03\x04 form"), save=True)
    return index


def birth_row(**overrides) -> dict[str, str]:
    row = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "agency_code": "000.20.30.H30",
        "tier": "commune",
        "level": "4",
        "processing_days": "1",
        "fee_vnd": "",
        "fee_note": "Miễn lệ phí đăng ký khai sinh đúng hạn.",
        "co_agency_codes": "000.00.10.H30",
        "applicants": "Cha, mẹ của trẻ\nÔng, bà hoặc người thân thích khác",
        "steps": "Nộp hồ sơ\nCông chức tư pháp - hộ tịch kiểm tra\nTrả kết quả",
        "components": "Tờ khai đăng ký khai sinh | 1 | bản chính | to-khai-khai-sinh.docx\n"
                      "Giấy chứng sinh | 1 | bản chính",
        "submission_methods": "trực tiếp\nonline\npost",
        "result": "Giấy khai sinh (bản chính)",
        "requirements": "",
        "legal_basis": "60/2014/QH13",
        "fee_items": "",
        "online_payment": "có",
        "result_methods": "trực tuyến, bưu chính, tại cơ quan",
    }
    row.update(overrides)
    return row


def to_csv(rows: list[dict[str, str]], header=COLUMNS) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return io.BytesIO(buffer.getvalue().encode("utf-8"))


def run(rows, name="procedures.csv", **kwargs):
    return import_file(to_csv(rows), name, **kwargs)


def state() -> list[tuple]:
    """Everything an import may touch, to compare before and after."""
    pages = []
    for p in ProcedurePage.objects.order_by("code").prefetch_related("components", "fees", "co_agencies",
                                                                     "legal_basis"):
        pages.append((
            p.pk, p.code, p.title, p.slug, p.field_id, p.agency_id, p.tier, p.level, p.processing_time,
            p.processing_unit, p.fee_vnd, p.fee_note, p.applicants, p.steps, p.submission_methods, p.result,
            p.requirements, p.live, p.last_published_at, p.latest_revision_id,
            sorted(a.pk for a in p.co_agencies.all()), sorted(d.pk for d in p.legal_basis.all()),
            [(c.pk, c.name, c.copies, c.kind, c.form_template_id, c.sort_order) for c in p.components.all()],
            p.online_payment, p.result_methods,
            [(f.pk, f.name, f.amount_vnd, f.due, f.payer, f.exemptions, f.sort_order) for f in p.fees.all()],
        ))
    return [pages, Field.objects.count(), Revision.objects.count(), PageLogEntry.objects.count()]


def test_import_creates_a_whole_live_page(catalogue):
    plan, result = run([birth_row()])
    assert (result.created, result.updated, result.refused) == (1, 0, [])
    page = ProcedurePage.objects.get(code="1.001193")
    assert page.live and page.get_parent().pk == catalogue.pk
    assert page.url_path == f"{catalogue.url_path}thu-tuc-dang-ky-khai-sinh/"
    assert page.field.code == "ho-tich" and page.agency.unit_code == "000.20.30.H30"
    assert page.tier == "commune" and page.level == 4 and page.service_kind == "full"
    assert page.processing_time == Decimal("1") and page.processing_unit == "working_days"
    assert page.fee_vnd is None
    assert page.submission_methods == ["in_person", "online", "post"]
    assert [a.unit_code for a in page.co_agencies.all()] == ["000.00.10.H30"]
    assert [d.number for d in page.legal_basis.all()] == ["60/2014/QH13"]
    components = list(page.components.order_by("sort_order"))
    assert [(c.name, c.copies, c.kind) for c in components] == [
        ("Tờ khai đăng ký khai sinh", 1, "original"), ("Giấy chứng sinh", 1, "original")]
    assert components[0].form_template.title == "Tờ khai đăng ký khai sinh"
    assert components[1].form_template is None
    from wagtail.models import ReferenceIndex

    assert page.pk in {int(r.object_id) for r in ReferenceIndex.get_references_to(components[0].form_template)}
    catalogue.refresh_from_db()
    assert catalogue.numchild == 1
    # the tree is sound and the page is served and found
    from wagtail.models import Page

    assert Page.find_problems() == ([], [], [], [], [])
    from django.test import Client

    response = Client().get(page.url)
    assert response.status_code == 200
    assert "Tờ khai đăng ký khai sinh" in response.content.decode()
    assert ProcedurePage.objects.live().search("khai sinh").count() == 1


def test_bad_rows_are_refused_with_line_and_reason_and_leave_nothing(catalogue):
    good = birth_row(code="1.000001", name="Một thủ tục tốt")
    bad = [
        birth_row(code="", name="Không có mã"),                                            # line 3
        birth_row(code="1.000002", agency_code="999.99.99.H99"),                         # 4 unknown agency
        birth_row(code="1.000003", tier="tỉnh thành"),                                   # 5 tier
        birth_row(code="1.000004", level="5"),                                           # 6 level
        birth_row(code="1.000005", processing_days="mười lăm"),                          # 7 processing time
        birth_row(code="1.000006", fee_vnd="-100"),                                      # 8 fee
        birth_row(code="1.000007", co_agency_codes="000.00.10.H30\n123.45"),             # 9 co-agency
        birth_row(code="1.000008", components="Tờ khai | hai | bản chính"),              # 10 copies
        birth_row(code="1.000009", components="Tờ khai | 1 | bản nháp"),                 # 11 kind
        birth_row(code="1.000010", components="Tờ khai | 1 | bản chính | khong-co.docx"),  # 12 template
        birth_row(code="1.000011", submission_methods="fax"),                            # 13 method
        birth_row(code="1.000001", name="Trùng mã"),                                     # 14 duplicate
        birth_row(code="1 000 012"),                                                     # 15 code syntax
        birth_row(code="1.000013", name="", field="", level=""),                         # 16 required
        birth_row(code="1.000014", processing_days="0"),                                 # 17 not positive
    ]
    before = state()
    plan, result = run([good, *bad])
    reasons = {r.line: " ".join(r.reasons) for r in result.refused}
    assert sorted(reasons) == list(range(3, 18))
    assert "“code” is required" in reasons[3]
    assert "999.99.99.H99" in reasons[4]
    assert "Tier" in reasons[5]
    assert "Level" in reasons[6]
    assert "Processing time" in reasons[7]
    assert "Fee" in reasons[8]
    assert "123.45" in reasons[9]
    assert "copies" in reasons[10]
    assert "kind" in reasons[11]
    assert "khong-co.docx" in reasons[12]
    assert "fax" in reasons[13]
    assert "line 2" in reasons[14]
    assert "1 000 012" in reasons[15]
    assert "“name” is required" in reasons[16] and "“field”" in reasons[16] and "“level”" in reasons[16]
    assert "above 0" in reasons[17]
    assert result.created == 1
    # the refused rows left nothing: only the good row's page exists
    assert list(ProcedurePage.objects.values_list("code", flat=True)) == ["1.000001"]
    assert state()[1] == before[1]


def test_database_failure_in_a_batch_refuses_only_that_row(catalogue, monkeypatch):
    """A row the database refuses is rolled back whole; its batch-mates are written."""
    from django.db import IntegrityError

    from procedures.importing import PageWriter

    original = PageWriter.create_batch

    def failing(self, rows):
        if any(r.code == "1.000002" for r in rows):
            original(self, rows)  # write, then fail, as a constraint would
            raise IntegrityError("boom")
        return original(self, rows)

    monkeypatch.setattr(PageWriter, "create_batch", failing)
    rows = [birth_row(code=f"1.00000{i}", name=f"Thủ tục {i}") for i in range(1, 4)]
    _plan, result = run(rows)
    assert result.created == 2
    assert [(r.line, r.code) for r in result.refused] == [(3, "1.000002")]
    assert sorted(ProcedurePage.objects.values_list("code", flat=True)) == ["1.000001", "1.000003"]
    from wagtail.models import Page

    from procedures.models import ProcedureComponent

    assert ProcedureComponent.objects.count() == 4
    assert Page.find_problems() == ([], [], [], [], [])


def test_unknown_field_is_created_and_unlinked_legal_basis_is_a_warning(catalogue):
    plan, result = run([birth_row(field="Quốc tịch", legal_basis="60/2014/QH13\n99/2099/NĐ-CP")])
    assert plan.new_fields == ["Quốc tịch"]
    assert Field.objects.get(name="Quốc tịch").code == "quoc-tich"
    assert any("99/2099/NĐ-CP" in w for _line, _code, w in result.warnings)
    page = ProcedurePage.objects.get()
    assert [d.number for d in page.legal_basis.all()] == ["60/2014/QH13"]


def test_import_twice_changes_nothing(catalogue):
    rows = [birth_row(), birth_row(code="1.000894", name="Thủ tục đăng ký kết hôn", components="")]
    run(rows)
    before = state()
    plan, result = run(rows)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert state() == before


def test_changed_row_updates_the_page_through_a_revision(catalogue):
    run([birth_row()])
    page = ProcedurePage.objects.get()
    en = Locale.objects.get(language_code="en")
    from home.setup import translate_page

    translation = translate_page(page, "en", title="Birth registration", slug="birth-registration")
    plan, result = run([birth_row(level="3", fee_vnd="8.000", name="Đăng ký khai sinh",
                                  components="Giấy chứng sinh | 2 | bản sao", co_agency_codes="000.00.00.H30")])
    assert (result.created, result.updated) == (0, 1)
    page.refresh_from_db()
    assert (page.title, page.level, page.fee_vnd, page.slug) == ("Đăng ký khai sinh", 3, 8000,
                                                                 "thu-tuc-dang-ky-khai-sinh")
    assert [(c.name, c.copies, c.kind) for c in page.components.all()] == [("Giấy chứng sinh", 2, "copy")]
    assert page.live_revision is not None and not page.has_unpublished_changes
    assert [a.unit_code for a in page.co_agencies.all()] == ["000.00.00.H30"]
    # the language-independent values follow on the translation; its text stays
    translation = ProcedurePage.objects.get(pk=translation.pk)
    assert translation.locale == en and translation.level == 3 and translation.fee_vnd == 8000
    assert translation.title == "Birth registration" and not translation.has_unpublished_changes
    assert [a.unit_code for a in translation.co_agencies.all()] == ["000.00.00.H30"]
    # and a second run of the same file finds nothing to change
    assert run([birth_row(level="3", fee_vnd="8000", name="Đăng ký khai sinh", components="Giấy chứng sinh | 2 | bản sao",
                          co_agency_codes="000.00.00.H30")])[1].unchanged == 1


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_then_import_is_the_identity(catalogue, tmp_path, suffix):
    rows = [
        birth_row(),
        birth_row(code="2.000488", name="Cấp Phiếu lý lịch tư pháp", field="Lý lịch tư pháp", tier="province",
                  agency_code="000.00.10.H30", co_agency_codes="", level="3", processing_days="4 hours",
                  fee_vnd="200000", fee_note="Lệ phí: 200.000 đồng/lần.\nSinh viên: 100.000 đồng/lần.",
                  components="Tờ khai | 2 | bản chính hoặc bản sao\nCăn cước | 1 | bản sao chứng thực",
                  submission_methods="online", legal_basis=""),
        birth_row(code="1.000656", name="Đăng ký khai tử", processing_days="0,5 calendar_days", level="2",
                  applicants="", steps="", components="", submission_methods="", result="", co_agency_codes=""),
    ]
    run(rows)
    before = state()
    path = tmp_path / f"export.{suffix}"
    call_command("export_procedures", str(path), stdout=io.StringIO())
    # the export holds exactly the values imported
    with path.open("rb") as stream:
        from procedures.importing import read_table

        table = {cells["code"]: cells for _line, cells in read_table(stream, path.name)}
    assert table["2.000488"]["processing_days"] == "4 hours"
    assert table["2.000488"]["components"] == "Tờ khai | 2 | bản chính hoặc bản sao\nCăn cước | 1 | bản sao chứng thực"
    assert table["1.000656"]["processing_days"] == "0.5 calendar_days"
    assert re.fullmatch(r"Tờ khai đăng ký khai sinh \| 1 \| bản chính \| to-khai-khai-sinh(_\w{7})?\.docx",
                        table["1.001193"]["components"].splitlines()[0])
    out = io.StringIO()
    call_command("import_procedures", str(path), stdout=out)
    assert "created=0 updated=0 unchanged=3 refused=0" in out.getvalue()
    assert state() == before
    # and into an empty catalogue, the export rebuilds the same pages
    def signature(pages):
        return [row[1:17] + row[20:22] + row[23:25] + ([f[1:] for f in row[25]],) for row in pages]

    expected = signature(before[0])
    ProcedurePage.objects.all().delete()
    call_command("import_procedures", str(path), stdout=io.StringIO())
    assert signature(state()[0]) == expected


def test_xlsx_import_reads_numbers_and_refuses_a_wrong_header(catalogue, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    row = birth_row(components="")
    sheet.append([1.0005, *[row[c] for c in COLUMNS[1:5]], 4, 15, 50000, *[row[c] for c in COLUMNS[8:]]])
    path = tmp_path / "catalogue.xlsx"
    workbook.save(path)
    with path.open("rb") as stream:
        _plan, result = import_file(stream, "catalogue.xlsx")
    assert result.created == 1
    page = ProcedurePage.objects.get()
    assert (page.code, page.level, page.processing_time, page.fee_vnd) == ("1.000500", 4, Decimal("15"), 50000)

    from procedures.importing import ImportFileError

    with pytest.raises(ImportFileError, match="in this order"):
        import_file(to_csv([birth_row()], header=COLUMNS[::-1]), "bad.csv")
    with pytest.raises(ImportFileError, match=r"\.csv or \.xlsx"):
        import_file(io.BytesIO(b"x"), "bad.txt")


def test_command_reports_refused_rows(catalogue, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(to_csv([birth_row(), birth_row(code="1.2", level="9")]).getvalue())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_procedures", str(path), "--dry-run", stdout=out, stderr=err)
    assert "dry run: would have created=1" in out.getvalue()
    assert re.search(r"line 3 \(1\.2\): refused: Level “9”", err.getvalue())
    assert not ProcedurePage.objects.exists()


# ---------------------------------------------------------------- admin


@pytest.fixture
def admin_client(client, django_user_model, catalogue):
    user = django_user_model.objects.create_superuser(username="admin", email="admin@example.org", password="pw")
    return login(client, user)


def login(client, user):
    """Log in past the admin's second factor (accounts.mfa keeps it in the session)."""
    from tests.second_factor import pass_second_factor

    return pass_second_factor(client, user)


def staged_imports() -> set[str]:
    from django.core.files.storage import storages

    try:
        return set(storages["private"].listdir("procedure-imports")[1])
    except FileNotFoundError:
        return set()


def test_admin_upload_preview_confirm(admin_client, catalogue):
    run([birth_row()])
    rows = [
        birth_row(level="3"),                                                     # updated
        birth_row(code="1.000894", name="Thủ tục đăng ký kết hôn"),              # created
        birth_row(code="1.000656", name="Đăng ký khai tử", agency_code="bad"),    # refused
    ]
    upload = ContentFile(to_csv(rows).getvalue(), name="catalogue.csv")
    before = staged_imports()
    response = admin_client.post(reverse("procedures_import"), {"file": upload})
    assert response.status_code == 200
    # the file waits in the private store every app server shares, not on this one's disk
    assert len(staged_imports() - before) == 1
    html = response.content.decode()
    assert "Thủ tục đăng ký kết hôn" in html  # will be created
    assert "1.001193" in html  # will be updated
    assert "Không có cơ quan nào mang mã “bad”" in html  # refused, in the admin's Vietnamese
    assert ProcedurePage.objects.count() == 1  # nothing written by the preview
    assert ProcedurePage.objects.get().level == 4
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = admin_client.post(reverse("procedures_import_confirm"), {"token": token}, follow=True)
    assert response.status_code == 200
    assert ProcedurePage.objects.count() == 2
    assert ProcedurePage.objects.get(code="1.001193").level == 3
    assert staged_imports() == before
    # a token is used once
    response = admin_client.post(reverse("procedures_import_confirm"), {"token": token})
    assert response.status_code in (302, 400)
    assert ProcedurePage.objects.count() == 2


def test_imported_page_has_a_first_revision_an_editor_can_edit_and_publish(admin_client, catalogue):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    run([birth_row()])
    page = ProcedurePage.objects.get(code="1.001193")
    revisions = Revision.page_revisions.filter(object_id=str(page.pk))
    assert revisions.count() == 1
    assert page.latest_revision_id == page.live_revision_id == revisions.get().pk
    draft = page.latest_revision.as_object()
    assert (draft.title, draft.code) == (page.title, page.code)
    assert [c.name for c in draft.components.all()] == [c.name for c in page.components.order_by("sort_order")]

    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = admin_client.get(edit_url)
    assert response.status_code == 200
    assert "Giấy chứng sinh" in response.content.decode()

    components = list(page.components.order_by("sort_order"))
    data = nested_form_data({
        "title": "Thủ tục đăng ký khai sinh (sửa)", "slug": page.slug, "code": page.code,
        "field": page.field_id, "agency": page.agency_id, "co_agencies": [a.pk for a in page.co_agencies.all()],
        "tier": page.tier, "level": page.level, "processing_time": "1", "processing_unit": page.processing_unit,
        "fee_vnd": "", "fee_note": page.fee_note, "applicants": page.applicants, "steps": page.steps,
        "components": inline_formset([
            {"id": c.pk, "name": c.name, "copies": c.copies, "kind": c.kind, "form_template": c.form_template_id or ""}
            for c in components
        ], initial=len(components)),
        "fees": inline_formset([]), "online_payment": "on" if page.online_payment else "",
        "submission_methods": page.submission_methods, "submission_note": "", "result": page.result,
        "requirements": page.requirements, "legal_basis": [d.pk for d in page.legal_basis.all()],
        "seo_title": "", "search_description": "", "comments": inline_formset([]),
        "action-publish": "action-publish",
    })
    data["result_methods"] = page.result_methods  # a list: nested_form_data would number its items
    response = admin_client.post(edit_url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page.refresh_from_db()
    assert page.title == "Thủ tục đăng ký khai sinh (sửa)" and page.live
    assert revisions.count() == 2 and page.live_revision_id == page.latest_revision_id
    assert "(sửa)" in admin_client.get(page.url).content.decode()


def test_admin_upload_refuses_a_bad_file_and_needs_permission(admin_client, client, django_user_model):
    response = admin_client.post(reverse("procedures_import"),
                                 {"file": ContentFile(b"a,b\n1,2\n", name="x.csv")})
    assert response.status_code == 200
    assert "in this order" in response.content.decode() or "theo đúng thứ tự" in response.content.decode()
    assert not ProcedurePage.objects.exists()

    from django.test import Client

    editor = django_user_model.objects.create_user(username="editor", password="pw", is_staff=False)
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    other = login(Client(), editor)
    assert other.get(reverse("procedures_import")).status_code in (302, 403)
    assert other.get(reverse("procedures_export", args=["csv"])).status_code in (302, 403)


def test_admin_export_button(admin_client, catalogue):
    run([birth_row()])
    response = admin_client.get(reverse("procedures_export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER
    assert lines[1].startswith("1.001193,Thủ tục đăng ký khai sinh,Hộ tịch,000.20.30.H30,commune,4,1,")
    response = admin_client.get(reverse("procedures_export", args=["xlsx"]))
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet["A2"].value == "1.001193"


def test_write_helpers_count_rows(catalogue):
    run([birth_row()])
    assert write_csv(io.StringIO()) == 1
    assert write_xlsx(io.BytesIO()) == 1


# ---------------------------------------------------------------- demo data


def test_demo_catalogue_files_are_complete_and_valid():
    """The demo CSV passes the importer's reader, covers ≥ 40 procedures in
    ≥ 8 fields and 3 tiers, its English file matches it, and every form
    template it names is a small, real .docx."""
    import zipfile
    from pathlib import Path
    from xml.etree import ElementTree

    from procedures.importing import read_table

    data = Path(__file__).resolve().parents[2] / "procedures" / "demo_data"
    with (data / "procedures.csv").open("rb") as stream:
        vi = {cells["code"]: cells for _line, cells in read_table(stream, "procedures.csv")}
    with (data / "procedures_en.csv").open("rb") as stream:
        en = {cells["code"]: cells for _line, cells in read_table(stream, "procedures_en.csv")}
    assert len(vi) >= 40 and set(en) == set(vi)
    assert len({c["field"] for c in vi.values()}) >= 8
    assert {c["tier"] for c in vi.values()} == {"province", "district", "commune"}
    assert {c["level"] for c in vi.values()} == {"2", "3", "4"}
    assert {"1.001193", "1.000894", "2.000488", "2.000815", "2.000720", "1.009994", "1.012757", "1.012762",
            "2.002045", "1.000656"} <= set(vi)
    templates = set()
    for code, cells in vi.items():
        assert cells["name"] and en[code]["name"] and en[code]["steps"]
        components = cells["components"].splitlines()
        assert len(components) == len(en[code]["components"].splitlines()), code
        templates |= {c.split("|")[3].strip() for c in components if c.count("|") == 3}
    assert len(templates) >= 20
    for name in templates:
        path = data / "forms" / name
        assert path.exists() and path.stat().st_size < 20_000, name
        with zipfile.ZipFile(path) as package:
            body = ElementTree.fromstring(package.read("word/document.xml"))
            assert "[Content_Types].xml" in package.namelist()
        text = "".join(t.text or "" for t in body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_demo_procedures_load_in_both_languages_and_idempotent(home_page):
    from procedures import demo, demo_procedures

    class Out:
        def write(self, text):
            self.text = text

    demo.load_catalogue(Out())
    out = Out()
    demo_procedures.load(out)
    vi, en = Locale.objects.get(language_code="vi"), Locale.objects.get(language_code="en")
    assert ProcedurePage.objects.filter(locale=vi, live=True).count() == 48
    assert ProcedurePage.objects.filter(locale=en, live=True).count() == 48
    birth = ProcedurePage.objects.get(code="1.001193", locale=vi)
    birth_en = birth.get_translation(en).specific
    assert (birth.title, birth_en.title) == ("Đăng ký khai sinh", "Birth registration")
    assert birth_en.url == "/en/procedures/birth-registration/"
    form = birth.components.order_by("sort_order").first().form_template
    assert form.collection.name == "Biểu mẫu" and form.file.name.endswith(".docx")
    first_en = birth_en.components.order_by("sort_order").first()
    assert first_en.name == "Birth registration declaration form" and first_en.form_template_id == form.pk
    assert {d.number for d in birth.legal_basis.all()} == {"60/2014/QH13", "123/2015/NĐ-CP"}
    assert ProcedurePage.objects.filter(locale=vi, tier="district").count() == 2
    before = state()
    demo_procedures.load(out)
    assert state() == before
    assert "0 created, 0 updated, 48 unchanged" in out.text and "0 English translations made" in out.text
