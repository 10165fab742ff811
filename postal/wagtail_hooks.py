"""The postal app in the Wagtail admin: the officer's screens and menu,
and (for administrators) postal units and their officers."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Locale

from accounts.invitations import has_confirmed_primary_email
from accounts.membership_views import EnrolmentCodeCreateView
from procedures.models import Agency

from . import urls as postal_urls
from .models import PostalMembership, PostalUnit
from .scope import may_use_postal_screens

# ---------------------------------------------------------------- the officer's screens


@hooks.register("register_admin_urls")
def register_postal_urls():
    """/admin/postal/… (namespace "postal")."""
    return [path("postal/", include(postal_urls, namespace="postal"))]


class PostalMenuItem(MenuItem):
    def is_shown(self, request):
        return may_use_postal_screens(request.user)


class PostalSubmenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return may_use_postal_screens(request.user)


@hooks.register("register_admin_menu_item")
def register_postal_menu():
    menu = Menu(items=[
        PostalMenuItem(_("Pickups and deliveries"), reverse("postal:jobs"), name="postal_jobs", icon_name="mail",
                       order=100),
        PostalMenuItem(_("Monthly report"), reverse("postal:report"), name="postal_report", icon_name="table",
                       order=200),
    ])
    return PostalSubmenuItem(_("Home service"), menu, name="postal", icon_name="mail", order=170)


# ---------------------------------------------------------------- administrators: units and officers


class PostalUnitForm(WagtailAdminModelForm):
    class Meta:
        model = PostalUnit
        fields = ["name", "code", "phone", "address", "agencies", "pickup_fee_vnd", "delivery_fee_vnd",
                  "demo_fees", "delivery_working_days", "active"]
        widgets = {"agencies": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # one copy per agency: a unit serves an agency in every language
        self.fields["agencies"].queryset = Agency.objects.filter(locale=Locale.get_default()).order_by("name")


class PostalUnitViewSet(ModelViewSet):
    model = PostalUnit
    form_class = PostalUnitForm
    icon = "mail"
    menu_label = _("Postal units")
    add_to_settings_menu = True
    list_display = ["name", "code", "phone", "pickup_fee_vnd", "delivery_fee_vnd", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return PostalUnitForm


class PostalMembershipForm(WagtailAdminModelForm):
    """Names the officer by the confirmed email of their existing account."""

    email = forms.EmailField(label=_("Email of the officer's account"))

    class Meta:
        model = PostalMembership
        fields = ["unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email

    def clean_email(self):
        email = self.cleaned_data["email"]
        if self.instance.pk and self.instance.user.email.lower() == email.lower():
            return email
        users = list(get_user_model().objects.filter(email__iexact=email, is_active=True)[:2])
        if len(users) != 1 or not has_confirmed_primary_email(users[0], email):
            raise forms.ValidationError(
                _("There is no active account whose confirmed primary address is this one. The officer first "
                  "signs up on the portal and confirms their email address."), code="no_account")
        self.instance.user = users[0]
        return email

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        if unit is not None and self.instance.user_id and PostalMembership.objects.filter(
                user_id=self.instance.user_id, unit=unit).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This person is already an officer of this unit."))
        return cleaned


class MembershipCreateView(EnrolmentCodeCreateView):
    enrolment_reason = "postal membership"


class PostalMembershipViewSet(ModelViewSet):
    model = PostalMembership
    form_class = PostalMembershipForm
    add_view_class = MembershipCreateView
    icon = "group"
    menu_label = _("Postal officers")
    add_to_settings_menu = True
    list_display = ["user", "unit", "created_at"]
    list_filter = ["unit"]
    search_fields = ["user__email", "unit__name"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return PostalMembershipForm


@hooks.register("register_admin_viewset")
def register_postal_units():
    return PostalUnitViewSet("postal_units")


@hooks.register("register_admin_viewset")
def register_postal_memberships():
    return PostalMembershipViewSet("postal_memberships")
