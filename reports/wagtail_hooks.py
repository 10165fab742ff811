"""The reports' admin screens (menu items, URLs, permissions)."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import admin_views, referrals
from .staff import may_see_province, may_see_reports


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("reports/ministry/", admin_views.MinistryView.as_view(), name="reports_ministry"),
        path("reports/ministry/tables.xlsx", admin_views.ministry_xlsx, name="reports_ministry_xlsx"),
        path("reports/agencies/", admin_views.AgencyReportView.as_view(), name="reports_agencies"),
        path("reports/agencies/export/<str:fmt>/", admin_views.staff_report_export, {"kind": "agencies"},
             name="reports_agencies_export"),
        path("reports/handlers/", admin_views.HandlerReportView.as_view(), name="reports_handlers"),
        path("reports/handlers/export/<str:fmt>/", admin_views.staff_report_export, {"kind": "handlers"},
             name="reports_handlers_export"),
        path("reports/desk-log/", admin_views.DeskLogView.as_view(), name="reports_desk_log"),
        path("reports/desk-log/print/", admin_views.desk_log_print, name="reports_desk_log_print"),
        path("reports/desk-log/export/<str:fmt>/", admin_views.desk_log_export, name="reports_desk_log_export"),
    ]


class StaffReportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_reports(request.user)


class ProvinceReportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_province(request.user)


# In Wagtail's own Reports menu, which shows only the items a user may see.
@hooks.register("register_reports_menu_item")
def register_agency_report_menu_item():
    return StaffReportMenuItem(_("Dossiers by agency"), reverse("reports_agencies"), name="reports-agencies",
                              icon_name="table", order=100)


@hooks.register("register_reports_menu_item")
def register_handler_report_menu_item():
    return StaffReportMenuItem(_("Dossiers by handler"), reverse("reports_handlers"), name="reports-handlers",
                              icon_name="user", order=110)


@hooks.register("register_reports_menu_item")
def register_desk_log_menu_item():
    return StaffReportMenuItem(_("Reception desk log book"), reverse("reports_desk_log"), name="reports-desk-log",
                              icon_name="list-ul", order=120)


@hooks.register("register_reports_menu_item")
def register_ministry_menu_item():
    return ProvinceReportMenuItem(_("Tables for the Ministry"), reverse("reports_ministry"),
                                  name="reports-ministry", icon_name="download", order=130)


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
