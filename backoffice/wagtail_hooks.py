"""The back office's admin screens, menus and dashboard panels."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from eforms.models import Dossier

from .inbox.views import EXPORT_LOG_ACTION
from .inbox.viewset import InboxPolicy, InboxViewSet

# ---------------------------------------------------------------- inbox

register_permission_policy(Dossier, InboxPolicy(Dossier))


@hooks.register("register_admin_viewset")
def register_inbox():
    return InboxViewSet()


@hooks.register("register_log_actions")
def register_inbox_log_actions(actions):
    actions.register_action(EXPORT_LOG_ACTION, _("Export dossiers"), _("Exported the dossier list"))
