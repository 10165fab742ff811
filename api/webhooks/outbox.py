"""The outbox: an event of a dossier becomes one `WebhookDelivery` per
endpoint that asked for it, written by the post_save receiver of
`eforms.DossierEvent`, so in the same transaction as the event.

Who is told: the usable API clients of the dossier's agency (any locale
copy of it) that hold `dossiers:read`, through their active endpoints
subscribed to the event's type. The payload says no more than the API's
dossier summary, less the applicant's name: the dossier's code, status,
procedure and agency codes, when it happened, and where to GET it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone

from eforms.models import Dossier, DossierEvent

from ..models import ApiClient, Scope, WebhookDelivery, WebhookEndpoint, WebhookEvent

#: Actions with an event type of their own; any other status change is `dossier.status_changed`.
ACTION_EVENTS = {
    "submit": WebhookEvent.DOSSIER_SUBMITTED,
    "answer_supplement": WebhookEvent.DOSSIER_SUPPLEMENTED,
    "withdraw": WebhookEvent.DOSSIER_WITHDRAWN,
    "payment_paid": WebhookEvent.PAYMENT_PAID,
    "fee_notice": WebhookEvent.FEE_NOTICE_ISSUED,
}
#: What of an event's `data` the payload carries for these types (no personal data).
EVENT_DATA = {
    WebhookEvent.PAYMENT_PAID: ("notice", "payment", "amount_vnd"),
    WebhookEvent.FEE_NOTICE_ISSUED: ("notice", "total_vnd", "kind"),
}


def event_type(event: DossierEvent) -> str | None:
    if event.action in ACTION_EVENTS:
        return ACTION_EVENTS[event.action]
    if event.to_status and event.to_status != event.from_status:
        return WebhookEvent.DOSSIER_STATUS_CHANGED
    return None


def dossier_url(code: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("api_v1:api_dossier", args=[code])


def payload(event_id: uuid.UUID, kind: str, event: DossierEvent, dossier: Dossier) -> dict:
    agency = dossier.agency
    data = {
        "dossier": {
            "code": dossier.code,
            "status": dossier.status,
            "procedure_code": dossier.procedure.code,
            "agency_code": agency.unit_code if agency else "",
            "url": dossier_url(dossier.code),
        },
        "action": event.action,
    }
    if kind == WebhookEvent.DOSSIER_STATUS_CHANGED or event.to_status:
        data["from_status"] = event.from_status
        data["to_status"] = event.to_status
    details = {name: (event.data or {}).get(name) for name in EVENT_DATA.get(kind, ())
               if (event.data or {}).get(name) not in (None, "")}
    if details:
        data["details"] = details
    return {"id": str(event_id), "type": str(kind), "occurred_at": event.created_at.isoformat(), "data": data}


def endpoints_for(dossier: Dossier, kind: str, using: str | None = None) -> list[WebhookEndpoint]:
    if dossier.agency_id is None:
        return []
    clients = ApiClient.objects.using(using).usable().filter(
        agency__translation_key=dossier.agency.translation_key)
    endpoints = (WebhookEndpoint.objects.using(using).select_related("client")
                 .filter(active=True, client__in=clients))
    return [e for e in endpoints if e.wants(kind) and e.client.has_scope(Scope.DOSSIERS_READ)]


def write(event: DossierEvent, using: str | None = None) -> list[WebhookDelivery]:
    """The outbox rows of this event (inside the event's transaction)."""
    kind = event_type(event)
    if kind is None:
        return []
    dossier = Dossier.objects.using(using).select_related("agency", "procedure").filter(pk=event.dossier_id).first()
    if dossier is None or not dossier.code:
        return []
    endpoints = endpoints_for(dossier, kind, using)
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    due = min(event.created_at, timezone.now())
    body = payload(event_id, kind, event, dossier)
    manager = WebhookDelivery.objects.using(using) if using else WebhookDelivery.objects
    return manager.bulk_create([
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event_type=kind, payload=body,
                        dossier_code=dossier.code[:64], created_at=event.created_at,
                        next_attempt_at=due)
        for endpoint in endpoints
    ])


def event_saved(sender, instance: DossierEvent, created: bool = False, raw: bool = False, using=None,
                **kwargs) -> None:
    if raw or not created:
        return
    write(instance, using)


def connect() -> None:
    post_save.connect(event_saved, sender=DossierEvent, dispatch_uid="api_webhook_outbox")
