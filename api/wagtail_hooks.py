"""The API's admin screens: API clients (/admin/api-clients/), webhook
endpoints and deliveries (/admin/api-webhooks/, /admin/api-deliveries/),
connection health (/admin/api-health/), and their log actions."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import REVOKE_ACTION, ROTATE_ACTION, ApiClientViewSet
from .health import HealthView, may_see_health
from .webhooks.admin_views import RESEND_ACTION, WebhookDeliveryViewSet, WebhookEndpointViewSet


@hooks.register("register_admin_viewset")
def register_api_clients():
    return ApiClientViewSet()


@hooks.register("register_admin_viewset")
def register_webhook_endpoints():
    return WebhookEndpointViewSet()


@hooks.register("register_admin_viewset")
def register_webhook_deliveries():
    return WebhookDeliveryViewSet()


@hooks.register("register_admin_urls")
def register_health_url():
    return [path("api-health/", HealthView.as_view(), name="api_health")]


class HealthMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_health(request.user)


@hooks.register("register_admin_menu_item")
def register_health_menu_item():
    return HealthMenuItem(_("API connection health"), reverse("api_health"), icon_name="pulse", order=905)


@hooks.register("register_log_actions")
def register_api_log_actions(actions):
    actions.register_action(ROTATE_ACTION, _("Rotate an API client's secret"), _("Rotated the client secret"))
    actions.register_action(REVOKE_ACTION, _("Revoke an API client"), _("Revoked the API client"))
    actions.register_action(RESEND_ACTION, _("Send a webhook event again"), _("Sent the webhook event again"))
