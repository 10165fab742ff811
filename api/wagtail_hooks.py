"""The API's admin screens: API clients (/admin/api-clients/) and their log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .admin_views import REVOKE_ACTION, ROTATE_ACTION, ApiClientViewSet


@hooks.register("register_admin_viewset")
def register_api_clients():
    return ApiClientViewSet()


@hooks.register("register_log_actions")
def register_api_log_actions(actions):
    actions.register_action(ROTATE_ACTION, _("Rotate an API client's secret"), _("Rotated the client secret"))
    actions.register_action(REVOKE_ACTION, _("Revoke an API client"), _("Revoked the API client"))
