from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from eforms import extensions
        from eforms.models import DossierEvent

        from . import services, staff, views

        # the dossier steps this app writes, as the applicant's history names them
        extensions.register_step("fee_notice", _("Fee notice issued"))
        extensions.register_step("payment_paid", _("Fee paid"))
        extensions.register_step("payment_refunded", _("Fee refunded"))
        # "Fees and payments" on the applicant's dossier page and on the staff dossier screen
        extensions.register_section("applicant", views.applicant_section)
        extensions.register_section("staff", staff.staff_section)
        post_save.connect(services.on_dossier_event, sender=DossierEvent, dispatch_uid="payments.submission_notice")
        checks.register(check_providers, "payments")


def check_providers(app_configs=None, **kwargs) -> list:
    """Warn about a provider listed in PORTAL_PAYMENT_PROVIDERS that cannot serve."""
    from django.conf import settings

    from .providers import PROVIDERS, is_configured

    warnings = []
    for code in settings.PORTAL_PAYMENT_PROVIDERS:
        if code not in PROVIDERS:
            warnings.append(checks.Warning(f"Unknown payment provider {code!r} in PORTAL_PAYMENT_PROVIDERS.",
                                           hint=f"Known: {', '.join(PROVIDERS)}.", id="payments.W001"))
        elif not is_configured(code):
            hint = {
                "vnpay": "Set PORTAL_VNPAY_TMN_CODE and PORTAL_VNPAY_HASH_SECRET.",
                "sandbox": "Set PORTAL_PAYMENT_SANDBOX=true (development and demo only).",
                "paygov": "The PayGov adapter is a contract only (payments/providers/paygov.py).",
            }.get(code, "")
            warnings.append(checks.Warning(f"Payment provider {code!r} is listed but not configured: applicants "
                                           "will not be offered it.", hint=hint, id="payments.W002"))
    return warnings
