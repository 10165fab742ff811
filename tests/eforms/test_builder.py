"""E-form builder: the portal's field types and their
messages in both languages, synchronised field names across translations,
form versions, preview, and the procedure page's apply button."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from eforms.form_builder import EFormBuilder
from eforms.models import EFormField, EFormPage, FormVersion
from eforms.models.forms import FieldSpec, sections_of, split_choices
from tests.dossier_factories import make_procedure
from tests.eform_factories import make_eform


def build(*specs: FieldSpec, data=None):
    form_class = EFormBuilder(list(specs)).get_form_class()
    return form_class(data)


def errors(form, name: str) -> str:
    form.is_valid()
    return " ".join(form.errors.get(name, []))


# ---------------------------------------------------------------- field types


@pytest.mark.parametrize(
    "field_type,value,vi_text,en_text",
    [
        ("id_number", "12345", "12 chữ số", "exactly 12 digits"),
        ("phone", "0123", "10 chữ số", "10 digits"),
        ("tax_code", "12345678", "10 chữ số", "10 digits"),
        ("birth_date", "2999-01-01", "tương lai", "future"),
        ("birth_date", "1850-01-01", "năm sinh", "year of birth"),
    ],
)
def test_portal_field_messages_in_both_languages(field_type, value, vi_text, en_text):
    spec = FieldSpec(clean_name="x", label="X", field_type=field_type)
    with translation.override("vi"):
        assert vi_text in errors(build(spec, data={"x": value}), "x")
    with translation.override("en"):
        assert en_text in errors(build(spec, data={"x": value}), "x")


def test_valid_values_are_normalised():
    form = build(
        FieldSpec(clean_name="id", label="ID", field_type="id_number"),
        FieldSpec(clean_name="phone", label="Phone", field_type="phone"),
        FieldSpec(clean_name="tax", label="Tax", field_type="tax_code"),
        FieldSpec(clean_name="tax13", label="Tax", field_type="tax_code"),
        FieldSpec(clean_name="dob", label="DOB", field_type="birth_date"),
        data={"id": "001 099 012 345", "phone": "+84 912.345.678", "tax": "0123456789", "tax13": "0123456789001",
              "dob": "1990-05-17"},
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id"] == "001099012345"
    assert form.cleaned_data["phone"] == "0912345678"
    assert form.cleaned_data["tax"] == "0123456789"
    assert form.cleaned_data["tax13"] == "0123456789-001"
    assert form.cleaned_data["dob"] == dt.date(1990, 5, 17)


def test_address_commune_follows_the_province():
    spec = FieldSpec(clean_name="addr", label="Address", field_type="address")
    ok = build(spec, data={"addr_0": "66", "addr_1": "24133", "addr_2": "12 Lê Duẩn"})
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["addr"] == {"province_code": "66", "province": "Tỉnh Đắk Lắk", "commune_code": "24133",
                                       "commune": "Phường Buôn Ma Thuột", "street": "12 Lê Duẩn"}
    # the commune list of a bound form is its province's: 102 communes of Đắk Lắk (+ the empty choice)
    assert len(ok.fields["addr"].fields[1].choices) == 103
    # Phường Hoàn Kiếm (Hà Nội) is not in Đắk Lắk
    with translation.override("en"):
        wrong = build(spec, data={"addr_0": "66", "addr_1": "00070", "addr_2": "1 Tràng Tiền"})
        assert "Select a valid choice" in errors(wrong, "addr")
        missing = build(spec, data={"addr_0": "66", "addr_1": "", "addr_2": ""})
        assert "commune" in errors(missing, "addr")
    hanoi = build(spec, data={"addr_0": "01", "addr_1": "00070", "addr_2": "1 Tràng Tiền"})
    assert hanoi.is_valid(), hanoi.errors


def test_declaration_must_be_ticked_and_choices_keep_one_value():
    specs = [
        FieldSpec(clean_name="decl", label="I declare", field_type="declaration", required=False),
        FieldSpec(clean_name="purpose", label="Purpose", field_type="radio", choices="Xin việc\nDu học",
                  choice_labels="Job application\nStudy abroad"),
    ]
    with translation.override("vi"):
        assert "Đánh dấu" in errors(build(*specs, data={"purpose": "Du học"}), "decl")
    with translation.override("en"):
        form = build(*specs, data={"purpose": "Du học"})
        assert "Tick the box" in errors(form, "decl")
        assert list(form.fields["purpose"].choices) == [("Xin việc", "Job application"), ("Du học", "Study abroad")]
        form = build(*specs, data={"purpose": "Study abroad", "decl": "on"})
        assert "purpose" in form.errors  # the stored value is the synchronised choice, never the label
        assert build(*specs, data={"purpose": "Du học", "decl": "on"}).is_valid()


def test_file_field_rules_and_step_breaks():
    specs = [
        FieldSpec(clean_name="a", label="A", field_type="singleline"),
        FieldSpec(clean_name="step2", label="Documents", field_type="step", help_text="Scans"),
        FieldSpec(clean_name="f", label="F", field_type="file", allowed_types="pdf, png", max_files=2,
                  max_file_size_mb=3),
    ]
    form = build(*specs)
    assert "step2" not in form.fields
    rules = form.fields["f"].rules
    assert rules.allowed_types == ("pdf", "png") and rules.max_files == 2 and rules.max_file_size == 3 * 1024 * 1024
    assert 'accept=".pdf,.png"' in str(form["f"]) and "multiple" in str(form["f"])
    sections = sections_of(specs, "Request")
    assert [(s.key, s.title, [f.clean_name for f in s.fields]) for s in sections] == [
        ("s1", "Request", ["a"]), ("s2", "Documents", ["f"])]
    assert sections[1].help_text == "Scans"


@pytest.mark.django_db
def test_editor_validation_of_upload_types():
    from django.core.exceptions import ValidationError

    field = EFormField(label="Scan", field_type="file", allowed_types="pdf,exe")
    with pytest.raises(ValidationError):
        field.clean()


# ---------------------------------------------------------------- languages


@pytest.mark.django_db
def test_same_clean_names_and_values_in_vietnamese_and_english():
    vi_form = make_eform()
    en_form = vi_form.get_translation(__import__("tests.dossier_factories", fromlist=["en"]).en()).specific
    vi_fields = list(vi_form.form_fields.order_by("sort_order"))
    en_fields = list(en_form.form_fields.order_by("sort_order"))
    assert [f.label for f in en_fields][:2] == ["Purpose of the request", "Details"]
    assert [f.clean_name for f in vi_fields] == [f.clean_name for f in en_fields]
    assert vi_fields[0].clean_name == "muc_dich_yeu_cau"
    assert [f.choices for f in vi_fields] == [f.choices for f in en_fields]
    # the two languages' forms take and return the same data
    data = {"muc_dich_yeu_cau": "Du học", "noi_dung_chi_tiet": "..."}
    with translation.override("vi"):
        vi_bound = vi_form.get_form(data)
        assert vi_bound.is_valid(), vi_bound.errors
    with translation.override("en"):
        en_bound = en_form.get_form(data)
        assert en_bound.is_valid(), en_bound.errors
        assert dict(en_bound.fields["muc_dich_yeu_cau"].choices)["Du học"] == "Study abroad"
    assert vi_bound.cleaned_data == en_bound.cleaned_data
    # the versions differ by language but share their structure
    assert vi_form.current_version().structure_digest == en_form.current_version().structure_digest
    assert vi_form.current_version().digest != en_form.current_version().digest


@pytest.mark.django_db
def test_wagtail_localize_keeps_field_identity_out_of_translation():
    """Only labels, help texts and choice labels are offered to translators;
    a sync from the source keeps the names, types and choices."""
    from wagtail_localize.models import StringSegment, TranslationSource

    from tests.dossier_factories import en

    page = make_eform(translate=False)
    source, _created = TranslationSource.get_or_create_from_instance(page)
    strings = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    assert "Mục đích yêu cầu" in strings and "Bản sao căn cước" in strings
    assert "muc_dich_yeu_cau" not in strings and "radio" not in strings
    assert not any("Xin việc\nDu học" in s for s in strings)
    translated, _created = source.create_or_update_translation(en(), copy_parent_pages=True, fallback=True)
    assert sorted(translated.form_fields.values_list("clean_name", flat=True)) == sorted(
        page.form_fields.values_list("clean_name", flat=True))
    assert set(translated.form_fields.values_list("field_type", flat=True)) == {"radio", "multiline", "step", "file"}


# ---------------------------------------------------------------- versions


@pytest.mark.django_db
def test_publishing_freezes_a_version_and_an_unchanged_form_reuses_it():
    page = make_eform(translate=False)
    versions = FormVersion.objects.filter(form_key=page.translation_key)
    assert versions.count() == 1
    first = versions.get()
    assert page.current_version() == first
    assert [f["clean_name"] for f in first.definition["fields"]][:2] == ["muc_dich_yeu_cau", "noi_dung_chi_tiet"]
    # an editor adds a field and publishes: a new version; the old one is untouched
    fields = list(page.form_fields.all())
    fields.append(EFormField(label="Số điện thoại liên hệ", field_type="phone", sort_order=9))
    page.form_fields = fields
    page.save_revision().publish()
    page = EFormPage.objects.get(pk=page.pk)
    assert versions.count() == 2
    assert page.current_version() != first
    first.refresh_from_db()
    assert "so_dien_thoai_lien_he" not in [f["clean_name"] for f in first.definition["fields"]]
    assert FormVersion.from_reference(first.reference()) == first


# ---------------------------------------------------------------- preview and procedure page


@pytest.mark.django_db
def test_editors_preview_shows_every_step():
    page = make_eform(translate=False)
    response = page.make_preview_request(preview_mode="form")
    assert response.status_code == 200
    html = response.rendered_content if hasattr(response, "rendered_content") else response.content.decode()
    for text in ("Mục đích yêu cầu", "Bản sao căn cước", "Giấy tờ kèm theo", 'type="file"'):
        assert text in html


@pytest.mark.django_db
def test_procedure_page_shows_the_apply_button_only_with_a_live_eform(client):
    procedure = make_procedure()
    assert "/p/1.001193/apply/" not in client.get(procedure.url).content.decode()
    page = make_eform(procedure, translate=False)
    html = client.get(procedure.url).content.decode()
    assert 'href="/p/1.001193/apply/"' in html and "Nộp hồ sơ trực tuyến" in html
    page.unpublish()
    assert "/p/1.001193/apply/" not in client.get(procedure.url).content.decode()


@pytest.mark.django_db
def test_printable_button_for_a_level_2_procedure(client):
    procedure = make_procedure("2.000001", level=2, title="Thủ tục mức 2")
    make_eform(procedure, translate=False)
    html = client.get(procedure.url).content.decode()
    assert 'href="/p/2.000001/apply/"' in html and "Điền tờ khai để in" in html


# ---------------------------------------------------------------- choices and Wagtail's Forms menu


@pytest.mark.parametrize("typed, expected", [
    ("Có, Không", ["Có", "Không"]),
    ("Bản chính\nBản sao, có chứng thực\nBản điện tử", ["Bản chính", "Bản sao, có chứng thực", "Bản điện tử"]),
    ("a,\nb,\nc", ["a", "b", "c"]),
    ("  một  ,hai ", ["một", "hai"]),
    ("\n  chỉ một dòng\n", ["chỉ một dòng"]),
])
def test_choices_split_by_lines_or_by_commas_on_one_line(typed, expected):
    assert split_choices(typed) == expected
    spec = FieldSpec("kind", "Loại", "dropdown", choices=typed)
    assert [value for value, _label in spec.choice_pairs()] == expected


@pytest.mark.django_db
def test_wagtail_forms_menu_does_not_list_eform_pages(admin_client_with_second_factor):
    page = make_eform(translate=False)
    response = admin_client_with_second_factor.get(reverse("wagtailforms:index"))
    assert response.status_code == 200
    assert page.title not in response.content.decode()
    listing = admin_client_with_second_factor.get(reverse("wagtailforms:list_submissions", args=[page.pk]))
    assert listing.status_code in (403, 302, 404)
