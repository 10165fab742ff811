"""Admin for the procedure catalogue: agencies and fields as snippets in one
"Catalogue" menu, with listing, search and filters; the working-day
calendar; and the screens to import and export procedures and download the
ministry's tables (procedures/admin_views.py)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import Agency, CalendarDay, Field


class AgencyViewSet(SnippetViewSet):
    model = Agency
    icon = "site"
    menu_label = _("Agencies")
    list_display = ["name", "unit_code", "tier", Column("parent", label=_("parent agency")), "phone"]
    list_filter = ["tier", "locale"]
    # no `search_fields` here: per-field search fails on SQLite FTS
    # (wagtail/wagtail#10217); the models' own search_fields are used.
    ordering = ["tier", "name"]
    list_per_page = 50
    copy_view_enabled = False


class FieldViewSet(SnippetViewSet):
    model = Field
    icon = "folder-open-inverse"
    menu_label = _("Fields")
    list_display = ["name", "code"]
    list_filter = ["locale"]
    ordering = ["name"]
    list_per_page = 50


class CatalogueViewSetGroup(SnippetViewSetGroup):
    items = (AgencyViewSet, FieldViewSet)
    menu_icon = "list-ul"
    menu_label = _("Catalogue")
    menu_name = "catalogue"
    menu_order = 250


class CalendarDayViewSet(SnippetViewSet):
    """Snippets → Working-day calendar: the exceptions, newest year first."""

    model = CalendarDay
    icon = "date"
    menu_label = _("Working-day calendar")
    list_display = ["date", "weekday_name", "kind", "name"]
    list_filter = {"kind": ["exact"], "date": ["year"]}
    list_per_page = 100
    ordering = ["-date"]


register_snippet(CatalogueViewSetGroup)
register_snippet(CalendarDayViewSet)


@hooks.register("register_admin_urls")
def register_procedure_import_urls():
    return [
        path("procedures/import/", admin_views.ImportExportView.as_view(), name="procedures_import"),
        path("procedures/import/confirm/", admin_views.ConfirmImportView.as_view(), name="procedures_import_confirm"),
        path("procedures/export/<str:fmt>/", admin_views.export_view, name="procedures_export"),
        path("procedures/ministry/roadmap.xlsx", admin_views.roadmap_view, name="procedures_roadmap_xlsx"),
    ]


class ProcedureImportMenuItem(MenuItem):
    def is_shown(self, request):
        return any(admin_views.catalogue_permissions(request.user))


@hooks.register("register_admin_menu_item")
def register_procedure_import_menu_item():
    return ProcedureImportMenuItem(
        _("Import and export procedures"), reverse("procedures_import"), icon_name="download",
        name="procedure-import", order=260,
    )


@hooks.register("register_admin_viewset")
def register_embed_kit():
    """Admin → Embed on other sites: the builder and the allowed sites."""
    from .embed.admin import EmbedViewSetGroup

    return EmbedViewSetGroup()
