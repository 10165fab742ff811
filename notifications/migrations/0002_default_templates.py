"""Default wording of the messages to applicants, in Vietnamese and English.
Administrators edit them in the admin; this never overwrites an edited one."""

from django.db import migrations

FOOTER_VI = "\n\nTra cứu và theo dõi hồ sơ: {url}\n\nTrân trọng,\n{agency}\n\n(Thư gửi tự động, xin vui lòng không trả lời thư này.)"
FOOTER_EN = "\n\nFollow your dossier at: {url}\n\nKind regards,\n{agency}\n\n(This is an automatic message; please do not reply.)"
HELLO_VI = "Kính gửi Ông/Bà {name},\n\n"
HELLO_EN = "Dear {name},\n\n"

# kind: {"vi": (email subject, email body), "en": (subject, body, SMS)};
# None: no email for that kind (eforms emails the receipt on submission).
DEFAULTS = {
    "submitted": {
        "vi": (None, None),
        "en": (None, None, "Dossier {code} was submitted online and is waiting for {agency} to receive it."),
    },
    "received": {
        "vi": (
            "Hồ sơ {code} đã được tiếp nhận",
            "{agency} đã tiếp nhận hồ sơ {code} ({procedure}) của Ông/Bà.\n\n"
            "Ngày hẹn trả kết quả: {appointment}.\n{note}",
        ),
        "en": (
            "Dossier {code} has been received",
            "{agency} has received your dossier {code} ({procedure}).\n\n"
            "The result is due on {appointment}.\n{note}",
            "Dossier {code} was received by {agency}. Result due on {appointment}.",
        ),
    },
    "rejected": {
        "vi": (
            "Hồ sơ {code} bị từ chối tiếp nhận",
            "{agency} từ chối tiếp nhận hồ sơ {code} ({procedure}) của Ông/Bà.\n\nLý do: {note}",
        ),
        "en": (
            "Dossier {code} was not accepted",
            "{agency} has refused to take in your dossier {code} ({procedure}).\n\nReason: {note}",
            "Dossier {code} was refused. Reason: {note}",
        ),
    },
    "processing": {
        "vi": (
            "Hồ sơ {code} đang được giải quyết",
            "Hồ sơ {code} ({procedure}) của Ông/Bà đã được chuyển đến cán bộ chuyên môn và đang được giải quyết.\n\n"
            "Ngày hẹn trả kết quả: {appointment}.",
        ),
        "en": (
            "Dossier {code} is being processed",
            "Your dossier {code} ({procedure}) has been assigned to an officer and is being processed.\n\n"
            "The result is due on {appointment}.",
            "Dossier {code} is being processed. Result due on {appointment}.",
        ),
    },
    "supplement_requested": {
        "vi": (
            "Hồ sơ {code} cần bổ sung, hạn {deadline}",
            "Để tiếp tục giải quyết hồ sơ {code} ({procedure}), đề nghị Ông/Bà bổ sung:\n\n{items}\n\n{note}\n\n"
            "Hạn bổ sung: {deadline}. Ông/Bà nộp phần bổ sung tại mục \"Hồ sơ của tôi\" trên Cổng dịch vụ công "
            "hoặc trực tiếp tại {agency}. Thời gian giải quyết tạm dừng cho đến khi nhận đủ hồ sơ bổ sung.",
        ),
        "en": (
            "Dossier {code} needs more documents by {deadline}",
            "To continue processing your dossier {code} ({procedure}), please provide:\n\n{items}\n\n{note}\n\n"
            "Deadline: {deadline}. Add them under \"My dossiers\" on the portal or bring them to {agency}. "
            "The processing time is paused until the documents are received.",
            "Dossier {code} needs: {items}. Deadline: {deadline}. Details: {url}",
        ),
    },
    "supplement_answered": {
        "vi": (
            "Đã nhận hồ sơ bổ sung của hồ sơ {code}",
            "{agency} đã nhận phần bổ sung của hồ sơ {code} ({procedure}) và tiếp tục giải quyết.\n\n"
            "Ngày hẹn trả kết quả: {appointment}.",
        ),
        "en": (
            "Supplement received for dossier {code}",
            "{agency} has received the documents you added to dossier {code} ({procedure}) and continues "
            "processing it.\n\nThe result is due on {appointment}.",
            "Dossier {code}: documents received. Result due on {appointment}.",
        ),
    },
    "result_ready": {
        "vi": (
            "Hồ sơ {code} đã có kết quả",
            "Hồ sơ {code} ({procedure}) của Ông/Bà đã có kết quả giải quyết.\n\n{note}\n\n"
            "Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký khi nộp hồ sơ.",
        ),
        "en": (
            "The result of dossier {code} is ready",
            "The result of your dossier {code} ({procedure}) is ready.\n\n{note}\n\n"
            "Please collect it in the way you chose when you applied.",
            "The result of dossier {code} is ready. Collect it as you chose when you applied.",
        ),
    },
    "returned": {
        "vi": (
            "Đã trả kết quả hồ sơ {code}",
            "Kết quả giải quyết hồ sơ {code} ({procedure}) đã được trả cho Ông/Bà.\n{note}\n\n"
            "Cảm ơn Ông/Bà đã sử dụng dịch vụ công trực tuyến.",
        ),
        "en": (
            "Result of dossier {code} handed over",
            "The result of your dossier {code} ({procedure}) has been handed over.\n{note}\n\n"
            "Thank you for using the online public services.",
            "The result of dossier {code} was handed over. Thank you.",
        ),
    },
    "withdrawn": {
        "vi": (
            "Hồ sơ {code} đã được rút",
            "Hồ sơ {code} ({procedure}) đã được rút theo yêu cầu của Ông/Bà và sẽ không được giải quyết.\n{note}\n\n"
            "Nếu Ông/Bà không thực hiện thao tác này, xin vui lòng liên hệ {agency}.",
        ),
        "en": (
            "Dossier {code} withdrawn",
            "Your dossier {code} ({procedure}) has been withdrawn at your request and will not be processed.\n"
            "{note}\n\nIf you did not do this, please contact {agency}.",
            "Dossier {code} was withdrawn at your request.",
        ),
    },
    "cancelled": {
        "vi": (
            "Hồ sơ {code} đã bị hủy",
            "Hồ sơ {code} ({procedure}) đã bị hủy và dừng giải quyết.\n\nLý do: {note}",
        ),
        "en": (
            "Dossier {code} cancelled",
            "Your dossier {code} ({procedure}) has been cancelled and will not be processed further.\n\n"
            "Reason: {note}",
            "Dossier {code} was cancelled. Reason: {note}",
        ),
    },
    "invalid": {
        "vi": (
            "Hồ sơ {code} có dữ liệu không hợp lệ",
            "Dữ liệu kê khai trong hồ sơ {code} ({procedure}) không hợp lệ nên hồ sơ không được giải quyết.\n\n"
            "Lý do: {note}",
        ),
        "en": (
            "Dossier {code}: invalid data",
            "The data in your dossier {code} ({procedure}) is invalid, so it will not be processed.\n\n"
            "Reason: {note}",
            "Dossier {code} has invalid data: {note}",
        ),
    },
    "document_issued": {
        "vi": (
            "Hồ sơ {code}: {agency} đã ban hành văn bản",
            "{agency} đã ban hành văn bản về hồ sơ {code} ({procedure}) của Ông/Bà: {note}.\n\n"
            "Ông/Bà xem và tải văn bản tại mục \"Hồ sơ của tôi\".",
        ),
        "en": (
            "Dossier {code}: a document from {agency}",
            "{agency} has issued a document about your dossier {code} ({procedure}): {note}.\n\n"
            "You can read and download it under \"My dossiers\".",
            "Dossier {code}: {agency} issued {note}. See {url}",
        ),
    },
}

# SMS in Vietnamese (PORTAL_SMS_ASCII drops the diacritics when sending).
SMS_VI = {
    "submitted": "Hồ sơ {code} đã được nộp trực tuyến thành công, đang chờ {agency} tiếp nhận.",
    "received": "Hồ sơ {code} đã được {agency} tiếp nhận. Ngày hẹn trả kết quả: {appointment}.",
    "rejected": "Hồ sơ {code} bị từ chối tiếp nhận. Lý do: {note}",
    "processing": "Hồ sơ {code} đang được giải quyết. Ngày hẹn trả kết quả: {appointment}.",
    "supplement_requested": "Hồ sơ {code} cần bổ sung: {items}. Hạn bổ sung: {deadline}. Chi tiết: {url}",
    "supplement_answered": "Hồ sơ {code}: đã nhận hồ sơ bổ sung. Ngày hẹn trả kết quả: {appointment}.",
    "result_ready": "Hồ sơ {code} đã có kết quả. Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký.",
    "returned": "Hồ sơ {code} đã được trả kết quả. Cảm ơn Ông/Bà đã sử dụng dịch vụ công.",
    "withdrawn": "Hồ sơ {code} đã được rút theo yêu cầu của Ông/Bà.",
    "cancelled": "Hồ sơ {code} đã bị hủy. Lý do: {note}",
    "invalid": "Hồ sơ {code} có dữ liệu không hợp lệ: {note}",
    "document_issued": "Hồ sơ {code}: {agency} đã ban hành {note}. Xem tại {url}",
}


def templates():
    for kind, languages in DEFAULTS.items():
        for language, texts in languages.items():
            subject, body = texts[:2]
            sms = SMS_VI[kind] if language == "vi" else texts[2]
            if body is not None:
                hello, footer = (HELLO_VI, FOOTER_VI) if language == "vi" else (HELLO_EN, FOOTER_EN)
                yield kind, "email", language, subject, hello + body + footer
            yield kind, "sms", language, "", sms


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for kind, channel, language, subject, body in templates():
        MessageTemplate.objects.get_or_create(
            kind=kind, channel=channel, language=language, defaults={"subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
