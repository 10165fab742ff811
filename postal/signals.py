"""Signal receivers of the postal app, connected by PostalConfig.ready():

* a home-service dossier submitted gets its job, and one closed before its
  papers were collected has its job cancelled: post_save receivers on
  `DossierEvent` that act once the dossier's transaction has committed
  (never inside it, so nothing here can undo a status change), each
  idempotent;
* the "Postal officers" Wagtail group follows the postal memberships.
"""

from __future__ import annotations

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from eforms.models import Channel, DossierEvent

from .jobs import CLOSING_ACTIONS, close_job, ensure_job
from .models import OFFICERS_GROUP, PostalMembership

logger = logging.getLogger(__name__)


def on_event_saved(sender, instance: DossierEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created:
        return
    if instance.action == "submit" and instance.dossier.channel == Channel.HOME_SERVICE:
        transaction.on_commit(partial(_safely, ensure_job, instance.dossier_id))
    elif instance.action in CLOSING_ACTIONS and instance.dossier.channel == Channel.HOME_SERVICE:
        transaction.on_commit(partial(_safely, close_job, instance.dossier_id))


def _safely(function, dossier_id: int) -> None:
    try:
        function(dossier_id)
    except Exception:  # the dossier's change stands; the job can be made again (ensure_job is idempotent)
        logger.exception("postal: %s failed for dossier %s", function.__name__, dossier_id)


def officers_group() -> Group:
    group, _created = Group.objects.get_or_create(name=OFFICERS_GROUP)
    return group


def sync_officers_group(user) -> None:
    """A user is in the group exactly while they are an officer of some unit."""
    group = officers_group()
    if PostalMembership.objects.filter(user=user).exists():
        user.groups.add(group)
    else:
        user.groups.remove(group)


def on_membership_changed(sender, instance: PostalMembership, **kwargs) -> None:
    user = get_user_model().objects.filter(pk=instance.user_id).first()
    if user is not None:
        sync_officers_group(user)


def connect() -> None:
    post_save.connect(on_event_saved, sender=DossierEvent, dispatch_uid="postal.jobs")
    post_save.connect(on_membership_changed, sender=PostalMembership, dispatch_uid="postal.officers_group")
    post_delete.connect(on_membership_changed, sender=PostalMembership, dispatch_uid="postal.officers_group")
