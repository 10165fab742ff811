from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Procedures")

    def ready(self):
        from core import pagecache

        from .models import Agency, EmbedOrigin, Field

        # Agencies and fields show on procedure pages, the catalogue and the
        # embed card; the sites allowed to embed are the card's CSP header.
        pagecache.purge_on_change(Agency, Field, EmbedOrigin)
