"""Demo e-forms: real forms, in Vietnamese and English,
for seven demo procedures of `procedures/demo_data/procedures.csv`, with
their required attachments. Called by `eforms.demo.load`.

Idempotent and fast on a second run: an e-form that already exists (by its
slug) is left as it is, so editors' changes survive.
"""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Locale

from eforms.models import EFormField, EFormIndexPage, EFormPage
from home.setup import ensure_site, get_or_create_child, translate_page
from procedures.models import ProcedurePage

DECLARATION_EN = ("I declare that the information above is true and complete, and I am responsible for it "
                  "before the law.")
AFTER_VI = ("Bộ phận Một cửa kiểm tra hồ sơ trong giờ làm việc và báo cho bạn qua thư điện tử, tin nhắn khi hồ sơ "
            "được tiếp nhận, khi cần bổ sung và khi có kết quả.")
AFTER_EN = ("The one-stop desk checks the dossier during working hours and tells you by email and text message when "
            "it is received, if anything is missing and when the result is ready.")

#: pdf, jpeg and png: what a scan or a phone photo gives
SCANS = {"allowed_types": "pdf,jpeg,png"}


def f(vi, en, field_type, required=True, *, help_vi="", help_en="", choices="", labels_en="", **extra):
    """One field: Vietnamese label and help, English label and help."""
    return {"vi": vi, "en": en, "field_type": field_type, "required": required, "help_vi": help_vi,
            "help_en": help_en, "choices": choices, "labels_en": labels_en, "extra": extra}


def step(vi, en, help_vi="", help_en=""):
    return f(vi, en, "step", False, help_vi=help_vi, help_en=help_en)


FORMS = [
    {
        "code": "1.001193", "slug": "to-khai-dang-ky-khai-sinh",
        "title": ("Tờ khai đăng ký khai sinh", "Birth registration form"),
        "intro": ("Chuẩn bị bản quét hoặc ảnh chụp Giấy chứng sinh. Bạn có thể chọn Ủy ban nhân dân xã, phường "
                  "bất kỳ trong tỉnh để tiếp nhận hồ sơ.",
                  "Have a scan or photo of the birth certificate from the hospital ready. You may choose any "
                  "commune or ward People's Committee of the province to receive the dossier."),
        "first": ("Người được khai sinh", "The child"),
        "fields": [
            f("Họ, chữ đệm, tên", "Full name of the child", "singleline"),
            f("Ngày, tháng, năm sinh", "Date of birth", "birth_date"),
            f("Giới tính", "Sex", "radio", choices="Nam\nNữ", labels_en="Male\nFemale"),
            f("Dân tộc", "Ethnic group", "singleline", default_value="Kinh"),
            f("Quốc tịch", "Nationality", "singleline", default_value="Việt Nam"),
            f("Nơi sinh", "Place of birth", "singleline", help_vi="Tên cơ sở y tế, xã/phường, tỉnh/thành phố.",
              help_en="Name of the hospital or clinic, commune or ward, province."),
            step("Cha, mẹ của trẻ", "The parents"),
            f("Họ, chữ đệm, tên người mẹ", "Mother's full name", "singleline"),
            f("Số định danh cá nhân của người mẹ", "Mother's citizen identity number", "id_number"),
            f("Họ, chữ đệm, tên người cha", "Father's full name", "singleline", False,
              help_vi="Để trống nếu chưa xác định được cha.", help_en="Leave empty if the father is not known."),
            f("Số định danh cá nhân của người cha", "Father's citizen identity number", "id_number", False),
            f("Quan hệ của người đi khai sinh với trẻ", "Your relationship to the child", "dropdown",
              choices="Cha\nMẹ\nÔng\nBà\nNgười thân thích khác",
              labels_en="Father\nMother\nGrandfather\nGrandmother\nOther relative"),
            step("Giấy tờ kèm theo", "Documents", "Bản quét hoặc ảnh chụp rõ nét, đủ các trang.",
                 "Clear scans or photos of every page."),
            f("Giấy chứng sinh", "Birth certificate from the hospital", "file", max_files=2, **SCANS),
            f("Văn bản ủy quyền (nếu nộp thay)", "Power of attorney (if applying for someone else)", "file", False,
              max_files=1, **SCANS),
            f("Số bản sao Giấy khai sinh cần cấp", "Number of certified copies wanted", "number", False,
              default_value="1"),
        ],
    },
    {
        "code": "1.000894", "slug": "to-khai-dang-ky-ket-hon",
        "title": ("Tờ khai đăng ký kết hôn", "Marriage registration form"),
        "intro": ("Hai bên cùng có mặt khi nhận Giấy chứng nhận kết hôn. Chuẩn bị giấy tờ tùy thân của hai bên.",
                  "Both partners must be present to receive the marriage certificate. Have both identity "
                  "documents ready."),
        "first": ("Bên nữ", "The bride"),
        "fields": [
            f("Họ, chữ đệm, tên bên nữ", "Bride's full name", "singleline"),
            f("Ngày sinh bên nữ", "Bride's date of birth", "birth_date"),
            f("Số định danh cá nhân bên nữ", "Bride's citizen identity number", "id_number"),
            f("Nơi cư trú bên nữ", "Bride's place of residence", "address"),
            f("Kết hôn lần thứ mấy (bên nữ)", "Marriage number (bride)", "radio", choices="Lần đầu\nLần thứ hai trở lên",
              labels_en="First marriage\nSecond or later"),
            step("Bên nam", "The groom"),
            f("Họ, chữ đệm, tên bên nam", "Groom's full name", "singleline"),
            f("Ngày sinh bên nam", "Groom's date of birth", "birth_date"),
            f("Số định danh cá nhân bên nam", "Groom's citizen identity number", "id_number"),
            f("Nơi cư trú bên nam", "Groom's place of residence", "address"),
            f("Kết hôn lần thứ mấy (bên nam)", "Marriage number (groom)", "radio", choices="Lần đầu\nLần thứ hai trở lên",
              labels_en="First marriage\nSecond or later"),
            step("Giấy tờ và cam kết", "Documents and commitment"),
            f("Giấy tờ tùy thân của hai bên", "Identity documents of both partners", "file", max_files=4, **SCANS),
            f("Giấy xác nhận tình trạng hôn nhân", "Certificate of marital status", "file", False,
              help_vi="Chỉ khi không khai thác được thông tin từ Cơ sở dữ liệu hộ tịch.",
              help_en="Only when the civil status database cannot confirm it.", max_files=2, **SCANS),
            f("Hai bên cam kết việc kết hôn là tự nguyện và đủ điều kiện kết hôn theo Luật Hôn nhân và gia đình",
              "We both declare that we marry of our own free will and meet the conditions of the Law on Marriage "
              "and Family", "declaration"),
        ],
    },
    {
        "code": "2.000720", "slug": "giay-de-nghi-dang-ky-ho-kinh-doanh",
        "title": ("Giấy đề nghị đăng ký hộ kinh doanh", "Application to register a household business"),
        "intro": ("Tên hộ kinh doanh gồm hai thành tố: cụm từ “Hộ kinh doanh” và tên riêng.",
                  "A household business name has two parts: the words “Hộ kinh doanh” and its own name."),
        "first": ("Hộ kinh doanh", "The business"),
        "fields": [
            f("Tên hộ kinh doanh", "Name of the household business", "singleline",
              help_vi="Ví dụ: Hộ kinh doanh Cà phê Hoa Ban.", help_en="For example: Hộ kinh doanh Cà phê Hoa Ban."),
            f("Địa điểm kinh doanh", "Business address", "address"),
            f("Điện thoại liên hệ", "Contact phone", "phone"),
            f("Ngành, nghề kinh doanh", "Lines of business", "multiline"),
            f("Vốn kinh doanh (đồng)", "Business capital (VND)", "number"),
            f("Số lượng lao động", "Number of workers", "number", False),
            step("Giấy tờ kèm theo", "Documents"),
            f("Giấy tờ pháp lý của chủ hộ kinh doanh", "Identity document of the business owner", "file",
              max_files=2, **SCANS),
            f("Biên bản họp thành viên hộ gia đình", "Minutes of the household members' meeting", "file", False,
              help_vi="Khi các thành viên hộ gia đình cùng đăng ký hộ kinh doanh.",
              help_en="When household members register the business together.", allowed_types="pdf,docx"),
            f("Hợp đồng thuê địa điểm kinh doanh", "Lease of the business premises", "file", False,
              allowed_types="pdf"),
        ],
    },
    {
        "code": "2.000488", "slug": "to-khai-yeu-cau-cap-phieu-ly-lich-tu-phap",
        "title": ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Application for a judicial record certificate"),
        "intro": ("Phiếu số 1 cấp cho cá nhân; Phiếu số 2 ghi đầy đủ án tích, kể cả án tích đã được xóa.",
                  "Certificate no. 1 is for individuals; certificate no. 2 lists every conviction, including "
                  "expunged ones."),
        "first": ("Yêu cầu", "Request"),
        "fields": [
            f("Loại Phiếu yêu cầu cấp", "Certificate requested", "radio", choices="Phiếu số 1\nPhiếu số 2",
              labels_en="Certificate no. 1\nCertificate no. 2"),
            f("Mục đích sử dụng Phiếu", "Purpose", "dropdown",
              choices="Xin việc làm\nDu học\nĐịnh cư, lao động ở nước ngoài\nKhác",
              labels_en="Job application\nStudy abroad\nEmigration or work abroad\nOther"),
            f("Số lượng Phiếu", "Number of certificates", "number", default_value="1"),
            step("Thân nhân và quá trình cư trú", "Family and residence"),
            f("Họ tên cha", "Father's full name", "singleline", False),
            f("Họ tên mẹ", "Mother's full name", "singleline", False),
            f("Họ tên vợ hoặc chồng", "Spouse's full name", "singleline", False),
            f("Quá trình cư trú từ đủ 14 tuổi", "Places of residence since the age of 14", "multiline",
              help_vi="Mỗi dòng: từ tháng/năm đến tháng/năm, nơi cư trú, nghề nghiệp.",
              help_en="One line each: from month/year to month/year, place, occupation."),
            step("Giấy tờ kèm theo", "Documents"),
            f("Bản chụp thẻ căn cước", "Copy of the identity card", "file", max_files=2, **SCANS),
            f("Văn bản ủy quyền (nếu ủy quyền)", "Power of attorney (if any)", "file", False, **SCANS),
        ],
    },
    {
        "code": "1.009994", "slug": "don-de-nghi-cap-giay-phep-xay-dung-nha-o",
        "title": ("Đơn đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ",
                  "Application for a building permit for a private house"),
        "intro": ("Bản vẽ thiết kế gồm mặt bằng, mặt cắt, mặt đứng và mặt bằng móng, tỷ lệ 1/50–1/200.",
                  "The drawings include floor plans, sections, elevations and the foundation plan, at "
                  "1:50–1:200."),
        "first": ("Công trình", "The building"),
        "fields": [
            f("Địa điểm xây dựng", "Building site", "address"),
            f("Số thửa đất, tờ bản đồ", "Land parcel and map sheet numbers", "singleline"),
            f("Diện tích xây dựng tầng một (m²)", "Ground floor area (m²)", "number"),
            f("Tổng diện tích sàn (m²)", "Total floor area (m²)", "number"),
            f("Số tầng", "Number of storeys", "number"),
            f("Chiều cao công trình (m)", "Building height (m)", "number"),
            step("Hồ sơ kèm theo", "Documents"),
            f("Giấy tờ chứng minh quyền sử dụng đất", "Proof of the right to use the land", "file",
              allowed_types="pdf,jpeg,png", max_files=3),
            f("Bản vẽ thiết kế xây dựng", "Design drawings", "file", allowed_types="pdf", max_files=5,
              max_file_size_mb=10),
            f("Cam kết bảo đảm an toàn cho công trình liền kề", "Commitment to keep adjoining buildings safe",
              "file", False, allowed_types="pdf,docx"),
        ],
    },
    {
        "code": "1.004873", "slug": "to-khai-xac-nhan-tinh-trang-hon-nhan",
        "title": ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "Application for a certificate of marital status"),
        "intro": ("Chọn Ủy ban nhân dân xã, phường thuận tiện cho bạn; xã, phường nơi bạn cư trú được gợi ý sẵn.",
                  "Choose the commune or ward People's Committee that suits you; the one where you live is "
                  "suggested."),
        "first": ("Nội dung xác nhận", "What to certify"),
        "fields": [
            f("Tình trạng hôn nhân hiện nay", "Current marital status", "radio",
              choices="Chưa kết hôn\nĐã ly hôn\nVợ hoặc chồng đã chết\nĐang có vợ hoặc chồng",
              labels_en="Never married\nDivorced\nWidowed\nMarried"),
            f("Mục đích sử dụng", "Purpose", "singleline",
              help_vi="Ví dụ: để đăng ký kết hôn, để vay vốn ngân hàng.",
              help_en="For example: to register a marriage, to take a bank loan."),
            step("Giấy tờ kèm theo", "Documents"),
            f("Bản án, quyết định ly hôn hoặc trích lục khai tử", "Divorce judgment or death extract", "file", False,
              help_vi="Nếu đã từng kết hôn.", help_en="If you were married before.", **SCANS),
        ],
    },
]


def _procedure(code: str):
    return ProcedurePage.objects.filter(code=code, locale=Locale.get_default()).first()


def _fields(spec: dict):
    return [
        EFormField(label=item["vi"], field_type=item["field_type"], required=item["required"],
                   help_text=item["help_vi"], choices=item["choices"], sort_order=order, **item["extra"])
        for order, item in enumerate(spec["fields"])
    ]


def _translate(page, spec: dict) -> None:
    if page.procedure.get_translation_or_none(Locale.objects.get(language_code="en")) is None:
        return  # the procedure has no English page yet: the English e-form waits for it
    english = translate_page(page, "en", title=spec["title"][1], intro=spec["intro"][1],
                             first_step_title=spec["first"][1], declaration=DECLARATION_EN, after_submit=AFTER_EN)
    by_label = {item["vi"]: item for item in spec["fields"]}
    source = {field.translation_key: field for field in page.form_fields.all()}
    items = list(english.form_fields.all())
    for field in items:
        item = by_label.get(source[field.translation_key].label) if field.translation_key in source else None
        if item is not None:
            field.label, field.help_text, field.choice_labels = item["en"], item["help_en"], item["labels_en"]
    english.form_fields = items
    english.save_revision().publish()


def load(stdout) -> None:
    home = ensure_site()
    folder = get_or_create_child(home, EFormIndexPage, "bieu-mau-dien-tu", title="Biểu mẫu điện tử",
                                 intro="Các biểu mẫu điện tử để nộp hồ sơ trực tuyến.", show_in_menus=False)
    translate_page(folder, "en", title="E-forms", intro="E-forms to apply online.")
    made = 0
    for spec in FORMS:
        if EFormPage.objects.child_of(folder).filter(slug=spec["slug"]).exists():
            continue
        procedure = _procedure(spec["code"])
        if procedure is None:
            stdout.write(f"  e-forms: procedure {spec['code']} is not in the demo catalogue; skipped")
            continue
        with transaction.atomic():
            page = EFormPage(title=spec["title"][0], slug=spec["slug"], procedure=procedure, locale=folder.locale,
                             intro=spec["intro"][0], first_step_title=spec["first"][0],
                             after_submit=AFTER_VI)
            page.form_fields = _fields(spec)
            folder.add_child(instance=page)
            page.save_revision().publish()
            page = EFormPage.objects.get(pk=page.pk)
            _translate(page, spec)
        made += 1
    stdout.write(f"  e-forms: {made} demo e-form(s) created, {len(FORMS) - made} already there or skipped")
