"""Admin: synonym groups (a snippet editors keep) and the search report;
and the count of procedure page views for the popularity signal."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core import pagecache
from procedures.models import ProcedurePage

from . import stats
from .models import SynonymGroup
from .reports import REPORT_PERMISSION, search_report


class SynonymGroupViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = _("Search synonyms")
    add_to_admin_menu = False
    list_display = ["__str__", "note", "active"]
    list_filter = ["active"]
    search_fields = ["terms", "note"]
    search_backend_name = None  # plain database lookups; the model is not indexed


register_snippet(SynonymGroupViewSet)


@hooks.register("register_admin_urls")
def register_search_report_url():
    return [path("reports/search-terms/", search_report, name="search_terms_report")]


class SearchReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(REPORT_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_search_report_menu_item():
    return SearchReportMenuItem(
        _("Search terms"), reverse("search_terms_report"), name="search-terms", icon_name="search", order=950
    )


@hooks.register("before_serve_page")
def count_procedure_view(page, request, serve_args, serve_kwargs):
    """A procedure page view counts towards its popularity (in memory; see
    search.stats). Previews and HEAD requests do not."""
    if isinstance(page, ProcedurePage) and request.method == "GET" and not getattr(request, "is_preview", False):
        stats.record_view(page.translation_key)
        # and again on each visit the page cache answers (search.stats.count_cached_visit)
        pagecache.note(request, stats.VIEW_NOTE, str(page.translation_key))
