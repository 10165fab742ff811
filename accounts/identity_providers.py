"""Identity providers (allauth's SocialApp) in the Wagtail admin: superusers
add them in Settings → Identity providers, with no code change and no
restart. Registered by accounts.wagtail_hooks."""

from __future__ import annotations

from allauth.socialaccount import providers
from allauth.socialaccount.models import SocialApp
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet


def _provider_choices() -> list[tuple[str, str]]:
    return providers.registry.as_choices()


class SocialAppForm(WagtailAdminModelForm):
    """The secret is write-only, and an OpenID Connect provider needs its
    issuer URL."""

    provider = forms.ChoiceField(label=_("Kind of provider"), choices=_provider_choices)
    secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current secret."),
    )
    server_url = forms.URLField(
        label=_("Issuer URL (OpenID Connect)"),
        required=False,
        assume_scheme="https",
        help_text=_("The provider's issuer, e.g. https://sso.example.gov.vn; its "
                    "/.well-known/openid-configuration must answer."),
    )

    class Meta:
        model = SocialApp
        fields = ["provider", "provider_id", "name", "client_id", "secret", "settings"]
        help_texts = {
            "provider_id": _("For OpenID Connect: a short id in lower case, e.g. vneid. It appears in the "
                             "callback URL /accounts/oidc/<id>/login/callback/ and is recorded as the sign-in "
                             "method."),
            "settings": _('Optional JSON, e.g. {"claims": {"id_number": "cccd"}, "verifies_identity": true}.'),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server_url"].initial = (self.instance.settings or {}).get("server_url", "")
        self.fields["settings"].required = False

    def clean_secret(self):
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")

    def clean(self):
        cleaned = super().clean()
        app_settings = cleaned.get("settings") or {}
        if not isinstance(app_settings, dict):
            self.add_error("settings", _("Enter a JSON object, or leave it empty."))
            return cleaned
        if cleaned.get("server_url"):
            app_settings["server_url"] = cleaned["server_url"].rstrip("/")
        if cleaned.get("provider") == "openid_connect":
            if not app_settings.get("server_url"):
                self.add_error("server_url", _("An OpenID Connect provider needs its issuer URL."))
            if not cleaned.get("provider_id"):
                self.add_error("provider_id", _("An OpenID Connect provider needs a short id."))
        cleaned["settings"] = app_settings
        return cleaned


class SocialAppViewSet(ModelViewSet):
    model = SocialApp
    name = "identity_providers"
    icon = "key"
    menu_label = _("Identity providers")
    add_to_settings_menu = True
    list_display = ["name", "provider", "provider_id", "client_id"]
    form_fields = ["provider", "provider_id", "name", "client_id", "secret", "settings"]

    def get_form_class(self, for_update=False):
        return SocialAppForm
