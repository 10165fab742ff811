from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformsConfig(AppConfig):
    name = "eforms"
    verbose_name = _("E-forms and dossiers")

    def ready(self) -> None:
        # registers the system checks; emails the receipt on submission;
        # the dossiers' part of the data export and of account deletion
        from eforms import checks, notifications, privacy  # noqa: F401
