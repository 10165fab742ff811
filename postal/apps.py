from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "postal"
    verbose_name = _("Postal home service")
