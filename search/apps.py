from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.search_fields import folded_search_fields


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # These modules import models: only once the app registry is ready.
        from wagtail.documents import get_document_model

        from . import cache, synonyms  # noqa: F401  (signal receivers)

        # Form templates are Wagtail documents; the portal keeps Wagtail's
        # document model, so fold its search fields here.
        document_model = get_document_model()
        document_model.search_fields = folded_search_fields(document_model.search_fields)
        cache.connect_signals()
