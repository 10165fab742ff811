"""What the dossier screen shows of the messages."""

from __future__ import annotations

from .models import Message


def messages_for(dossier):
    """The messages sent (or being sent) about this dossier, oldest first,
    with their event: the delivery rows for the back office's dossier screen."""
    return Message.objects.filter(dossier=dossier).select_related("event").order_by("created_at", "pk")
