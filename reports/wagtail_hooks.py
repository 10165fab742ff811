"""The reports' admin screens (menu items, URLs, permissions)."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from reports import referrals


class ReferralsView(WagtailAdminTemplateMixin, TemplateView):
    """Admin → Dossiers per referring site: the embed kit's `src`, counted
    over a period in the user's scope (reports/referrals.py); `?format=csv`
    downloads the same table."""

    template_name = "reports/referrals.html"
    page_title = _("Dossiers per referring site")
    header_icon = "link"

    def dispatch(self, request, *args, **kwargs):
        if not referrals.may_view(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        form = referrals.ReferralForm(request.GET if "start" in request.GET else referrals.ReferralForm.defaults())
        result = None
        if form.is_valid():
            by_agency = form.cleaned_data["by_agency"]
            result = referrals.referrals_for(request.user, form.period(), by_agency=by_agency)
            if request.GET.get("format") == "csv":
                return referrals.csv_response(result, by_agency=by_agency)
        return self.render_to_response(self.get_context_data(form=form, result=result))


class ReferralsMenuItem(MenuItem):
    def is_shown(self, request):
        return referrals.may_view(request.user)


@hooks.register("register_admin_urls")
def register_referrals_url():
    return [path("reports/referrals/", ReferralsView.as_view(), name="reports_referrals")]


@hooks.register("register_reports_menu_item")
def register_referrals_menu_item():
    return ReferralsMenuItem(_("Dossiers per referring site"), reverse("reports_referrals"), icon_name="link",
                             name="referrals", order=900)
