"""`/sms/inbound/`: the SMS gateway's webhook for the look-up by SMS
(`notifications.inbound`). Outside the language prefixes, without CSRF
(a server calls it), authenticated by the shared secret instead."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.client import client_ip

from . import inbound

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def sms_inbound(request):
    body = request.body
    if not inbound.signature_ok(body, request.headers.get(settings.PORTAL_SMS_INBOUND_HEADER, "")):
        logger.warning("Inbound SMS refused: bad or missing signature from %s", client_ip(request) or "unknown")
        return HttpResponseForbidden("signature required", content_type="text/plain; charset=utf-8")
    try:
        incoming = inbound.parse_payload(request.content_type, body, request.POST)
    except inbound.BadPayload as error:
        return JsonResponse({"status": "error", "detail": str(error)}, status=400)
    log = inbound.handle(incoming)
    return JsonResponse({"status": "ok", "duplicate": log is None})
