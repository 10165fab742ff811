"""Applying online: sign-in, the applicant block from
the profile, agencies, steps and drafts, review and change, uploads, one
dossier per submission, versions, and the printable form of levels 1–2."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from eforms.drafts import drafts_for
from eforms.models import Dossier, DossierStatus, EFormField, EFormPage, FormVersion
from tests.dossier_factories import (
    JUSTICE_CODE,
    OTHER_WARD_CODE,
    WARD_CODE,
    exe_bytes,
    make_agency,
    make_procedure,
    pdf_bytes,
    upload,
)
from tests.eform_factories import citizen, make_eform

pytestmark = pytest.mark.django_db

CODE = "1.001193"
APPLICANT = {
    "applying_as": "self", "full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "id_number": "001090012345",
    "phone": "0912 345 678", "email": "an@example.com", "address_0": "66", "address_1": "24133",
    "address_2": "12 Lê Duẩn",
}
ANSWERS = {"muc_dich_yeu_cau": "Xin việc", "noi_dung_chi_tiet": "Bổ sung hồ sơ xin việc"}


@pytest.fixture
def setup(db):
    procedure = make_procedure(CODE)
    eform = make_eform(procedure, translate=False)
    user = citizen("an", id_number="001090012345")
    return {"procedure": procedure, "eform": eform, "user": user, "agency": procedure.agency}


@pytest.fixture
def signed_in(client, setup):
    client.force_login(setup["user"])
    session = client.session
    session["portal_login_method"] = "vneid"
    session.save()
    return client


def summary(response) -> str:
    """The error summary's text, for assertion messages."""
    html = response.content.decode()
    match = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(0)) if match else ""


def post_ok(client, url, data) -> str:
    response = client.post(url, data)
    assert response.status_code == 302, summary(response) or response.content.decode()[:2000]
    return response["Location"]


def start(client) -> str:
    return post_ok(client, f"/p/{CODE}/apply/", {})


def walk_to_review(client, agency) -> str:
    s1 = post_ok(client, start(client), APPLICANT)
    s2 = post_ok(client, s1, ANSWERS)
    delivery = post_ok(client, s2, {"ban_sao_can_cuoc": upload("cccd.pdf", pdf_bytes())})
    return post_ok(client, delivery, {"agency": str(agency.pk), "channel": "online", "result_delivery": "office"})


def idempotency_key(response) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', response.content.decode()).group(1)


# ---------------------------------------------------------------- who applies


def test_applying_requires_signing_in(client, setup):
    response = client.get(f"/p/{CODE}/apply/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/p/{CODE}/apply/"
    assert client.post(f"/p/{CODE}/apply/").status_code == 302
    assert not Dossier.objects.exists()


def test_unknown_procedure_or_no_eform_is_404(signed_in):
    assert signed_in.get("/p/9.999999/apply/").status_code == 404
    make_procedure("1.000001", title="Không có biểu mẫu")
    assert signed_in.get("/p/1.000001/apply/").status_code == 404


def test_applicant_block_is_prefilled_from_the_profile(signed_in):
    applicant_url = start(signed_in)
    html = signed_in.get(applicant_url).content.decode()
    assert "Bước 1/5" in html
    for value in ('value="Nguyễn Văn An"', 'value="001090012345"', 'value="0912345678"', 'value="1990-05-17"',
                  'value="12 Lê Duẩn"', '<option value="24133" selected>', '<option value="66" selected>'):
        assert value in html


def test_organisation_and_behalf_need_their_details(signed_in):
    url = start(signed_in)
    response = signed_in.post(url, {**APPLICANT, "applying_as": "organisation", "organisation_tax_code": "123"})
    assert response.status_code == 200
    text = summary(response)
    assert "Nhập tên tổ chức" in text and "Mã số thuế gồm 10 chữ số" in text
    assert 'value="Nguyễn Văn An"' in response.content.decode()  # nothing typed is lost
    s1 = post_ok(signed_in, url, {**APPLICANT, "applying_as": "organisation", "organisation_name": "Công ty TNHH An Phú",
                                  "organisation_tax_code": "6001234567-001"})
    draft = Dossier.objects.get()
    assert draft.form_data["applicant"]["organisation_tax_code"] == "6001234567-001"
    assert s1.endswith("/s1/")
    response = signed_in.post(url, {**APPLICANT, "applying_as": "behalf"})
    assert "Nhập họ và tên người mà bạn nộp hồ sơ thay" in summary(response)


def test_receiving_agency_choices(signed_in, setup):
    # province procedure: its agency and co-agencies only
    procedure = setup["procedure"]
    centre = make_agency("000.00.02.H30", "Trung tâm Phục vụ hành chính công tỉnh")
    ward = make_agency(WARD_CODE, "Phường Buôn Ma Thuột", tier="commune")
    procedure.co_agencies.add(centre)
    procedure.save_revision().publish()
    delivery = post_ok(signed_in, post_ok(signed_in, start(signed_in), APPLICANT), ANSWERS)
    delivery = post_ok(signed_in, delivery, {"ban_sao_can_cuoc": upload("a.pdf", pdf_bytes())})
    html = signed_in.get(delivery).content.decode()
    assert "Sở Tư pháp" in html and "Trung tâm Phục vụ hành chính công tỉnh" in html
    assert "Phường Buôn Ma Thuột</option>" not in html
    response = signed_in.post(delivery, {"agency": str(ward.pk), "channel": "online", "result_delivery": "office"})
    assert "Chọn một cơ quan trong danh sách" in summary(response)
    assert "online" not in re.findall(r'name="result_delivery" value="(\w+)"', html)  # level 3: no online result


def test_commune_tier_offers_every_commune_and_suggests_the_applicants(client, db):
    make_agency(JUSTICE_CODE, "Sở Tư pháp")
    ward = make_agency(WARD_CODE, "Phường Buôn Ma Thuột", tier="commune")
    other = make_agency(OTHER_WARD_CODE, "Phường Tân An", tier="commune")
    procedure = make_procedure("1.004227", agency=other, tier="commune", level=4, title="Đăng ký khai sinh")
    make_eform(procedure, fields=[("Họ tên trẻ", "Child's name", "singleline", True, {})], translate=False)
    user = citizen("binh", id_number="001090012345")
    client.force_login(user)
    url = post_ok(client, f"/p/{procedure.code}/apply/", {})
    delivery = post_ok(client, post_ok(client, url, APPLICANT), {"ho_ten_tre": "Nguyễn Văn Bé"})
    html = client.get(delivery).content.decode()
    assert f'<option value="{ward.pk}" selected>Phường Buôn Ma Thuột (EN)' in html or \
        f'<option value="{ward.pk}" selected>Phường Buôn Ma Thuột' in html
    assert "Phường Tân An" in html
    assert 'value="online"' in html  # level 4: the result may come online
    # the home service needs where and when
    response = client.post(delivery, {"agency": str(ward.pk), "channel": "home_service", "result_delivery": "post"})
    text = summary(response)
    assert "Chọn ngày bưu điện đến nhận hồ sơ" in text and "Chọn khung giờ" in text
    assert "địa chỉ nhận kết quả" in text
    review = post_ok(client, delivery, {"agency": str(ward.pk), "channel": "online", "result_delivery": "online"})
    draft = Dossier.objects.get(applicant=user)
    assert draft.agency_id == ward.pk and draft.result_delivery == "online"
    assert review.endswith("/review/")


# ---------------------------------------------------------------- steps, drafts, review


def test_whole_application_review_change_and_one_dossier_for_a_double_submit(signed_in, setup):
    review = walk_to_review(signed_in, setup["agency"])
    response = signed_in.get(review)
    html = response.content.decode()
    assert "Kiểm tra lại thông tin" in html and "Bước 5/5" in html
    for text in ("Nguyễn Văn An", "Xin việc", "Bổ sung hồ sơ xin việc", "cccd.pdf", "Sở Tư pháp",
                 "12 Lê Duẩn, Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"):
        assert text in html
    # change an answer: its step, then straight back to the review
    change = re.search(r'href="([^"]+/s1/\?return=review)#id_muc_dich_yeu_cau"', html).group(1)
    page = signed_in.get(change).content.decode()
    assert 'name="return" value="review"' in page and 'value="Xin việc"' in page
    back = post_ok(signed_in, change, {"muc_dich_yeu_cau": "Du học", "noi_dung_chi_tiet": "Đi du học", "return": "review"})
    assert back == review
    response = signed_in.get(review)
    assert "Du học" in response.content.decode()
    key = idempotency_key(response)
    # the declaration must be ticked
    refused = signed_in.post(review, {"idempotency_key": key})
    assert "Đánh dấu vào ô để xác nhận lời cam đoan" in summary(refused)
    first = signed_in.post(review, {"idempotency_key": key, "declaration": "on"})
    second = signed_in.post(review, {"idempotency_key": key, "declaration": "on"})
    replay = signed_in.post(review, {"idempotency_key": "another-key", "declaration": "on"})
    assert Dossier.objects.count() == 1
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.SUBMITTED and dossier.code.startswith(JUSTICE_CODE)
    expected = reverse("dossier_submitted", kwargs={"code": dossier.code})
    assert first["Location"] == second["Location"] == replay["Location"] == expected
    assert dossier.form_data["answers"]["muc_dich_yeu_cau"] == "Du học"
    assert [f["name"] for f in dossier.form_data["answers"]["ban_sao_can_cuoc"]] == ["cccd.pdf"]
    assert dossier.attachments.count() == 1
    assert dossier.applicant_id_number == "001090012345" and dossier.applicant_phone == "0912345678"
    assert dossier.login_method == "vneid" and dossier.language == "vi"
    version = FormVersion.from_reference(dossier.form_version)
    assert version == setup["eform"].current_version()
    # the draft's step pages now lead to the confirmation
    assert signed_in.get(change)["Location"] == expected


def test_draft_saved_and_resumed(signed_in, setup):
    s1 = post_ok(signed_in, start(signed_in), APPLICANT)
    saved = post_ok(signed_in, s1, {"noi_dung_chi_tiet": "Chưa xong", "action": "save"})
    assert saved == f"/p/{CODE}/apply/"
    draft = Dossier.objects.get()
    assert list(drafts_for(setup["user"])) == [draft]
    assert draft.form_data["answers"]["noi_dung_chi_tiet"] == "Chưa xong"
    assert draft.form_data["done"] == ["applicant"]
    start_page = signed_in.get(saved).content.decode()
    assert "Bản nháp đã được lưu" in start_page
    assert s1 in start_page  # "continue" goes to the first unfinished step
    # "My dossiers" lists it from the same function, with the link that resumes it
    assert f"/p/{CODE}/apply/?draft={draft.public_id}" in signed_in.get(reverse("my_dossiers")).content.decode()
    assert signed_in.get(f"/p/{CODE}/apply/?draft={draft.public_id}")["Location"] == s1
    resumed = signed_in.get(s1).content.decode()
    assert "Chưa xong" in resumed
    # the review refuses to submit while steps are missing
    review = s1.replace("/s1/", "/review/")
    response = signed_in.get(review)
    assert "Một số bước chưa hoàn thành" in response.content.decode()
    signed_in.post(review, {"idempotency_key": idempotency_key(response), "declaration": "on"})
    assert Dossier.objects.get().status == DossierStatus.DRAFT


def test_bad_uploads_are_refused_and_the_rest_is_kept(signed_in, setup):
    s1 = post_ok(signed_in, start(signed_in), APPLICANT)
    # an error in a step keeps what was typed
    response = signed_in.post(s1, {"noi_dung_chi_tiet": "Nội dung đã gõ"})
    assert response.status_code == 200 and "Nội dung đã gõ" in response.content.decode()
    assert 'href="#id_muc_dich_yeu_cau_0"' in response.content.decode()
    s2 = post_ok(signed_in, s1, ANSWERS)
    response = signed_in.post(s2, {
        "ban_sao_can_cuoc": [upload("cccd.pdf", exe_bytes()), upload("trang-1.pdf", pdf_bytes())],
        "giay_to_khac": upload("empty.pdf", b""),
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "cccd.pdf" in summary(response) and "empty.pdf" in summary(response)
    assert "Đã đính kèm" in html and "trang-1.pdf" in html
    draft = Dossier.objects.get()
    assert list(draft.attachments.values_list("original_name", flat=True)) == ["trang-1.pdf"]
    # too large (the field allows 1 MB) and too many (at most 2)
    big = upload("big.pdf", pdf_bytes() + b"%" * (1024 * 1024 + 10))
    response = signed_in.post(s2, {"ban_sao_can_cuoc": [big, upload("b.pdf", pdf_bytes()),
                                                        upload("c.pdf", pdf_bytes())]})
    text = summary(response)
    assert "big.pdf" in text and "c.pdf" in text
    assert sorted(draft.attachments.values_list("original_name", flat=True)) == ["b.pdf", "trang-1.pdf"]
    # the kept files satisfy the required field: the step goes on without uploading again
    post_ok(signed_in, s2, {})
    # remove one
    keep = draft.attachments.get(original_name="b.pdf")
    post_ok(signed_in, s2, {"remove_file": [str(keep.public_id)]})
    assert list(draft.attachments.values_list("original_name", flat=True)) == ["trang-1.pdf"]


def test_another_citizen_cannot_touch_someone_elses_draft(client, signed_in, setup):
    applicant_url = start(signed_in)
    draft = Dossier.objects.get()
    other = citizen("mallory", id_number="001090099999")
    client.force_login(other)
    review = applicant_url.replace("/applicant/", "/review/")
    assert client.get(applicant_url).status_code == 404
    assert client.post(applicant_url, APPLICANT).status_code == 404
    assert client.get(review).status_code == 404
    assert client.post(review, {"idempotency_key": "x", "declaration": "on"}).status_code == 404
    assert client.get(f"/p/{CODE}/apply/?draft={draft.public_id}").status_code == 404
    assert list(drafts_for(other)) == []
    draft.refresh_from_db()
    assert draft.form_data["applicant"] == {}


# ---------------------------------------------------------------- versions


def test_changing_a_live_form_keeps_old_drafts_and_past_dossiers(signed_in, setup):
    eform: EFormPage = setup["eform"]
    old_version = eform.current_version()
    done = walk_to_review(signed_in, setup["agency"])
    response = signed_in.get(done)
    signed_in.post(done, {"idempotency_key": idempotency_key(response), "declaration": "on"})
    past = Dossier.objects.get(status=DossierStatus.SUBMITTED)
    open_draft_s1 = post_ok(signed_in, start(signed_in), APPLICANT)
    # the editor adds a required question to the first step and publishes
    fields = list(eform.form_fields.all())
    fields.insert(1, EFormField(label="Nơi làm việc", field_type="singleline", required=True, sort_order=1))
    for order, field in enumerate(fields):
        field.sort_order = order
    eform.form_fields = fields
    eform.save_revision().publish()
    new_version = EFormPage.objects.get(pk=eform.pk).current_version()
    assert new_version != old_version
    # the open draft still follows its own version: no new question, it goes on
    assert "noi_lam_viec" not in signed_in.get(open_draft_s1).content.decode()
    post_ok(signed_in, open_draft_s1, ANSWERS)
    # a new application gets the new question
    fresh_s1 = post_ok(signed_in, start(signed_in), APPLICANT)
    assert 'name="noi_lam_viec"' in signed_in.get(fresh_s1).content.decode()
    # the past dossier still reads with the version it was made with
    past.refresh_from_db()
    version = FormVersion.from_reference(past.form_version)
    assert version == old_version
    assert "noi_lam_viec" not in [spec.clean_name for spec in version.specs()]


def test_english_application_uses_the_same_field_names(client, setup):
    from tests.eform_factories import translate_eform

    translate_eform(setup["eform"])
    client.force_login(setup["user"])
    applicant_url = post_ok(client, f"/en/p/{CODE}/apply/", {})
    assert applicant_url.startswith("/en/p/")
    s1 = post_ok(client, applicant_url, APPLICANT)
    html = client.get(s1).content.decode()
    assert "Purpose of the request" in html and "Step 2 of 5" in html
    assert 'value="Xin việc"' in html and "Job application" in html
    post_ok(client, s1, {"muc_dich_yeu_cau": "Du học"})
    assert Dossier.objects.get().form_data["answers"]["muc_dich_yeu_cau"] == "Du học"


# ---------------------------------------------------------------- levels 1–2


def test_level_2_form_is_filled_and_printed_without_a_dossier(client, db):
    procedure = make_procedure("2.000123", level=2, title="Thủ tục chỉ nộp trực tiếp")
    make_eform(procedure, translate=False)
    response = client.get(f"/p/{procedure.code}/apply/")
    html = response.content.decode()
    assert response.status_code == 200 and "Điền tờ khai để in" in html
    assert 'type="file"' not in html and "Bản sao căn cước" in html  # documents to bring, not to upload
    response = client.post(f"/p/{procedure.code}/apply/", {
        **{f"applicant-{k}": v for k, v in APPLICANT.items()}, "form-muc_dich_yeu_cau": "Khác",
    })
    html = response.content.decode()
    assert response.status_code == 200, summary(response)
    assert "data-print" in html and "Nguyễn Văn An" in html and "Khác" in html and "Bản sao căn cước" in html
    assert not Dossier.objects.exists()


def test_communes_json_for_the_linked_choice(client, db):
    data = client.get(reverse("eforms_communes", kwargs={"province": "66"})).json()
    assert len(data["communes"]) == 102
    assert {"code": "24133", "name": "Phường Buôn Ma Thuột"} in data["communes"]
    assert client.get(reverse("eforms_communes", kwargs={"province": "99"})).status_code == 404


def test_linked_address_without_javascript_is_a_second_step(signed_in):
    """The "show communes" button re-renders the step with the chosen
    province's communes and keeps everything typed, without saving."""
    url = start(signed_in)
    response = signed_in.post(url, {**APPLICANT, "full_name": "Trần Thị Bình", "address_0": "01", "_units": "address"})
    html = response.content.decode()
    assert response.status_code == 200 and not summary(response)
    assert "Phường Hoàn Kiếm" in html and "Phường Buôn Ma Thuột" not in html
    assert 'value="Trần Thị Bình"' in html
    assert Dossier.objects.get().form_data["done"] == []
