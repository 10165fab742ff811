"""The reports' admin screens (menu items, URLs, permissions)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import admin_views
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


@hooks.register("register_admin_menu_item")
def register_reports_menu():
    menu = Menu(items=[
        StaffReportMenuItem(_("By agency"), reverse("reports_agencies"), name="reports-agencies",
                            icon_name="table", order=100),
        StaffReportMenuItem(_("By handler"), reverse("reports_handlers"), name="reports-handlers",
                            icon_name="user", order=200),
        StaffReportMenuItem(_("Reception desk log book"), reverse("reports_desk_log"), name="reports-desk-log",
                            icon_name="list-ul", order=300),
        ProvinceReportMenuItem(_("Tables for the Ministry"), reverse("reports_ministry"), name="reports-ministry",
                               icon_name="download", order=400),
    ])
    return SubmenuMenuItem(_("Reports"), menu, name="reports", icon_name="table", order=290)
