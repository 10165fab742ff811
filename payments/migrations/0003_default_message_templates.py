"""Default wording of the fee and payment messages to applicants, in
Vietnamese and English, email and SMS (notifications.events announces the
steps "fee_notice", "payment_paid" and "payment_refunded"). Administrators
edit them in the admin; this never overwrites an edited one. The step's
note ({note}) says the amount, then the agency's own note."""

from django.db import migrations

FOOTER_VI = "\n\nTra cứu và theo dõi hồ sơ: {url}\n\nTrân trọng,\n{agency}\n\n(Thư gửi tự động, xin vui lòng không trả lời thư này.)"
FOOTER_EN = "\n\nFollow your dossier at: {url}\n\nKind regards,\n{agency}\n\n(This is an automatic message; please do not reply.)"
HELLO_VI = "Kính gửi Ông/Bà {name},\n\n"
HELLO_EN = "Dear {name},\n\n"

# kind: {language: (email subject, email body, SMS)}
DEFAULTS = {
    "fee_notice": {
        "vi": (
            "Hồ sơ {code}: thông báo nộp phí, lệ phí",
            "{agency} thông báo Ông/Bà nộp phí, lệ phí của hồ sơ {code} ({procedure}).\n\n"
            "Số tiền phải nộp: {note}\n\n"
            "Ông/Bà có thể thanh toán trực tuyến tại mục \"Hồ sơ của tôi\" trên Cổng dịch vụ công. "
            "Khoản phí được ghi nhận đã nộp khi ngân hàng xác nhận giao dịch với Cổng.",
            "Hồ sơ {code}: đề nghị nộp phí, lệ phí {note}. Thanh toán trực tuyến tại {url}",
        ),
        "en": (
            "Dossier {code}: fees to pay",
            "{agency} asks you to pay the fees of your dossier {code} ({procedure}).\n\n"
            "Amount due: {note}\n\n"
            "You can pay online under \"My dossiers\" on the portal. The fee counts as paid once the bank "
            "confirms the payment to the portal.",
            "Dossier {code}: please pay the fees, {note}. Pay online at {url}",
        ),
    },
    "payment_received": {
        "vi": (
            "Hồ sơ {code}: đã nhận thanh toán phí, lệ phí",
            "Cổng dịch vụ công đã nhận được xác nhận của ngân hàng về khoản thanh toán phí, lệ phí của hồ sơ "
            "{code} ({procedure}): {note}.\n\nCảm ơn Ông/Bà.",
            "Hồ sơ {code}: đã nhận thanh toán phí, lệ phí {note}. Cảm ơn Ông/Bà.",
        ),
        "en": (
            "Dossier {code}: payment received",
            "The bank has confirmed your payment of the fees of dossier {code} ({procedure}): {note}.\n\n"
            "Thank you.",
            "Dossier {code}: payment of {note} received. Thank you.",
        ),
    },
    "payment_refunded": {
        "vi": (
            "Hồ sơ {code}: hoàn trả phí, lệ phí",
            "{agency} đã hoàn trả cho Ông/Bà khoản phí, lệ phí đã thanh toán của hồ sơ {code} ({procedure}): "
            "{note}.\n\nThời gian tiền về tài khoản tùy theo ngân hàng của Ông/Bà.",
            "Hồ sơ {code}: đã hoàn trả phí, lệ phí {note}. Tiền về tài khoản theo thời gian xử lý của ngân hàng.",
        ),
        "en": (
            "Dossier {code}: fees refunded",
            "{agency} has refunded fees you paid for your dossier {code} ({procedure}): {note}.\n\n"
            "When the money reaches your account depends on your bank.",
            "Dossier {code}: {note} refunded to you. Your bank decides when it reaches your account.",
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
        ("payments", "0002_notification_answer_length"),
        ("notifications", "0003_level4_event_kinds"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
