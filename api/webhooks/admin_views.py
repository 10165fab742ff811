"""Webhook endpoints and deliveries in the Wagtail admin
(/admin/api-webhooks/ and /admin/api-deliveries/), scoped like the API
clients (`api.admin_views.scoped_clients`): an agency administrator sees
and manages the endpoints of their own agency's clients and their
deliveries only; anything else is a 404. The endpoint's secret is shown
once, on the page that answers the registration."""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from ..admin_views import scoped_clients
from ..models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from . import worker

RESEND_ACTION = "api.webhook_resend"
ENDPOINT_ROUTES = {"index", "index_results", "add", "edit", "inspect", "history", "usage"}
DELIVERY_ROUTES = {"index", "index_results", "inspect"}
LOOPBACK_NAMES = {"localhost"}


def scoped_endpoints(user):
    return WebhookEndpoint.objects.select_related("client", "client__agency").filter(
        client__in=scoped_clients(user))


def scoped_deliveries(user):
    return WebhookDelivery.objects.select_related("endpoint", "endpoint__client").filter(
        endpoint__client__in=scoped_clients(user))


def _loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    """https only; plain http to a loopback address only when
    PORTAL_WEBHOOK_ALLOW_HTTP_LOOPBACK is on (tests, development)."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise forms.ValidationError(_("Do not put a user name or password in the address."), code="credentials")
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _loopback(parts.hostname) and \
            settings.PORTAL_WEBHOOK_ALLOW_HTTP_LOOPBACK:
        return
    raise forms.ValidationError(_("The address must start with https://."), code="https")


class WebhookEndpointForm(WagtailAdminModelForm):
    event_choices = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )
    url = forms.URLField(
        label=gettext_lazy("Address"), max_length=500, assume_scheme="https",
        help_text=gettext_lazy("An https address of the client's software that accepts POST requests."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["client", "url", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clients = scoped_clients(self.for_user).filter(revoked_at__isnull=True) if self.for_user else None
        self.fields["client"].queryset = clients if clients is not None else self.fields["client"].queryset.none()
        self.fields["client"].help_text = _("Events of this client's agency are sent; the client needs the "
                                            "dossiers:read scope.")
        if self.instance.pk:
            self.fields["event_choices"].initial = self.instance.event_list
            self.fields["client"].disabled = True
            self.fields["client"].queryset = scoped_clients(self.for_user).filter(pk=self.instance.client_id)

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        check_url(url)
        return url

    def clean_event_choices(self):
        return sorted(set(self.cleaned_data["event_choices"]))


def secret_page(request, endpoint: WebhookEndpoint) -> TemplateResponse:
    answer = TemplateResponse(request, "api/webhook_secret.html", {
        "endpoint": endpoint, "page_title": _("Webhook secret"), "header_icon": "key",
        "index_url": reverse("api_webhooks:index"),
        "breadcrumbs_items": [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                              {"url": reverse("api_webhooks:index"), "label": _("Webhook endpoints")},
                              {"url": "", "label": endpoint.url}],
    })
    answer["Cache-Control"] = "no-store"
    return answer


class EndpointIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scoped_endpoints(self.request.user)


class EndpointCreateView(generic.CreateView):
    def save_instance(self):
        endpoint = self.form.save(commit=False)
        endpoint.events = " ".join(self.form.cleaned_data["event_choices"])
        endpoint.secret = "whsec_" + secrets.token_urlsafe(32)
        endpoint.created_by = self.request.user
        endpoint.save()
        log(instance=endpoint, action="wagtail.create", user=self.request.user)
        return endpoint

    def save_action(self):
        return secret_page(self.request, self.object)


class EndpointEditView(generic.EditView):
    def get_queryset(self):
        return scoped_endpoints(self.request.user)

    def save_instance(self):
        endpoint = self.form.save(commit=False)
        endpoint.events = " ".join(self.form.cleaned_data["event_choices"])
        endpoint.save()
        log(instance=endpoint, action="wagtail.edit", user=self.request.user)
        return endpoint


class EndpointInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(scoped_endpoints(self.request.user), pk=unquote(str(self.pk)))

    def get_fields(self):
        return ["client", "url", "events", "active", "created_by", "created_at"]


class EndpointHistoryView(generic.HistoryView):
    def get_base_object_queryset(self):
        return scoped_endpoints(self.request.user)


class EndpointUsageView(generic.UsageView):
    def get_base_object_queryset(self):
        return scoped_endpoints(self.request.user)


class WebhookEndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    name = "api_webhooks"
    url_prefix = "api-webhooks"
    icon = "link-external"
    menu_label = gettext_lazy("Webhook endpoints")
    add_to_admin_menu = True
    menu_order = 903
    form_class = WebhookEndpointForm
    index_view_class = EndpointIndexView
    add_view_class = EndpointCreateView
    edit_view_class = EndpointEditView
    inspect_view_class = EndpointInspectView
    history_view_class = EndpointHistoryView
    usage_view_class = EndpointUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    search_fields = ["url", "client__name"]
    list_filter = ["active"]

    @property
    def list_display(self):
        return [
            TitleColumn("url", label=_("Address"), url_name="api_webhooks:inspect"),
            Column("client", label=_("API client")),
            Column("events", label=_("Events")),
            Column("active", label=_("Active")),
        ]

    def get_form_class(self, for_update=False):
        return WebhookEndpointForm

    def get_common_view_kwargs(self, **kwargs):
        # No delete view: deactivate an endpoint; its deliveries stay.
        return super().get_common_view_kwargs(**{"delete_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if getattr(p, "name", None) in ENDPOINT_ROUTES]


# ---------------------------------------------------------------- deliveries


def resend_button(delivery: WebhookDelivery, cls=MenuItem) -> list:
    return [cls(_("Send again"), url=reverse("api_deliveries:resend", args=[delivery.pk]), icon_name="repeat",
                priority=30)]


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scoped_deliveries(self.request.user)

    def get_list_more_buttons(self, instance):
        return [*super().get_list_more_buttons(instance), *resend_button(instance)]


class DeliveryInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(scoped_deliveries(self.request.user), pk=unquote(str(self.pk)))

    def get_fields(self):
        return ["event_type", "event_id", "dossier_code", "endpoint", "state", "attempts", "created_at",
                "first_attempt_at", "last_attempt_at", "last_status_code", "last_error", "next_attempt_at",
                "delivered_at"]

    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, *resend_button(self.object, Button)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = list(self.object.attempt_log.order_by("-at", "-pk")[:50])
        return context


class DeliveryResendView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """A confirmation page, and the POST that puts the event (same id) back in the outbox."""

    model = WebhookDelivery
    permission_required = "change"
    template_name = "api/webhook_resend.html"
    header_icon = "repeat"

    def get_base_object_queryset(self):
        return scoped_deliveries(self.request.user)

    def get_page_title(self):
        return _("Send the event again")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("api_deliveries:index"), "label": _("Webhook deliveries")},
                {"url": "", "label": str(self.object.event_id)}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(delivery=self.object, cancel_url=reverse("api_deliveries:index"), **kwargs)

    def post(self, request, *args, **kwargs):
        worker.resend(self.object)
        log(instance=self.object, action=RESEND_ACTION, user=request.user)
        messages.success(request, _("The event %(id)s will be sent again within a minute.") % {
            "id": self.object.event_id})
        return redirect("api_deliveries:index")


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    name = "api_deliveries"
    url_prefix = "api-deliveries"
    icon = "list-ul"
    menu_label = gettext_lazy("Webhook deliveries")
    add_to_admin_menu = True
    menu_order = 904
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    search_fields = ["dossier_code", "endpoint__url"]
    list_filter = ["state", "event_type"]
    inspect_template_name = "api/webhook_delivery_inspect.html"
    form_fields = ["state"]

    @property
    def list_display(self):
        return [
            TitleColumn("event_type", label=_("Event"), url_name="api_deliveries:inspect"),
            Column("dossier_code", label=_("Dossier")),
            Column("endpoint", label=_("Address")),
            Column("state", label=_("State")),
            Column("attempts", label=_("Attempts")),
            Column("last_error", label=_("Last error")),
            DateColumn("next_attempt_at", label=_("Next attempt")),
            DateColumn("created_at", label=_("Created at")),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"delete_url_name": None, "add_url_name": None,
                                                 "edit_url_name": None, **kwargs})

    def get_urlpatterns(self):
        kept = [p for p in super().get_urlpatterns() if getattr(p, "name", None) in DELIVERY_ROUTES]
        resend = self.construct_view(DeliveryResendView, **self.get_common_view_kwargs())
        return [*kept, path("resend/<str:pk>/", resend, name="resend")]
