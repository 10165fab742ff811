"""Connection health ("Kiểm tra kết nối", seed 003): per API client, its
last successful API call (`ApiClient.last_used_at`, an authenticated call,
kept to the minute), its last delivered webhook, and its failures of the
last 24 hours: webhook attempts that failed and deliveries given up
(`dead`) in that time. API calls refused for a bad token are not counted
per client: a request with an unknown or expired token names no client
for sure, so it is nobody's.

Shown on an admin screen (/admin/api-health/, the clients the user
administers) and in `/healthz` for staff who passed the second factor
(`healthz` below wraps `home.views.healthz`); anonymous callers get the
plain checks only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts import mfa
from home.views import healthz as plain_healthz

from .admin_views import scoped_clients
from .models import ApiClient, DeliveryState, WebhookAttempt, WebhookDelivery

WINDOW = dt.timedelta(hours=24)


@dataclass
class ClientHealth:
    client: ApiClient
    last_call_at: dt.datetime | None
    last_delivery_at: dt.datetime | None
    failed_attempts: int
    dead: int
    pending: int

    @property
    def failures(self) -> int:
        return self.failed_attempts + self.dead

    def as_json(self) -> dict:
        def iso(value):
            return value.isoformat() if value else None

        return {"client": self.client.name, "agency": self.client.agency.unit_code, "usable": self.client.is_usable,
                "last_call_at": iso(self.last_call_at), "last_delivery_at": iso(self.last_delivery_at),
                "failures_24h": self.failures, "failed_attempts_24h": self.failed_attempts,
                "dead_24h": self.dead, "pending": self.pending}


def report(clients, now: dt.datetime | None = None) -> list[ClientHealth]:
    """The health of these clients, in four grouped queries whatever their number."""
    now = now or timezone.now()
    since = now - WINDOW
    clients = list(clients)
    ids = [c.pk for c in clients]
    deliveries = {row["endpoint__client"]: row for row in WebhookDelivery.objects.filter(
        endpoint__client__in=ids).values("endpoint__client").annotate(
        last=Max("delivered_at"),
        dead=Count("pk", filter=Q(state=DeliveryState.DEAD, last_attempt_at__gte=since)),
        pending=Count("pk", filter=Q(state=DeliveryState.PENDING)))}
    failed = dict(WebhookAttempt.objects.filter(delivery__endpoint__client__in=ids, ok=False, at__gte=since)
                  .values("delivery__endpoint__client").annotate(n=Count("pk"))
                  .values_list("delivery__endpoint__client", "n"))
    out = []
    for client in clients:
        row = deliveries.get(client.pk, {})
        out.append(ClientHealth(client, client.last_used_at, row.get("last"), failed.get(client.pk, 0),
                                row.get("dead", 0), row.get("pending", 0)))
    return out


def may_see_health(user) -> bool:
    return user.is_superuser or user.has_perm("api.view_apiclient")


class HealthView(WagtailAdminTemplateMixin, TemplateView):
    """/admin/api-health/: the connection of each API client the user administers."""

    template_name = "api/health.html"
    page_title = gettext_lazy("API connection health")
    header_icon = "pulse"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_health(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=report(scoped_clients(self.request.user)), **kwargs)


def staff_detail(request) -> dict | None:
    """The `api` section of /healthz for a staff user past the second
    factor: the clients they administer (all for a superuser); None for
    anyone else."""
    user = getattr(request, "user", None)
    if user is None or not mfa.needs_second_factor(user) or not mfa.staff_access_allowed(request):
        return None
    rows = report(scoped_clients(user))
    return {"clients": [row.as_json() for row in rows],
            "failures_24h": sum(row.failures for row in rows),
            "pending_deliveries": sum(row.pending for row in rows)}


def healthz(request):
    """`home.views.healthz`, with the API's section for staff (never cached)."""
    answer = plain_healthz(request)
    if answer.status_code not in (200, 503):
        return answer
    detail = staff_detail(request)
    if detail is None:
        return answer
    body = json.loads(answer.content)
    body["api"] = detail
    answer.content = json.dumps(body, ensure_ascii=False).encode()
    answer["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
    answer["Vary"] = "Cookie"
    return answer

