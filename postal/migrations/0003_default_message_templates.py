"""Default wording of the messages of the postal home service's steps, in
Vietnamese and English, by email and SMS (the kinds are
notifications.events' POSTAL_*). Administrators edit them in the admin;
this never overwrites an edited one (get_or_create), and never deletes
one when reversed.

Each step's event note (`{note}`) carries its details, written by
postal.steps in the dossier's language: who comes and when, what was
collected, when and to whom the result was given."""

from django.db import migrations

FOOTER_VI = "\n\nTra cứu và theo dõi hồ sơ: {url}\n\nTrân trọng,\n{agency}\n\n(Thư gửi tự động, xin vui lòng không trả lời thư này.)"
FOOTER_EN = "\n\nFollow your dossier at: {url}\n\nKind regards,\n{agency}\n\n(This is an automatic message; please do not reply.)"
HELLO_VI = "Kính gửi Ông/Bà {name},\n\n"
HELLO_EN = "Dear {name},\n\n"

# kind: {"vi": (email subject, email body, SMS), "en": (subject, body, SMS)}
DEFAULTS = {
    "postal_pickup_accepted": {
        "vi": (
            "Hồ sơ {code}: bưu điện sẽ đến thu gom giấy tờ",
            "Bưu điện đã nhận yêu cầu thu gom giấy tờ của hồ sơ {code} ({procedure}) tại nhà Ông/Bà.\n\n{note}",
            "Hồ sơ {code}: {note}",
        ),
        "en": (
            "Dossier {code}: the post will collect your papers",
            "The post has accepted to collect the papers of your dossier {code} ({procedure}) at your home.\n\n"
            "{note}",
            "Dossier {code}: {note}",
        ),
    },
    "postal_collected": {
        "vi": (
            "Hồ sơ {code}: bưu điện đã nhận giấy tờ",
            "Nhân viên bưu điện đã nhận giấy tờ của hồ sơ {code} ({procedure}) tại nhà Ông/Bà và sẽ chuyển đến "
            "{agency}.\n\n{note}",
            "Hồ sơ {code}: bưu điện đã nhận giấy tờ tại nhà Ông/Bà và sẽ chuyển đến {agency}.",
        ),
        "en": (
            "Dossier {code}: the post collected your papers",
            "A postal officer collected the papers of your dossier {code} ({procedure}) at your home and will "
            "take them to {agency}.\n\n{note}",
            "Dossier {code}: the post collected your papers and will take them to {agency}.",
        ),
    },
    "postal_handed_over": {
        "vi": (
            "Hồ sơ {code}: bưu điện đã chuyển giấy tờ đến {agency}",
            "Bưu điện đã nộp giấy tờ của hồ sơ {code} ({procedure}) tại bộ phận tiếp nhận và trả kết quả của "
            "{agency}.\n\n{note}\n\nÔng/Bà sẽ nhận được thông báo khi cơ quan tiếp nhận hồ sơ, kèm ngày hẹn trả "
            "kết quả.",
            "Hồ sơ {code}: bưu điện đã nộp giấy tờ tại {agency}. Thời gian giải quyết tính từ khi cơ quan tiếp nhận.",
        ),
        "en": (
            "Dossier {code}: the post handed your papers to {agency}",
            "The post handed the papers of your dossier {code} ({procedure}) in at the one-stop desk of "
            "{agency}.\n\n{note}\n\nYou will be told when the agency receives the dossier, with the date the "
            "result is due.",
            "Dossier {code}: the post handed your papers to {agency}. Processing time counts from its receipt.",
        ),
    },
    "postal_result_collected": {
        "vi": (
            "Hồ sơ {code}: bưu điện đang chuyển kết quả đến Ông/Bà",
            "Bưu điện đã nhận kết quả giải quyết hồ sơ {code} ({procedure}) tại {agency} và sẽ chuyển đến tận "
            "nhà Ông/Bà.\n\n{note}",
            "Hồ sơ {code}: bưu điện đã nhận kết quả và sẽ chuyển đến tận nhà Ông/Bà.",
        ),
        "en": (
            "Dossier {code}: the post is bringing your result",
            "The post collected the result of your dossier {code} ({procedure}) at {agency} and will bring it "
            "to your home.\n\n{note}",
            "Dossier {code}: the post collected your result and will bring it to your home.",
        ),
    },
    "postal_delivered": {
        "vi": (
            "Hồ sơ {code}: kết quả đã được giao tận nhà",
            "Kết quả giải quyết hồ sơ {code} ({procedure}) đã được bưu điện giao tận nhà.\n\n{note}\n\n"
            "Cảm ơn Ông/Bà đã sử dụng dịch vụ công tại nhà.",
            "Hồ sơ {code}: kết quả đã được bưu điện giao tận nhà. Cảm ơn Ông/Bà đã sử dụng dịch vụ công.",
        ),
        "en": (
            "Dossier {code}: result delivered at home",
            "The post delivered the result of your dossier {code} ({procedure}) at your home.\n\n{note}\n\n"
            "Thank you for using the home service.",
            "Dossier {code}: the post delivered your result at home. Thank you.",
        ),
    },
}


def templates():
    for kind, languages in DEFAULTS.items():
        for language, (subject, body, sms) in languages.items():
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
    dependencies = [
        ("postal", "0002_postal_officers_group"),
        ("notifications", "0003_level4_event_kinds"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
