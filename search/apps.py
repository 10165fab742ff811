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

        # The page cache: synonyms and promoted results change search pages;
        # a search or procedure page answered from it is still counted.
        from wagtail.contrib.search_promotions.models import Query, SearchPromotion

        from core import pagecache

        from . import stats
        from .models import SynonymGroup

        pagecache.purge_on_change(SynonymGroup, Query, SearchPromotion)
        pagecache.served_from_cache.connect(stats.count_cached_visit, dispatch_uid="search-count-cached-visit")
