"""Admin for the procedure catalogue: agencies and fields as snippets in one
"Catalogue" menu, with listing, search and filters."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Agency, Field


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


register_snippet(CatalogueViewSetGroup)


# ---------------------------------------------------------------- import, export and the ministry's tables
# (engineer A2: procedures/admin_views.py; keep this section at the end of the file)

from django.urls import path as _a2_path  # noqa: E402
from django.urls import reverse as _a2_reverse  # noqa: E402
from wagtail import hooks as _a2_hooks  # noqa: E402
from wagtail.admin.menu import MenuItem as _A2MenuItem  # noqa: E402

from . import admin_views as _a2_admin_views  # noqa: E402


@_a2_hooks.register("register_admin_urls")
def register_procedure_import_urls():
    return [
        _a2_path("procedures/import/", _a2_admin_views.ImportExportView.as_view(), name="procedures_import"),
        _a2_path("procedures/import/confirm/", _a2_admin_views.ConfirmImportView.as_view(),
                 name="procedures_import_confirm"),
        _a2_path("procedures/export/<str:fmt>/", _a2_admin_views.export_view, name="procedures_export"),
        _a2_path("procedures/ministry/roadmap.xlsx", _a2_admin_views.roadmap_view, name="procedures_roadmap_xlsx"),
        _a2_path("procedures/ministry/online-services.xlsx", _a2_admin_views.online_services_view,
                 name="procedures_online_services_xlsx"),
    ]


class _ProcedureImportMenuItem(_A2MenuItem):
    def is_shown(self, request):
        return any(_a2_admin_views._catalogue_permissions(request.user))


@_a2_hooks.register("register_admin_menu_item")
def register_procedure_import_menu_item():
    return _ProcedureImportMenuItem(
        _("Import and export procedures"), _a2_reverse("procedures_import"), icon_name="download",
        name="procedure-import", order=260,
    )
