"""Signing in the Wagtail admin: upload an agency's certificate, see which
agencies can sign (and why not), and the register of signed documents.

Superusers see every agency; an agency administrator only the agencies they
administer (`accounts.services.agencies_for(user, AGENCY_ADMIN)`): every
view fetches its rows from the scoped queryset, so another agency's
certificate is a 404. Certificates are never deleted (what they signed must
still verify); an administrator retires one, which erases its private key."""

from __future__ import annotations

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Locale
from wagtail.permission_policies import ModelPermissionPolicy

from accounts.models import StaffRole
from accounts.services import agencies_for
from core.admin_views import ListingOnlyMixin
from procedures.models import Agency
from signing import certificates
from signing.models import AgencyCertificate, SignedDocument

VIEW_PERMISSION = "signing.view_agencycertificate"


# ---------------------------------------------------------------- scope


def agencies_of(user):
    """The agencies whose certificates `user` manages (default-language copies)."""
    if user.is_superuser:
        queryset = Agency.objects.all()
    else:
        queryset = agencies_for(user, StaffRole.AGENCY_ADMIN)
    return queryset.filter(locale=Locale.get_default()).order_by("name")


def _keys(user):
    if user.is_superuser:
        return None
    return agencies_for(user, StaffRole.AGENCY_ADMIN).values("translation_key")


def scoped_certificates(user):
    queryset = AgencyCertificate.objects.select_related("agency", "uploaded_by")
    keys = _keys(user)
    return queryset if keys is None else queryset.filter(agency__translation_key__in=keys)


def scoped_documents(user):
    queryset = SignedDocument.objects.select_related("agency")
    keys = _keys(user)
    return queryset if keys is None else queryset.filter(agency__translation_key__in=keys)


class CertificatePolicy(ModelPermissionPolicy):
    """Django's model permissions (agency administrators hold add, change and
    view by signing's migration 0002), but nobody deletes a certificate."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class RegisterPolicy(ModelPermissionPolicy):
    """The register is written by signing only: view, never add, change or delete."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, "view")

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


# ---------------------------------------------------------------- forms


class CertificateUploadForm(WagtailAdminModelForm):
    upload = forms.FileField(label=_("Certificate file (PKCS#12: .p12 or .pfx)"),
                             help_text=_("The agency's signing certificate with its private key, as its "
                                         "certification authority issued it."))
    password = forms.CharField(label=_("Password of the certificate file"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                               help_text=_("Kept encrypted; never shown again."))

    class Meta:
        model = AgencyCertificate
        fields = ["agency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["agency"].queryset = agencies_of(self.for_user)
        self.fields["agency"].help_text = _("A new certificate replaces the agency's active one, which is retired.")
        self.bundle: bytes = b""
        self.info: certificates.CertificateInfo | None = None

    def clean(self):
        cleaned = super().clean()
        agency, upload = cleaned.get("agency"), cleaned.get("upload")
        if agency is not None and agency.unit_code in certificates.configured():
            self.add_error("agency", _("This agency's certificate is set in the server's settings "
                                       "(PORTAL_SIGNING_CERTIFICATES); change it there."))
            return cleaned
        if upload is None:
            return cleaned
        if upload.size > certificates.MAX_PKCS12_SIZE:
            self.add_error("upload", _("This is not a PKCS#12 (.p12 or .pfx) certificate file."))
            return cleaned
        self.bundle = upload.read()
        try:
            self.info, _signer = certificates.read_pkcs12(self.bundle, cleaned.get("password") or "")
        except certificates.CertificateError as error:
            self.add_error("password", str(error))
            return cleaned
        try:
            certificates.check_usable(self.info)
        except certificates.CertificateError as error:
            self.add_error("upload", str(error))
        return cleaned

    def save(self, commit=True):
        return certificates.install(self.cleaned_data["agency"], self.bundle, self.cleaned_data.get("password") or "",
                                    uploaded_by=self.for_user, info=self.info)


class CertificateRetireForm(WagtailAdminModelForm):
    retire = forms.BooleanField(
        label=_("Retire this certificate"), required=False,
        help_text=_("Stop signing with it and erase its private key and password from the portal. Documents it "
                    "signed still verify. This cannot be undone: upload the certificate again to sign with it."),
    )

    class Meta:
        model = AgencyCertificate
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.active:
            self.fields["retire"].disabled = True
            self.fields["retire"].help_text = _("This certificate is retired.")

    def save(self, commit=True):
        if self.cleaned_data.get("retire") and self.instance.active:
            certificates.retire(self.instance)
        return self.instance


# ---------------------------------------------------------------- certificates


class CertificateIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scoped_certificates(self.request.user)


class CertificateCreateView(generic.CreateView):
    def save_instance(self):
        return self.form.save()


class CertificateEditView(generic.EditView):
    def get_queryset(self):
        return scoped_certificates(self.request.user)

    def save_instance(self):
        return self.form.save()


class CertificateInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(scoped_certificates(self.request.user), pk=unquote(str(self.pk)))


class CertificateHistoryView(generic.HistoryView):
    def get_base_object_queryset(self):
        return scoped_certificates(self.request.user)


class CertificateUsageView(generic.UsageView):
    def get_base_object_queryset(self):
        return scoped_certificates(self.request.user)


class AgencyCertificateViewSet(ModelViewSet):
    model = AgencyCertificate
    icon = "key"
    menu_label = _("Signing certificates")
    index_view_class = CertificateIndexView
    add_view_class = CertificateCreateView
    edit_view_class = CertificateEditView
    inspect_view_class = CertificateInspectView
    history_view_class = CertificateHistoryView
    usage_view_class = CertificateUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["agency", "subject_name", Column("issuer", label=_("issuer")), "not_after", "active"]
    list_filter = ["active"]
    search_fields = ["subject", "agency__name", "serial"]
    inspect_view_fields = ["agency", "active", "subject", "issuer", "serial", "fingerprint", "not_before", "not_after",
                           "created_at", "uploaded_by", "retired_at"]

    def get_form_class(self, for_update=False):
        return CertificateRetireForm if for_update else CertificateUploadForm


# ---------------------------------------------------------------- which agencies can sign


class OverviewView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "signing/admin/agencies.html"
    page_title = _("Agencies that can sign")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = [certificates.status_for(agency) for agency in agencies_of(self.request.user)]
        context["upload_url"] = reverse("signing_certificates:add")
        return context


class PermissionMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


class OverviewViewSet(ViewSet):
    name = "signing_agencies"
    icon = "key"
    menu_label = _("Agencies that can sign")

    def get_urlpatterns(self):
        return [path("", OverviewView.as_view(), name="index")]

    @cached_property
    def menu_item_class(self):
        return PermissionMenuItem


# ---------------------------------------------------------------- the register


class DocumentIndexView(ListingOnlyMixin, generic.IndexView):
    def get_base_queryset(self):
        return scoped_documents(self.request.user)


class SignedDocumentViewSet(ModelViewSet):
    """Read-only: the list of what the portal issued, signed or not."""

    model = SignedDocument
    icon = "doc-full"
    menu_label = _("Register of issued documents")
    index_view_class = DocumentIndexView
    list_display = ["code", "kind", "dossier_code", "agency", "signed", "signed_at"]
    list_filter = ["kind", "signed"]
    search_fields = ["code", "dossier_code"]
    form_fields = ["code"]
    add_view_enabled = False
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns()
                if getattr(pattern, "name", "") in ("index", "index_results")]


class SigningViewSetGroup(ViewSetGroup):
    menu_label = _("Signed documents")
    menu_icon = "key"
    menu_order = 850
    items = (
        AgencyCertificateViewSet("signing_certificates"),
        OverviewViewSet(),
        SignedDocumentViewSet("signed_documents"),
    )
