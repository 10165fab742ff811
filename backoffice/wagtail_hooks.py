"""The back office's admin screens, menus and dashboard panels."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from backoffice import documents, intake
from backoffice import urls as backoffice_urls
from backoffice.panels import panels_for
from backoffice.views.dossier import PREVIEW_LOG_ACTION
from eforms.models import Dossier

from .inbox.views import EXPORT_LOG_ACTION
from .inbox.viewset import InboxPolicy, InboxViewSet

# ---------------------------------------------------------------- the dossier screen


@hooks.register("register_admin_urls")
def register_backoffice_urls():
    """/admin/backoffice/… (namespace "backoffice"): add the back office's
    other admin URLs to backoffice/urls.py, not a second include."""
    return [path("backoffice/", include(backoffice_urls, namespace="backoffice"))]


@hooks.register("register_log_actions")
def register_backoffice_log_actions(actions):
    actions.register_action(PREVIEW_LOG_ACTION, _("Preview a dossier file"), _("Previewed a dossier file"))
    actions.register_action(EXPORT_LOG_ACTION, _("Export dossiers"), _("Exported the dossier list"))


# ---------------------------------------------------------------- inbox

register_permission_policy(Dossier, InboxPolicy(Dossier))


@hooks.register("register_admin_viewset")
def register_inbox():
    return InboxViewSet()


# ---------------------------------------------------------------- desk and post intake


@hooks.register("register_admin_urls")
def register_intake_urls():
    return intake.admin_urls()


class IntakeMenuItem(MenuItem):
    def is_shown(self, request):
        return intake.receiving_agencies_of(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_intake_menu_item():
    return IntakeMenuItem(_("Desk and post intake"), reverse("backoffice_intake:choose"), name="backoffice_intake",
                          icon_name="form", order=160)


# ---------------------------------------------------------------- Circular 03/2025 documents


@hooks.register("register_admin_urls")
def register_document_urls():
    """Page, PDF and the control slip on demand (/admin/dossier-documents/…)."""
    return documents.urlpatterns()


# ---------------------------------------------------------------- late dossiers on the dashboard


@hooks.register("construct_homepage_panels")
def add_late_dossier_panels(request, panels):
    panels.extend(panels_for(request.user))
