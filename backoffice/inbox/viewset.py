"""The "Dossiers" admin menu: the inbox as a ModelViewSet that serves only
the listing (index, its results fragment and the export) and the bulk
assignment. The dossier itself opens in the dossier screen; the viewset's
own add/edit/delete/history/usage views are not routed at all, so no
generic object view can load a dossier outside the user's scope."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from eforms.models import Dossier

from .assign import AssignView
from .filters import InboxFilterSet
from .views import InboxIndexView, dossier_url, inbox_columns

ROUTED = {"index", "index_results"}


class InboxPolicy(ModelPermissionPolicy):
    """Staff in a dossier role (receiver, handler, leader: their groups hold
    `eforms.view_dossier`, granted by backoffice's migration) and
    superusers may open the inbox; nothing here adds, edits or deletes a
    dossier (eforms.lifecycle does, from the dossier screen)."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, "view")

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class DossierURLFinder(ModelAdminURLFinder):
    """Admin links to a dossier (site history, reports) open the dossier screen."""

    def construct_edit_url(self, instance):
        return dossier_url(instance)


class InboxViewSet(ModelViewSet):
    model = Dossier
    name = "dossiers"
    icon = "folder-open-inverse"
    add_to_admin_menu = True
    menu_label = _("Dossiers")
    menu_order = 150
    index_view_class = InboxIndexView
    index_results_template_name = "backoffice/inbox/index_results.html"
    filterset_class = InboxFilterSet
    search_fields = ["search_text"]
    form_fields = []
    copy_view_enabled = False
    inspect_view_enabled = False
    # Every dossier save would otherwise rewrite reference-index rows.
    add_to_reference_index = False
    url_finder_class = DossierURLFinder

    @property
    def list_display(self):
        return inbox_columns()

    def get_index_view_kwargs(self, **kwargs):
        # No edit, delete or copy link in the listing's buttons: those views are not routed.
        return super().get_index_view_kwargs(
            edit_url_name=None, delete_url_name=None, copy_url_name=None, inspect_url_name=None,
            add_url_name=None, **kwargs,
        )

    def get_urlpatterns(self):
        kept = [pattern for pattern in super().get_urlpatterns() if getattr(pattern, "name", None) in ROUTED]
        assign = self.construct_view(AssignView, **self.get_common_view_kwargs())
        return [*kept, path("assign/", assign, name="assign")]
