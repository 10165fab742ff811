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
        from api.webhooks import outbox
        from eforms.extensions import register_section

        changes.connect()
        outbox.connect()
        register_section("staff", acknowledgements_section)


def acknowledgements_section(request, dossier):
    """On the back office's dossier screen: which API clients said they took the dossier in."""
    from api.models import Acknowledgement
    from eforms.extensions import Section

    acknowledgements = list(Acknowledgement.objects.filter(dossier=dossier).select_related("client"))
    if not acknowledgements:
        return None
    return Section("api/includes/acknowledgements.html", {"acknowledgements": acknowledgements})
