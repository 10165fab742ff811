from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "signing"
    verbose_name = _("Signed documents")

    def ready(self) -> None:
        from signing import checks  # noqa: F401 - registers the system check
