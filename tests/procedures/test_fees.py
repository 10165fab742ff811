"""Fee items and the level-4 rule: the rule itself, the page editor's
refusals in the Wagtail admin, the import's refusals and the export → import
round trip, the public page's table of fees, and the apply form's result
delivery choices."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from home.setup import translate_page
from procedures.exporting import write_csv, write_xlsx
from procedures.importing import BASE_COLUMNS, COLUMNS, import_file, read_table
from procedures.models import ProcedureFee, ProcedurePage, check_fees
from tests.procedures.fixtures import WARD, build_catalogue, make_procedure

pytestmark = pytest.mark.django_db

RESULT_METHODS_MESSAGE = "A level 4 procedure must offer the result online or by post."
ONLINE_PAYMENT_MESSAGE = "A level 4 procedure with a fee must let the applicant pay it online."


def vi_text(message: str) -> str:
    """A message as the Vietnamese admin and site show it."""
    with translation.override("vi"):
        return translation.gettext(message)


# ---------------------------------------------------------------- the rule


def test_the_rule_level_4_needs_a_remote_result_and_online_payment_of_any_fee():
    ok = check_fees(level=4, fee_vnd=None, item_amounts=[], online_payment=False, result_methods=["online"])
    assert ok.errors == {} and ok.fee_vnd is None
    office_only = check_fees(level=4, fee_vnd=None, item_amounts=[], online_payment=True, result_methods=["office"])
    assert set(office_only.errors) == {"result_methods"}
    assert set(check_fees(level=4, fee_vnd=None, item_amounts=[], online_payment=True,
                          result_methods=[]).errors) == {"result_methods"}
    for amounts, fee in (([8000], None), ([], 8000)):  # a fee item above 0, or fee_vnd above 0
        check = check_fees(level=4, fee_vnd=fee, item_amounts=amounts, online_payment=False, result_methods=["post"])
        assert set(check.errors) == {"online_payment"}
    free = check_fees(level=4, fee_vnd=0, item_amounts=[0], online_payment=False, result_methods=["post"])
    assert free.errors == {}
    # below level 4 neither is asked
    assert check_fees(level=3, fee_vnd=8000, item_amounts=[], online_payment=False, result_methods=[]).errors == {}


def test_the_rule_fills_an_empty_fee_with_the_items_total_and_refuses_a_different_one():
    filled = check_fees(level=3, fee_vnd=None, item_amounts=[8000, 5000], online_payment=False, result_methods=[])
    assert (filled.fee_vnd, filled.errors) == (13000, {})
    same = check_fees(level=3, fee_vnd=13000, item_amounts=[8000, 5000], online_payment=False, result_methods=[])
    assert (same.fee_vnd, same.errors) == (13000, {})
    differs = check_fees(level=3, fee_vnd=8000, item_amounts=[8000, 5000], online_payment=False, result_methods=[])
    assert differs.fee_vnd == 8000 and set(differs.errors) == {"fee_vnd"}  # refused, never overwritten
    # without items fee_vnd is whatever was entered, as before
    assert check_fees(level=3, fee_vnd=None, item_amounts=[], online_payment=False, result_methods=[]).fee_vnd is None


@pytest.fixture
def catalogue(home_page):
    return build_catalogue(home_page)


def ward_procedure(catalogue, code="2.000635", **values) -> ProcedurePage:
    return make_procedure(catalogue.index, code, "Cấp bản sao Trích lục hộ tịch", catalogue.fields["ho-tich"],
                          catalogue.agencies[WARD], **values)


def test_model_clean_refuses_on_the_right_fields(catalogue):
    page = ward_procedure(catalogue, level=3)
    page.level = 4
    page.online_payment, page.result_methods = False, ["office"]
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert set(caught.value.message_dict) == {"result_methods", "online_payment"}  # fee_vnd is 8.000 đồng


# ---------------------------------------------------------------- the page editor


def edit_data(page: ProcedurePage, *, fees=(), online_payment: bool, result_methods, **values) -> dict:
    """The admin edit form as an editor posts it, with new fee items `fees`."""
    data = nested_form_data({
        "title": page.title, "slug": page.slug, "code": page.code, "field": page.field_id,
        "agency": page.agency_id, "tier": page.tier, "level": page.level,
        "processing_time": str(page.processing_time), "processing_unit": page.processing_unit,
        "fee_vnd": "" if page.fee_vnd is None else str(page.fee_vnd), "fee_note": page.fee_note,
        "applicants": page.applicants, "steps": page.steps, "components": inline_formset([]),
        "fees": inline_formset([{"name": name, "amount_vnd": amount, "due": due, "payer": "", "exemptions": ""}
                                for name, amount, due in fees]),
        "submission_note": "", "result": page.result, "requirements": page.requirements,
        "seo_title": "", "search_description": "", "comments": inline_formset([]),
        "action-publish": "action-publish", **values,
    })
    # lists as a browser posts them (nested_form_data would number their items)
    data.update(submission_methods=page.submission_methods, result_methods=list(result_methods))
    if online_payment:
        data["online_payment"] = "on"
    return data


def post_edit(client, page, data):
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    errors = response.context["form"].errors if response.status_code == 200 and response.context else {}
    return response, errors


def test_editor_shows_fee_items_online_payment_and_result_methods(admin_client_with_second_factor, catalogue):
    page = ward_procedure(catalogue, level=4, fees=[("Lệ phí cấp bản sao", 8000, "submission", "", "")])
    response = admin_client_with_second_factor.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    for name in ("fees-TOTAL_FORMS", "fees-0-name", "fees-0-amount_vnd", "fees-0-due", "fees-0-payer",
                 "fees-0-exemptions", "online_payment", "result_methods", "fee_vnd", "fee_note"):
        assert f'name="{name}"' in text, name
    assert 'value="Lệ phí cấp bản sao"' in text


def test_editor_refuses_level_4_without_an_online_or_postal_result(admin_client_with_second_factor, catalogue):
    page = ward_procedure(catalogue, level=3)
    page_rev = page.latest_revision_id
    data = edit_data(page, level=4, online_payment=True, result_methods=["office"])
    response, errors = post_edit(admin_client_with_second_factor, page, data)
    assert response.status_code == 200
    assert list(errors) == ["result_methods"]
    assert html.escape(vi_text(RESULT_METHODS_MESSAGE)) in response.content.decode()
    page.refresh_from_db()
    assert page.level == 3 and page.latest_revision_id == page_rev  # nothing saved
    response, errors = post_edit(admin_client_with_second_factor, page,
                                 edit_data(page, level=4, online_payment=True, result_methods=["office", "post"]))
    assert response.status_code == 302, errors
    page.refresh_from_db()
    assert (page.level, page.result_methods, page.online_payment) == (4, ["office", "post"], True)


def test_editor_refuses_level_4_with_a_fee_item_and_no_online_payment(admin_client_with_second_factor, catalogue):
    page = ward_procedure(catalogue, level=3, fee_vnd=None)
    data = edit_data(page, level=4, online_payment=False, result_methods=["online"],
                     fees=[("Lệ phí cấp bản sao Trích lục hộ tịch", 8000, "submission")])
    response, errors = post_edit(admin_client_with_second_factor, page, data)
    assert response.status_code == 200
    assert list(errors) == ["online_payment"]
    assert html.escape(vi_text(ONLINE_PAYMENT_MESSAGE)) in response.content.decode()
    assert not ProcedureFee.objects.filter(page=page).exists()
    # the fee items in the form count, not the stored ones: a free item is no fee
    data = edit_data(page, level=4, online_payment=False, result_methods=["online"],
                     fees=[("Lệ phí đăng ký khai sinh", 0, "submission")])
    response, errors = post_edit(admin_client_with_second_factor, page, data)
    assert response.status_code == 302, errors


def test_editor_fills_an_empty_fee_with_the_items_total_and_refuses_a_contradicting_one(
        admin_client_with_second_factor, catalogue):
    page = ward_procedure(catalogue, level=4, fee_vnd=None)
    fees = [("Lệ phí cấp bản sao Trích lục hộ tịch", 8000, "submission"), ("Phí gửi kết quả", 22000, "notice")]
    response, errors = post_edit(admin_client_with_second_factor, page,
                                 edit_data(page, fee_vnd="9000", online_payment=True, result_methods=["online"],
                                           fees=fees))
    assert response.status_code == 200 and list(errors) == ["fee_vnd"]
    assert "30.000" in response.content.decode()  # the items' total is named
    response, errors = post_edit(admin_client_with_second_factor, page,
                                 edit_data(page, fee_vnd="", online_payment=True, result_methods=["online"],
                                           fees=fees))
    assert response.status_code == 302, errors
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.fee_vnd == 30000
    assert [(f.name, f.amount_vnd, f.due) for f in page.fees.all()] == [
        ("Lệ phí cấp bản sao Trích lục hộ tịch", 8000, "submission"), ("Phí gửi kết quả", 22000, "notice")]


def test_translation_keeps_amounts_and_due_synchronised_and_translates_the_words():
    from wagtail_localize.fields import SynchronizedField, TranslatableField, get_translatable_fields

    page_fields = {f.field_name: f for f in get_translatable_fields(ProcedurePage)}
    for name in ("online_payment", "result_methods", "fee_vnd"):
        assert isinstance(page_fields[name], SynchronizedField) and not page_fields[name].overridable, name
    assert isinstance(page_fields["fees"], TranslatableField)
    fee_fields = {f.field_name: f for f in get_translatable_fields(ProcedureFee)}
    for name in ("amount_vnd", "due"):
        assert isinstance(fee_fields[name], SynchronizedField) and not fee_fields[name].overridable, name
    for name in ("name", "payer", "exemptions"):
        assert isinstance(fee_fields[name], TranslatableField), name


# ---------------------------------------------------------------- import and export


@pytest.fixture
def english_messages():
    with translation.override("en"):
        yield


def row(**overrides) -> dict[str, str]:
    values = {
        "code": "2.000635", "name": "Cấp bản sao Trích lục hộ tịch", "field": "Hộ tịch", "agency_code": WARD,
        "tier": "commune", "level": "4", "processing_days": "1", "fee_vnd": "", "fee_note": "8.000 đồng/bản sao.",
        "fee_items": "Lệ phí cấp bản sao Trích lục hộ tịch | 8.000 | khi nộp | | Miễn cho người thuộc hộ nghèo.",
        "online_payment": "có", "result_methods": "trực tuyến, bưu chính, tại cơ quan",
    }
    values.update(overrides)
    return values


def to_csv(rows, columns=COLUMNS) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return io.BytesIO(buffer.getvalue().encode("utf-8"))


def run(rows, columns=COLUMNS):
    return import_file(to_csv(rows, columns), "procedures.csv")


def test_import_creates_fee_items_and_fills_the_fee(catalogue, english_messages):
    _plan, result = run([row(fee_items="Lệ phí cấp bản sao Trích lục hộ tịch | 8.000 | khi nộp\n"
                                       "Phí gửi kết quả qua bưu chính | 22.000 đ | thông báo | Người nhận | "
                                       "Miễn | cho người có công")])
    assert (result.created, result.refused) == (1, [])
    page = ProcedurePage.objects.get(code="2.000635")
    assert page.fee_vnd == 30000 and page.online_payment
    assert page.result_methods == ["office", "post", "online"]
    assert [(f.name, f.amount_vnd, f.due, f.payer, f.exemptions) for f in page.fees.order_by("sort_order")] == [
        ("Lệ phí cấp bản sao Trích lục hộ tịch", 8000, "submission", "", ""),
        ("Phí gửi kết quả qua bưu chính", 22000, "notice", "Người nhận", "Miễn | cho người có công"),
    ]
    draft = page.latest_revision.as_object()  # the first revision an editor opens has the items too
    assert [f.amount_vnd for f in draft.fees.all()] == [8000, 22000]


def test_import_refuses_bad_fee_cells_and_level_4_without_its_rule(catalogue, english_messages):
    bad = [
        row(code="1.000001", result_methods="tại cơ quan"),                        # 2 level 4, office only
        row(code="1.000002", online_payment="không"),                              # 3 level 4, fee, not online
        row(code="1.000003", fee_items="", fee_vnd="50.000", online_payment="no"),  # 4 the same with fee_vnd
        row(code="1.000004", fee_items="Lệ phí | tám nghìn"),                      # 5 amount
        row(code="1.000005", fee_items="Lệ phí | 8000 | hàng tháng"),              # 6 due
        row(code="1.000006", fee_items="| 8000"),                                  # 7 no name
        row(code="1.000007", online_payment="maybe"),                              # 8 yes/no
        row(code="1.000008", result_methods="online, fax"),                        # 9 result method
        row(code="1.000009", fee_vnd="9.000"),                                     # 10 differs from the items
    ]
    _plan, result = run([*bad, row(code="1.000010")])
    reasons = {r.line: " ".join(r.reasons) for r in result.refused}
    assert sorted(reasons) == list(range(2, 11))
    assert f"“result_methods”: {RESULT_METHODS_MESSAGE}" in reasons[2]
    assert f"“online_payment”: {ONLINE_PAYMENT_MESSAGE}" in reasons[3] and "online_payment" in reasons[4]
    assert "tám nghìn" in reasons[5] and "whole đồng" in reasons[5]
    assert "hàng tháng" in reasons[6] and "khi nộp" in reasons[6]
    assert "name and amount are required" in reasons[7]
    assert "maybe" in reasons[8]
    assert "“fax”" in reasons[9]
    assert "“fee_vnd”" in reasons[10] and "9,000" in reasons[10] and "8,000" in reasons[10]
    assert list(ProcedurePage.objects.values_list("code", flat=True)) == ["1.000010"]
    assert ProcedureFee.objects.count() == 1


def test_import_refusal_in_the_users_language_in_the_admin_preview(admin_client_with_second_factor, catalogue):
    from django.core.files.base import ContentFile

    upload = ContentFile(to_csv([row(result_methods="office")]).getvalue(), name="catalogue.csv")
    response = admin_client_with_second_factor.post(reverse("procedures_import"), {"file": upload})
    assert response.status_code == 200
    assert html.escape(vi_text(RESULT_METHODS_MESSAGE)) in response.content.decode()
    assert not ProcedurePage.objects.exists()


def test_a_file_with_only_the_old_columns_still_imports_and_keeps_what_it_does_not_name(catalogue,
                                                                                         english_messages):
    legacy = {c: v for c, v in row(level="3", fee_vnd="8.000").items() if c in BASE_COLUMNS}
    _plan, result = run([legacy], columns=BASE_COLUMNS)
    assert (result.created, result.refused) == (1, [])
    page = ProcedurePage.objects.get()
    # fee_vnd and fee_note as before: no fee item is made from them
    assert (page.fee_vnd, page.fee_note, page.fees.count()) == (8000, "8.000 đồng/bản sao.", 0)
    assert (page.online_payment, page.result_methods) == (False, [])
    # the new columns set the items, payment and result; the old file then leaves them alone
    run([row(level="3", fee_vnd="8.000", online_payment="yes", result_methods="post")])
    page = ProcedurePage.objects.get()
    assert page.fees.count() == 1 and page.online_payment and page.result_methods == ["post"]
    _plan, result = run([{**legacy, "steps": "Nộp hồ sơ\nNhận kết quả"}], columns=BASE_COLUMNS)
    assert (result.updated, result.refused) == (1, [])
    page = ProcedurePage.objects.get()
    assert page.steps == "Nộp hồ sơ\nNhận kết quả"
    assert page.fees.count() == 1 and page.online_payment and page.result_methods == ["post"]
    # the level-4 rule judges what the page would hold: an old file cannot make it level 4 without a way out
    _plan, result = run([{**legacy, "level": "4"}], columns=BASE_COLUMNS)
    assert result.updated == 1  # post is offered and the fee is paid online
    run([row(level="3", fee_vnd="8.000", online_payment="no", result_methods="")])
    _plan, result = run([{**legacy, "level": "4"}], columns=BASE_COLUMNS)
    assert [r.reasons for r in result.refused] == [[f"“result_methods”: {RESULT_METHODS_MESSAGE}",
                                                    f"“online_payment”: {ONLINE_PAYMENT_MESSAGE}"]]
    # a header may name the new columns in any order, after the old ones, but not others
    columns = (*BASE_COLUMNS, "result_methods", "fee_items")
    assert run([row(code="1.000020", level="3")], columns=columns)[1].created == 1
    from procedures.importing import ImportFileError

    with pytest.raises(ImportFileError, match="in this order"):
        run([row()], columns=(*BASE_COLUMNS, "fees"))
    with pytest.raises(ImportFileError, match="in this order"):
        run([row()], columns=(*BASE_COLUMNS, "fee_items", "fee_items"))


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_fees(catalogue, tmp_path, suffix, english_messages):
    run([
        row(fee_items="Lệ phí cấp bản sao | 8000 | khi nộp\nPhí thẩm định | 4.300.000 | thông báo | Doanh nghiệp"),
        row(code="1.001193", name="Đăng ký khai sinh", fee_items="", fee_vnd="", online_payment="không",
            result_methods="online"),
        row(code="1.000894", name="Đăng ký kết hôn", level="3", fee_items="", fee_vnd="", online_payment="",
            result_methods=""),
    ])
    page = ProcedurePage.objects.get(code="2.000635")
    translation_page = translate_page(page, "en", title="Copies of civil status extracts", slug="extracts")
    stored = snapshot()
    path = tmp_path / f"export.{suffix}"
    with path.open("wb" if suffix == "xlsx" else "w", **({} if suffix == "xlsx" else {"encoding": "utf-8"})) as out:
        (write_xlsx if suffix == "xlsx" else write_csv)(out)
    with path.open("rb") as stream:
        cells = {c["code"]: c for _line, c in read_table(stream, path.name)}
    assert cells["2.000635"]["fee_items"] == ("Lệ phí cấp bản sao | 8000 | khi nộp\n"
                                              "Phí thẩm định | 4300000 | thông báo | Doanh nghiệp")
    assert cells["2.000635"]["fee_vnd"] == "4308000"
    assert (cells["2.000635"]["online_payment"], cells["2.000635"]["result_methods"]) == ("yes",
                                                                                         "office, post, online")
    assert (cells["1.000894"]["online_payment"], cells["1.000894"]["result_methods"]) == ("no", "")
    with path.open("rb") as stream:
        _plan, result = import_file(stream, path.name)
    assert (result.created, result.updated, result.unchanged, result.refused) == (0, 0, 3, [])
    assert snapshot() == stored
    # a changed amount follows on the translation, whose words stay translated
    en_fee = translation_page.fees.get(amount_vnd=8000)
    en_fee.name = "Fee per copy"
    en_fee.save()
    run([row(fee_items="Lệ phí cấp bản sao | 9000 | khi nộp")])
    translated = ProcedurePage.objects.get(pk=translation_page.pk)
    assert [(f.name, f.amount_vnd) for f in translated.fees.all()] == [("Fee per copy", 9000)]
    assert translated.fee_vnd == 9000


def snapshot():
    return [
        (p.pk, p.code, p.fee_vnd, p.online_payment, p.result_methods, p.latest_revision_id,
         [(f.pk, f.name, f.amount_vnd, f.due, f.payer, f.exemptions, f.sort_order) for f in p.fees.all()])
        for p in ProcedurePage.objects.order_by("code", "locale_id")
    ]


# ---------------------------------------------------------------- the public page


def page_text(client, page) -> str:
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.usefixtures("vietnamese")
def test_page_shows_the_fees_as_a_table_with_payment_and_result_when_true(client, catalogue):
    page = ward_procedure(catalogue, level=4, fees=[
        ("Lệ phí cấp bản sao Trích lục hộ tịch", 8000, "submission", "", "Miễn cho người thuộc hộ nghèo."),
        ("Phí gửi kết quả", 22000, "notice", "Người nhận kết quả", ""),
    ], result_methods=["online", "post"])
    text = page_text(client, page)
    table = re.search(r'<table class="fee-table">.*?</table>', text, re.S).group(0)
    assert re.search(r'<caption id="fees-caption">[^<]*30\.000 đồng', table)
    assert table.count('<th scope="col">') == 5
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>"
                      r"\s*<td>(.*?)</td>", table, re.S)
    applicant, exemptions_none = vi_text("The applicant"), vi_text("None")
    assert [r[:3] for r in rows] == [("Lệ phí cấp bản sao Trích lục hộ tịch", "8.000 đồng", applicant),
                                     ("Phí gửi kết quả", "22.000 đồng", "Người nhận kết quả")]
    assert rows[0][4] == "Miễn cho người thuộc hộ nghèo." and rows[1][4] == exemptions_none
    assert rows[0][3] == vi_text("When the dossier is submitted")
    assert 'role="region" aria-labelledby="fees-caption" tabindex="0"' in text
    assert html.escape(vi_text("Pay online: the fees can be paid on this portal when you apply online.")) in text
    receive = re.search(re.escape(html.escape(vi_text("Receiving the result"))) + r"</dt><dd>(.*?)</dd>", text).group(1)
    assert re.findall(r"<li>(.*?)</li>", receive) == [vi_text("By post"), vi_text("Online")]
    assert "30.000 đồng" in text  # fee_display, the items' total, for old readers


@pytest.mark.usefixtures("vietnamese")
def test_page_without_items_keeps_the_fee_display_and_claims_nothing(client, catalogue):
    page = ward_procedure(catalogue, level=3)
    text = page_text(client, page)
    assert "8.000 đồng" in text and "fee-table" not in text
    assert html.escape(vi_text("Receiving the result")) not in text
    assert html.escape(vi_text("Pay online: the fees can be paid on this portal when you apply online.")) not in text


def test_english_page_shows_the_translated_items(client, catalogue):
    page = ward_procedure(catalogue, level=4, fees=[("Lệ phí cấp bản sao", 8000, "submission", "", "")])
    english = translate_page(page, "en", title="Copies of civil status extracts", slug="extracts")
    fee = english.fees.get()
    fee.name = "Fee per copy"
    fee.save()
    assert fee.locale == Locale.objects.get(language_code="en")
    with translation.override("en"):
        text = page_text(client, english)
    assert re.search(r'<th scope="row">Fee per copy</th>\s*<td>8,000 VND</td>\s*<td>The applicant</td>', text)


# ---------------------------------------------------------------- applying


APPLICANT = {
    "applying_as": "self", "full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "id_number": "001090012345",
    "phone": "0912 345 678", "email": "an@example.com", "address_0": "66", "address_1": "24133",
    "address_2": "12 Lê Duẩn",
}


@pytest.fixture
def applying(client, db):
    """A signed-in citizen at the delivery step of a level 4 procedure's
    application; `to_delivery(result_methods)` sets what the procedure offers."""
    from tests.dossier_factories import make_procedure as make_dossier_procedure
    from tests.eform_factories import citizen, make_eform

    procedure = make_dossier_procedure("2.000635", level=4, title="Cấp bản sao Trích lục hộ tịch")
    make_eform(procedure, fields=[("Số bản sao", "Number of copies", "singleline", True, {})], translate=False)
    client.force_login(citizen("an", id_number="001090012345"))

    def to_delivery(result_methods, level=4) -> str:
        procedure.result_methods, procedure.level = result_methods, level
        procedure.save_revision().publish()
        start = client.post(f"/p/{procedure.code}/apply/", {})
        answers = client.post(start["Location"], APPLICANT)
        delivery = client.post(answers["Location"], {"so_ban_sao": "2"})
        assert delivery.status_code == 302
        return delivery["Location"]

    return procedure, to_delivery


def delivery_choices(client, url) -> list[tuple[str, bool]]:
    text = client.get(url).content.decode()
    return [(value, "checked" in attrs)
            for attrs, value in re.findall(r'<input([^>]*name="result_delivery"[^>]*value="(\w+)"[^>]*)>', text)]


@pytest.mark.usefixtures("vietnamese")
def test_apply_offers_only_the_procedures_result_methods(client, applying):
    procedure, to_delivery = applying
    url = to_delivery(["online", "post"])
    assert delivery_choices(client, url) == [("post", False), ("online", False)]
    response = client.post(url, {"agency": str(procedure.agency_id), "channel": "online",
                                 "result_delivery": "online"})
    assert response.status_code == 302, response.content.decode()[:500]
    from eforms.models import Dossier

    assert Dossier.objects.get().result_delivery == "online"


@pytest.mark.usefixtures("vietnamese")
def test_apply_with_one_result_method_preselects_it_and_none_means_the_office(client, applying):
    _procedure, to_delivery = applying
    assert delivery_choices(client, to_delivery(["online"])) == [("online", True)]
    assert delivery_choices(client, to_delivery([], level=3)) == [("office", True)]


@pytest.mark.usefixtures("vietnamese")
def test_apply_refuses_a_forged_result_delivery(client, applying):
    from eforms.forms import SubmissionForm
    from eforms.models import Dossier

    procedure, to_delivery = applying
    url = to_delivery(["online"])
    for forged in ("office", "post", "by-pigeon"):
        response = client.post(url, {"agency": str(procedure.agency_id), "channel": "online",
                                     "result_delivery": forged, "delivery_address": "12 Lê Duẩn"})
        assert response.status_code == 200
        message = str(SubmissionForm.base_fields["result_delivery"].error_messages["invalid_choice"])
        assert response.context["form"].errors["result_delivery"] == [message]
        assert html.escape(message) in response.content.decode()
        assert Dossier.objects.get().result_delivery == "office"  # the draft's default, nothing stored
        assert "delivery" not in Dossier.objects.get().form_data["done"]
