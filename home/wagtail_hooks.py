from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .task_queue import TaskQueueView
from .translation_report import TranslationCoverageReportView
from .views import DisclosureReportView


@hooks.register("register_admin_urls")
def register_disclosure_report_url():
    return [path("reports/disclosure/", DisclosureReportView.as_view(), name="disclosure_report")]


class DisclosureReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtailadmin.access_admin")


@hooks.register("register_reports_menu_item")
def register_disclosure_report_menu_item():
    return DisclosureReportMenuItem(
        _("Decree 43 disclosure"), reverse("disclosure_report"), icon_name="list-ul", order=700
    )




@hooks.register("register_admin_urls")
def register_task_queue_url():
    return [path("reports/task-queue/", TaskQueueView.as_view(), name="task_queue")]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_reports_menu_item")
def register_task_queue_menu_item():
    return SuperuserMenuItem(_("Task queue"), reverse("task_queue"), icon_name="cogs", order=900)


@hooks.register("register_admin_urls")
def register_english_coverage_report_urls():
    view = TranslationCoverageReportView
    return [
        path("reports/english-coverage/", view.as_view(), name="english_coverage_report"),
        path("reports/english-coverage/results/", view.as_view(results_only=True), name="english_coverage_report_results"),
    ]


@hooks.register("register_reports_menu_item")
def register_english_coverage_report_menu_item():
    return DisclosureReportMenuItem(
        _("English coverage"), reverse("english_coverage_report"), icon_name="globe", order=710
    )
