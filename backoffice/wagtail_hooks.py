"""The back office's admin screens, menus and dashboard panels."""


# ---------------------------------------------------------------- desk and post intake

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from backoffice import intake


@hooks.register("register_admin_urls")
def register_intake_urls():
    return intake.admin_urls()


class IntakeMenuItem(MenuItem):
    def is_shown(self, request):
        return intake.receiving_agencies_of(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_intake_menu_item():
    return IntakeMenuItem(_("Desk and post intake"), reverse("backoffice_intake:choose"), name="backoffice_intake",
                          icon_name="form", order=160)
