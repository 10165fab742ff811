"""The feedback screens in the Wagtail admin: URLs and menu."""

from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

# ---------------------------------------------------------------- feedback and complaints, ratings


@hooks.register("register_admin_urls")
def register_complaints_and_ratings_urls():
    """/admin/feedback/complaints/… and /admin/feedback/ratings/…"""
    from .views import complaints_admin, ratings_admin

    return [*complaints_admin.admin_urls(), *ratings_admin.admin_urls()]


class ComplaintsMenuItem(MenuItem):
    def is_shown(self, request):
        from .complaints import has_scope

        return has_scope(request.user)


class RatingsMenuItem(MenuItem):
    def is_shown(self, request):
        from .ratings import has_scope

        return has_scope(request.user)


@hooks.register("register_admin_menu_item")
def register_complaints_menu():
    return ComplaintsMenuItem(_("Feedback and complaints"), reverse("complaints_admin:index"),
                              name="feedback_complaints", icon_name="mail", order=180)


@hooks.register("register_admin_menu_item")
def register_ratings_menu():
    return RatingsMenuItem(_("Ratings"), reverse("ratings_admin:index"), name="feedback_ratings", icon_name="pick",
                           order=181)


@hooks.register("register_permissions")
def register_route_complaint_permission():
    """So administrators can give it to a group (Settings → Groups)."""
    return Permission.objects.filter(content_type__app_label="feedback", codename="route_complaint")
