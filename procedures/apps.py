from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Procedures")

    def ready(self) -> None:
        # Procedure pages show agencies and fields from the content cache
        # (core.pages): a change to one refreshes it.
        from core import pages

        from .models import Agency, Field

        pages.watch(Agency, Field)
