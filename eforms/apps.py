from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformsConfig(AppConfig):
    name = "eforms"
    verbose_name = _("E-forms and dossiers")

    def ready(self) -> None:
        from eforms import checks  # noqa: F401  (registers the system checks)
        from eforms import notifications  # noqa: F401  (emails the receipt on submission)
