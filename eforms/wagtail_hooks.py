from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from eforms.views import DOWNLOAD_LOG_ACTION


@hooks.register("register_log_actions")
def register_dossier_log_actions(actions):
    actions.register_action(DOWNLOAD_LOG_ACTION, _("Download a dossier file"), _("Downloaded a dossier file"))
