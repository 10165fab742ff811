from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "postal"
    verbose_name = _("Postal home service")

    def ready(self) -> None:
        # Models are ready only now: these modules import eforms' models.
        from eforms import extensions

        from . import sections, signals, steps

        signals.connect()
        for action, label in steps.EVENT_LABELS.items():
            extensions.register_step(action, label)
        extensions.register_step(steps.DESK_CONFIRMED, _("Papers from the post confirmed at the desk"),
                                 public=False)
        extensions.register_section("applicant", sections.applicant_section)
        extensions.register_section("staff", sections.staff_section)
