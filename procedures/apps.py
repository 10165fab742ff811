from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Procedures")

    def ready(self) -> None:
        from core import pagecache, pages

        from .models import Agency, EmbedOrigin, Field

        # Agencies and fields show on procedure pages, the catalogue and the
        # embed card; the sites allowed to embed are the card's CSP header.
        pagecache.purge_on_change(Agency, Field, EmbedOrigin)
        # Procedure pages show agencies and fields from the content cache
        # (core.pages): a change to one refreshes it.
        pages.watch(Agency, Field)
