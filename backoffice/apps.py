from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The agency's side of the one-stop shop, in the Wagtail admin: inbox,
    dossier screen, intake, supplements, results, documents, late dossiers.
    Every status change still goes through `eforms.lifecycle`."""

    name = "backoffice"
    verbose_name = _("Agency back office")
    default_auto_field = "django.db.models.BigAutoField"
