"""API clients in the Wagtail admin (/admin/api-clients/): an agency
administrator (an `agency_admin` staff membership; superusers for every
agency) registers clients for their own agencies, changes their scopes,
rotates their secret and revokes them. The secret is shown once, on the
page that answers the registration or the rotation, never again.

Every view that loads a client fetches it from `scoped_clients`, so
another agency's client is a 404 before any permission check."""

from __future__ import annotations

from django import forms
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
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.models import Locale

from accounts.models import StaffRole
from accounts.services import agencies_for
from procedures.models import Agency

from . import oauth
from .models import ApiClient, Scope

ROTATE_ACTION = "api.client_rotate"
REVOKE_ACTION = "api.client_revoke"
ROUTED = {"index", "index_results", "add", "edit", "inspect", "history", "usage"}


def scoped_clients(user):
    clients = ApiClient.objects.select_related("agency", "application", "created_by")
    if user.is_superuser:
        return clients
    return clients.filter(agency__translation_key__in=agencies_for(user, StaffRole.AGENCY_ADMIN)
                          .values("translation_key"))


def administered_agencies(user):
    """The agencies (one locale's copy each) this user registers clients for."""
    agencies = Agency.objects.filter(locale=Locale.get_default())
    if user.is_superuser:
        return agencies.order_by("name")
    keys = agencies_for(user, StaffRole.AGENCY_ADMIN).values("translation_key")
    return agencies.filter(translation_key__in=keys).order_by("name")


class ApiClientForm(WagtailAdminModelForm):
    scope_choices = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one scope.")},
        help_text=gettext_lazy("Give only what the software needs."),
    )

    class Meta:
        model = ApiClient
        fields = ["name", "agency", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = administered_agencies(self.for_user) if self.for_user else \
            Agency.objects.none()
        if self.instance.pk:
            self.fields["scope_choices"].initial = self.instance.scope_list
            # A client stays with the agency it was registered for: its feed and files are that agency's.
            self.fields["agency"].disabled = True
            self.fields["agency"].queryset = Agency.objects.filter(pk=self.instance.agency_id)
            self.fields["agency"].help_text = _("A client stays with the agency it was registered for.")

    def clean_scope_choices(self):
        return sorted(set(self.cleaned_data["scope_choices"]))


def action_buttons(client: ApiClient, cls=MenuItem) -> list:
    if client.revoked_at is not None:
        return []
    return [cls(_("Rotate the secret"), url=reverse("api_clients:rotate", args=[client.pk]), icon_name="key",
                priority=30),
            cls(_("Revoke the client"), url=reverse("api_clients:revoke", args=[client.pk]), icon_name="cross",
                priority=40)]


class ClientIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scoped_clients(self.request.user)

    def get_list_more_buttons(self, instance):
        return [*super().get_list_more_buttons(instance), *action_buttons(instance)]


def secret_page(request, client: ApiClient, credentials: oauth.Credentials, rotated: bool) -> TemplateResponse:
    answer = TemplateResponse(request, "api/client_secret.html", {
        "client": client, "credentials": credentials, "rotated": rotated,
        "page_title": _("Client secret"), "header_icon": "key",
        "index_url": reverse("api_clients:index"),
        "token_url": request.build_absolute_uri(reverse("oauth2_token")),
        "breadcrumbs_items": [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
                              {"url": reverse("api_clients:index"), "label": _("API clients")},
                              {"url": "", "label": client.name}],
    })
    answer["Cache-Control"] = "no-store"
    return answer


class ClientCreateView(generic.CreateView):
    credentials = None

    def save_instance(self):
        data = self.form.cleaned_data
        client, self.credentials = oauth.register(name=data["name"], agency=data["agency"],
                                                  scopes=data["scope_choices"], created_by=self.request.user,
                                                  active=data["active"])
        log(instance=client, action="wagtail.create", user=self.request.user)
        return client

    def save_action(self):
        return secret_page(self.request, self.object, self.credentials, rotated=False)


class ClientEditView(generic.EditView):
    def get_queryset(self):
        return scoped_clients(self.request.user)

    def save_instance(self):
        before = ApiClient.objects.get(pk=self.object.pk)
        client = self.form.save(commit=False)
        client.scopes = " ".join(self.form.cleaned_data["scope_choices"])
        client.save()
        log(instance=client, action="wagtail.edit", user=self.request.user)
        if set(client.scope_list) != set(before.scope_list) or not client.active:
            oauth.revoke_tokens(client)  # tokens carry the old scopes: the software asks again
        return client


class ClientInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(scoped_clients(self.request.user), pk=unquote(str(self.pk)))

    def get_fields(self):
        return ["name", "client_id", "agency", "scopes", "active", "created_by", "created_at", "last_used_at",
                "rotated_at", "revoked_at"]

    def get_field_label(self, field_name, field):
        if field_name == "client_id":
            return _("Client ID")
        return super().get_field_label(field_name, field)

    def get_client_id_display_value(self):
        return self.object.client_id

    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, *action_buttons(self.object, Button)]


class ClientHistoryView(generic.HistoryView):
    def get_base_object_queryset(self):
        return scoped_clients(self.request.user)


class ClientUsageView(generic.UsageView):
    def get_base_object_queryset(self):
        return scoped_clients(self.request.user)


class ClientActionView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """Rotate or revoke: a confirmation page, and the POST that does it."""

    model = ApiClient
    permission_required = "change"
    template_name = "api/client_confirm.html"
    header_icon = "key"

    def get_base_object_queryset(self):
        return scoped_clients(self.request.user)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("api_clients:index"), "label": _("API clients")},
                {"url": "", "label": self.object.name}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(client=self.object, question=self.question(), button=self.button(),
                                        cancel_url=reverse("api_clients:index"), **kwargs)


class ClientRotateView(ClientActionView):
    def get_page_title(self):
        return _("Rotate the secret")

    def question(self):
        return _("A new secret replaces the current one at once: the old secret and every token it got stop "
                 "working. The new secret is shown once, on the next page.")

    def button(self):
        return _("Rotate the secret")

    def post(self, request, *args, **kwargs):
        if self.object.revoked_at is not None:
            messages.error(request, _("This client was revoked: register a new one."))
            return redirect("api_clients:index")
        credentials = oauth.rotate_secret(self.object)
        log(instance=self.object, action=ROTATE_ACTION, user=request.user)
        return secret_page(request, self.object, credentials, rotated=True)


class ClientRevokeView(ClientActionView):
    def get_page_title(self):
        return _("Revoke the client")

    def question(self):
        return _("Revoking is final: the client's tokens stop working at once and it gets no new one. Its "
                 "history stays.")

    def button(self):
        return _("Revoke the client")

    def post(self, request, *args, **kwargs):
        oauth.revoke(self.object)
        log(instance=self.object, action=REVOKE_ACTION, user=request.user)
        messages.success(request, _("API client “%(name)s” was revoked.") % {"name": self.object.name})
        return redirect("api_clients:index")


class ApiClientViewSet(ModelViewSet):
    model = ApiClient
    name = "api_clients"
    url_prefix = "api-clients"
    icon = "key"
    menu_label = gettext_lazy("API clients")
    add_to_admin_menu = True
    menu_order = 902
    form_class = ApiClientForm
    index_view_class = ClientIndexView
    add_view_class = ClientCreateView
    edit_view_class = ClientEditView
    inspect_view_class = ClientInspectView
    history_view_class = ClientHistoryView
    usage_view_class = ClientUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    search_fields = ["name", "agency__name"]
    list_filter = ["active"]

    @property
    def list_display(self):
        return [
            TitleColumn("name", label=_("Name"), url_name="api_clients:inspect"),
            Column("agency", label=_("Agency")),
            Column("scopes", label=_("Scopes")),
            StatusTagColumn("active", label=_("Active"), primary=lambda c: c.is_usable),
            DateColumn("last_used_at", label=_("Last used")),
            DateColumn("revoked_at", label=_("Revoked at")),
        ]

    def get_form_class(self, for_update=False):
        return ApiClientForm

    def get_common_view_kwargs(self, **kwargs):
        # No delete view: a client is revoked, and its history stays.
        return super().get_common_view_kwargs(**{"delete_url_name": None, **kwargs})

    def get_urlpatterns(self):
        kept = [p for p in super().get_urlpatterns() if getattr(p, "name", None) in ROUTED]
        rotate = self.construct_view(ClientRotateView, **self.get_common_view_kwargs())
        revoke = self.construct_view(ClientRevokeView, **self.get_common_view_kwargs())
        return [*kept, path("rotate/<str:pk>/", rotate, name="rotate"),
                path("revoke/<str:pk>/", revoke, name="revoke")]
