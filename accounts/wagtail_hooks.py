"""The accounts app in the Wagtail admin: staff memberships and
invitations, a masked view of citizen profiles for administrators, identity
providers, and the staff second factor's views and log actions.

A superuser manages every membership; an agency administrator only those of
the agencies they administer, and may only add people to those agencies."""

from __future__ import annotations

from django import forms
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from core.admin_views import ListingOnlyMixin

from . import masking, mfa
from .enrolment import LOG_ACTIONS
from .identity_providers import SocialAppViewSet
from .invitations import has_confirmed_primary_email, send_invitation
from .membership_views import EnrolmentCodeCreateView
from .models import CitizenProfile, StaffInvitation, StaffMembership, StaffRole
from .services import agencies_for


def scoped_memberships(user):
    queryset = StaffMembership.objects.select_related("user", "agency")
    if user.is_superuser:
        return queryset
    return queryset.filter(agency__in=agencies_for(user, StaffRole.AGENCY_ADMIN))


class StaffMembershipForm(WagtailAdminModelForm):
    """Names the staff member by the email of their existing account, so an
    agency administrator never browses the list of all users."""

    email = forms.EmailField(label=_("Email of the staff member's account"))

    class Meta:
        model = StaffMembership
        fields = ["agency", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
        if self.for_user is not None and not self.for_user.is_superuser:
            self.fields["agency"].queryset = agencies_for(self.for_user, StaffRole.AGENCY_ADMIN)

    def clean_email(self):
        """Only an account whose primary address is confirmed gets a role
        directly: anyone can sign up with a future colleague's address, but
        only its owner can confirm it. Everyone else is invited by email."""
        email = self.cleaned_data["email"]
        if self.instance.pk and self.instance.user.email.lower() == email.lower():
            return email  # editing the agency or role of an existing membership
        users = list(get_user_model().objects.filter(email__iexact=email, is_active=True)[:2])
        if len(users) != 1:
            raise forms.ValidationError(
                _("There is no active account with this email address. Send the person an invitation "
                  "from Staff invitations instead: they accept it with a one-time link sent to this address."),
                code="no_account",
            )
        if not has_confirmed_primary_email(users[0], email):
            raise forms.ValidationError(
                _("This account has not confirmed this email address as its primary address, so it cannot be "
                  "given a staff role. Send the person an invitation from Staff invitations instead: they accept "
                  "it with a one-time link sent to this address."),
                code="unconfirmed_email",
            )
        self.instance.user = users[0]
        return email

    def clean(self):
        cleaned = super().clean()
        agency, role = cleaned.get("agency"), cleaned.get("role")
        user = getattr(self.instance, "user", None) if self.instance.user_id else None
        if user and agency and role:
            duplicate = StaffMembership.objects.filter(user=user, agency=agency, role=role).exclude(pk=self.instance.pk)
            if duplicate.exists():
                raise forms.ValidationError(_("This person already has this role at this agency."))
        return cleaned


class MembershipIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scoped_memberships(self.request.user)


class MembershipCreateView(EnrolmentCodeCreateView):
    enrolment_reason = "membership"


# Every view that loads one membership fetches it from the scoped queryset,
# so another agency's membership is a 404 before any permission check or
# rendering. The generic views fetch their object in three ways:
class MembershipEditView(generic.EditView):
    def get_queryset(self):  # Django's SingleObjectMixin
        return scoped_memberships(self.request.user)


class MembershipDeleteView(generic.DeleteView):
    def get_queryset(self):
        return scoped_memberships(self.request.user)


class MembershipHistoryView(generic.HistoryView):
    def get_base_object_queryset(self):  # Wagtail's BaseObjectMixin
        return scoped_memberships(self.request.user)


class MembershipUsageView(generic.UsageView):
    def get_base_object_queryset(self):
        return scoped_memberships(self.request.user)


class MembershipInspectView(generic.InspectView):
    def get_object(self, queryset=None):  # get_object_or_404(self.model, ...) upstream
        return get_object_or_404(scoped_memberships(self.request.user), pk=unquote(str(self.pk)))


class StaffMembershipViewSet(ModelViewSet):
    model = StaffMembership
    form_class = StaffMembershipForm
    index_view_class = MembershipIndexView
    add_view_class = MembershipCreateView
    edit_view_class = MembershipEditView
    delete_view_class = MembershipDeleteView
    history_view_class = MembershipHistoryView
    usage_view_class = MembershipUsageView
    inspect_view_class = MembershipInspectView
    icon = "group"
    menu_label = _("Staff memberships")
    add_to_admin_menu = True
    menu_order = 900
    list_display = ["user", "agency", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "agency__name"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return StaffMembershipForm


def scoped_invitations(user):
    queryset = StaffInvitation.objects.select_related("agency")
    if user.is_superuser:
        return queryset
    return queryset.filter(agency__in=agencies_for(user, StaffRole.AGENCY_ADMIN))


class StaffInvitationForm(WagtailAdminModelForm):
    """Invite an address to a role; saving emails the one-time link."""

    class Meta:
        model = StaffInvitation
        fields = ["email", "agency", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and not self.for_user.is_superuser:
            self.fields["agency"].queryset = agencies_for(self.for_user, StaffRole.AGENCY_ADMIN)

    def save(self, commit=True):
        invitation = super().save(commit=False)
        token = invitation.set_new_token()
        invitation.created_by = self.for_user
        if commit:
            invitation.save()
            send_invitation(invitation, token)
        return invitation


class InvitationIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scoped_invitations(self.request.user)

    def get_edit_url(self, instance):
        return None


class InvitationEditView(generic.EditView):
    def get_queryset(self):
        # An invitation is never edited (its token went to one address for
        # one role): withdraw it and send a new one.
        return StaffInvitation.objects.none()


class InvitationDeleteView(generic.DeleteView):
    def get_queryset(self):
        return scoped_invitations(self.request.user)


class InvitationHistoryView(generic.HistoryView):
    def get_base_object_queryset(self):
        return scoped_invitations(self.request.user)


class InvitationUsageView(generic.UsageView):
    def get_base_object_queryset(self):
        return scoped_invitations(self.request.user)


class StaffInvitationViewSet(ModelViewSet):
    model = StaffInvitation
    form_class = StaffInvitationForm
    index_view_class = InvitationIndexView
    edit_view_class = InvitationEditView
    delete_view_class = InvitationDeleteView
    history_view_class = InvitationHistoryView
    usage_view_class = InvitationUsageView
    icon = "mail"
    menu_label = _("Staff invitations")
    add_to_admin_menu = True
    menu_order = 901
    list_display = ["email", "agency", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "agency__name"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return StaffInvitationForm


class MaskedColumn(Column):
    """Shows a personal-data field masked: administrators never need it whole."""

    def get_value(self, instance):
        return masking.MASKERS[self.name](getattr(instance, self.name))


class ProfileIndexView(ListingOnlyMixin, generic.IndexView):
    """Listing only: no links to create, edit, copy or delete someone's profile."""

    def get_base_queryset(self):
        if not self.request.user.is_superuser:
            raise PermissionDenied
        return CitizenProfile.objects.select_related("user")



class CitizenProfileViewSet(ModelViewSet):
    """Read-only and masked: profiles belong to citizens, who change them
    themselves; administrators may only see that they exist."""

    model = CitizenProfile
    index_view_class = ProfileIndexView
    icon = "user"
    menu_label = _("Citizen profiles")
    add_to_settings_menu = True
    list_display = ["full_name", "user", MaskedColumn("id_number", label=_("Citizen identity number")),
                    MaskedColumn("date_of_birth", label=_("Date of birth")),
                    MaskedColumn("phone", label=_("Mobile phone")), "verified_by"]
    search_fields = ["full_name"]
    form_fields = ["full_name"]
    add_view_enabled = False
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_urlpatterns(self):
        # Listing only: no create, edit or delete of someone else's profile.
        return [pattern for pattern in super().get_urlpatterns() if getattr(pattern, "name", "") == "index"
                or getattr(pattern, "name", "") == "index_results"]



@hooks.register("register_admin_viewset")
def register_staff_memberships():
    return StaffMembershipViewSet("staff_memberships")


@hooks.register("register_admin_viewset")
def register_staff_invitations():
    return StaffInvitationViewSet("staff_invitations")


@hooks.register("register_admin_viewset")
def register_citizen_profiles():
    return CitizenProfileViewSet("citizen_profiles")


@hooks.register("register_admin_viewset")
def register_identity_providers():
    return SocialAppViewSet()


@hooks.register("register_admin_urls")
def register_second_factor_urls():
    return mfa.admin_urls()


@hooks.register("register_log_actions")
def register_second_factor_log_actions(actions):
    for action, label, message in LOG_ACTIONS:
        actions.register_action(action, label, message)
