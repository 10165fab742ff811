"""The hook into the dossier lifecycle: a post_save receiver on
`DossierEvent`. Nothing is rendered or sent inside the transaction that
changed the dossier: once it commits, the messages are made and their
delivery is enqueued. A failure here is logged and never undoes the
status change."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_save

from eforms.models import DossierEvent

from . import delivery, tasks
from .events import announcement

logger = logging.getLogger(__name__)


def connect() -> None:
    post_save.connect(on_event_saved, sender=DossierEvent, dispatch_uid="notifications.announce")


def on_event_saved(sender, instance: DossierEvent, created: bool, raw: bool = False, **kwargs) -> None:
    # An event may say it is not to be announced on its own: a document
    # issued with a status change travels with that change's message.
    if raw or not created or announcement(instance.action) is None or (instance.data or {}).get("announce") is False:
        return
    transaction.on_commit(partial(announce, instance.pk))


def announce(event_id: int) -> None:
    try:
        messages = delivery.create_messages(event_id)
    except Exception:  # the status change stands; the event can be announced again
        logger.exception("Could not make the messages of dossier event %s", event_id)
        return
    for message in messages:
        tasks.schedule(message.pk, 1)
