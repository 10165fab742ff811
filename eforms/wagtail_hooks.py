from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from eforms.models import EFormPage
from eforms.views.files import DOWNLOAD_LOG_ACTION


@hooks.register("register_log_actions")
def register_dossier_log_actions(actions):
    actions.register_action(DOWNLOAD_LOG_ACTION, _("Download a dossier file"), _("Downloaded a dossier file"))


@hooks.register("filter_form_submissions_for_user")
def hide_eforms_from_form_submissions(user, editable_forms):
    """E-form pages never store a Wagtail form submission (applicants make
    dossiers through /p/<code>/apply/), so the "Forms" menu would list them
    with nothing behind them: it lists only the site's other form pages."""
    return editable_forms.not_type(EFormPage)
