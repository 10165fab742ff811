"""The citizen's own pages: profile, privacy notice, data export, deletion.
Every view works on `request.user` only; nobody can reach another
person's profile or data through them."""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import invitations, privacy, services
from .forms import DeleteAccountForm, ProfileForm
from .models import CitizenProfile, StaffInvitation


def _profile(user) -> CitizenProfile:
    profile, _created = CitizenProfile.objects.get_or_create(user=user)
    return profile


@never_cache
@login_required
def profile(request):
    """The citizen's page: their details (whole, they are the owner), what
    is verified, and links to change them."""
    profile = _profile(request.user)
    emails = EmailAddress.objects.filter(user=request.user).order_by("-primary", "email")
    return render(request, "accounts/profile.html", {
        "profile": profile,
        "emails": emails,
        "memberships": request.user.staff_memberships.select_related("agency"),
        "consents": request.user.consents.all()[:5],
        "needs_consent": not services.has_current_consent(request.user),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = _profile(request.user)
    if request.method == "POST" and request.POST.get("action") == "unverify":
        # The citizen chooses, explicitly, to edit details an identity
        # provider vouched for: they lose their "verified" mark.
        profile.verified_fields = []
        profile.verified_by = ""
        profile.save(update_fields=["verified_fields", "verified_by", "updated_at"])
        messages.warning(request, _("Your details are no longer marked as verified. You can now change them."))
        return redirect("accounts_profile_edit")
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts_profile")
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


def privacy_notice(request):
    """The privacy notice, public: anyone may read it before signing up."""
    return render(request, "accounts/privacy_notice.html", {
        "purposes": privacy.PURPOSES,
        "data_items": privacy.DATA_ITEMS,
        "version": settings.PORTAL_PRIVACY_NOTICE_VERSION,
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consent(request):
    """Agree to the current privacy notice (e.g. after a social sign-up or a
    new notice version)."""
    if request.method == "POST":
        if request.POST.get("consent") == "on":
            services.record_consent(request.user, request)
            messages.success(request, _("Thank you. Your consent has been recorded."))
            return redirect("accounts_profile")
        messages.error(request, _("Tick the box to give your consent."))
    return render(request, "accounts/consent.html", {
        "purposes": privacy.PURPOSES,
        "data_items": privacy.DATA_ITEMS,
        "version": settings.PORTAL_PRIVACY_NOTICE_VERSION,
    })


@never_cache
@login_required
def my_data(request):
    """The citizen's rights over their data: download it, delete the account."""
    return render(request, "accounts/my_data.html", {
        "consents": request.user.consents.all(),
        "erasable": services.erasable(request.user),
    })


@never_cache
@login_required
def export_data(request):
    """Download, as JSON, everything the portal holds about the signed-in
    user, and only about them."""
    data = services.export_personal_data(request.user)
    filename = f"my-data-{timezone.localdate().isoformat()}.json"
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    user = request.user
    if not services.erasable(user):
        return render(request, "accounts/delete_account.html", {"erasable": False}, status=403)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST":
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            form.add_error(None, _("You are sending too many requests. Please wait a few minutes and try again."))
        elif form.is_valid():
            services.erase_account(user)
            logout(request)
            messages.success(request, _("Your account has been deleted. Thank you for using the portal."))
            return redirect("wagtail_serve", "")
    return render(request, "accounts/delete_account.html", {"form": form, "erasable": True})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_invitation(request, token: str):
    """Accept a staff invitation. GET only shows it (mail scanners open
    links); POST accepts, for the account that holds the invited address."""
    invitation = StaffInvitation.open_for_token(token)
    if invitation is None:
        return render(request, "accounts/staff_invitation.html", {"invitation": None}, status=404)
    allowed = invitations.can_accept(invitation, request.user)
    if request.method == "POST" and allowed:
        membership = invitations.accept(invitation, request.user)
        if membership is not None:
            messages.success(request, _("You now work for %(agency)s on the portal.")
                             % {"agency": invitation.agency.name})
            return redirect("accounts_profile")
        return render(request, "accounts/staff_invitation.html", {"invitation": None}, status=404)
    return render(request, "accounts/staff_invitation.html", {"invitation": invitation, "allowed": allowed},
                  status=200 if allowed else 403)
