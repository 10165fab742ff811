from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import health
from .disclosure_report import disclosure_coverage


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when every part answers, 503 otherwise."""
    healthy, checks = health.run_checks()
    return JsonResponse({"status": "ok" if healthy else "down", "checks": checks, "tasks": health.task_backlog()},
                        status=200 if healthy else 503)


class DisclosureReportView(WagtailAdminTemplateMixin, TemplateView):
    """Admin report: which Decree 43 kinds are missing or stale, per language."""

    template_name = "home/admin/disclosure_report.html"
    page_title = _("Decree 43 disclosure")
    header_icon = "list-ul"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = disclosure_coverage()
        context["stale_days"] = settings.DISCLOSURE_STALE_DAYS
        context["languages"] = settings.LANGUAGES
        return context
