"""Dossiers and the citizen's rights over their data (Decree 13/2023/NĐ-CP).

The export holds a user's dossiers as their applicant only: a staff member
who handles someone's dossier, or uploaded its result, gets none of it in
their own download. Deleting an account deletes its drafts and their files
(an unsubmitted draft is no administrative record); submitted dossiers stay.
"""

from __future__ import annotations

from django.dispatch import receiver

from accounts.services import (
    SECRET_FIELD_NAMES,
    account_erasing,
    export_row,
    register_personal_data_exporter,
)
from eforms.models import Attachment, Dossier, DossierEvent, DossierStatus

# Staff-side details of one's own dossier that name or identify other people.
DOSSIER_STAFF_FIELDS = frozenset({"assigned_to", "idempotency_key"})
EVENT_STAFF_FIELDS = frozenset({"actor_user", "actor_label"})
ATTACHMENT_STAFF_FIELDS = frozenset({"uploaded_by", "file"})


@register_personal_data_exporter("eforms.dossier", covers=("eforms.dossier", "eforms.dossierevent",
                                                           "eforms.attachment"))
def export_dossiers(user) -> list[dict]:
    """The user's own dossiers and drafts, with their events and files'
    details (not the files), plus uploads not yet attached to a draft."""
    rows = []
    dossiers = Dossier.objects.filter(applicant=user).order_by("created_at", "pk")
    for dossier in dossiers.iterator():
        row = export_row(dossier, SECRET_FIELD_NAMES | DOSSIER_STAFF_FIELDS)
        row["events"] = [export_row(e, SECRET_FIELD_NAMES | EVENT_STAFF_FIELDS)
                         for e in DossierEvent.objects.filter(dossier=dossier)]
        row["attachments"] = [export_row(a, SECRET_FIELD_NAMES | ATTACHMENT_STAFF_FIELDS)
                              for a in Attachment.objects.filter(dossier=dossier)]
        rows.append(row)
    loose = Attachment.objects.filter(uploaded_by=user, dossier__isnull=True, event__isnull=True)
    rows += [{"upload_without_dossier": export_row(a, SECRET_FIELD_NAMES | ATTACHMENT_STAFF_FIELDS)}
             for a in loose]
    return rows


def delete_drafts(queryset) -> int:
    """Delete drafts one by one with their attachments, so each file leaves
    the storage with its row (the attachments' post_delete handler)."""
    count = 0
    for draft in queryset.filter(status=DossierStatus.DRAFT).iterator():
        for attachment in Attachment.objects.filter(dossier=draft):
            attachment.delete()
        draft.delete()
        count += 1
    return count


@receiver(account_erasing)
def erase_drafts(sender, user, **kwargs) -> None:
    delete_drafts(Dossier.objects.filter(applicant=user))
    for attachment in Attachment.objects.filter(uploaded_by=user, dossier__isnull=True, event__isnull=True):
        attachment.delete()
