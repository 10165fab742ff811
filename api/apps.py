from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The back-office API for agencies' software (`/api/v1/`), its clients
    (OAuth 2.0 client credentials) and the open data. Every status change
    still goes through `eforms.lifecycle`."""

    name = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api import changes

        changes.connect()
