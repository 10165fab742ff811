"""Remove uploads that were never submitted (a scheduler runs this, e.g. hourly).

An upload is a draft while it has no dossier or its dossier is still a
draft; once older than PORTAL_DRAFT_UPLOAD_RETENTION_HOURS, its row and its
file go. Submitted dossiers' files are never touched.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from eforms.models import Attachment, DossierStatus


def draft_uploads_older_than(hours: int):
    cutoff = timezone.now() - timedelta(hours=hours)
    return Attachment.objects.filter(created_at__lt=cutoff).filter(
        Q(dossier__isnull=True) | Q(dossier__status=DossierStatus.DRAFT)
    )


class Command(BaseCommand):
    help = "Delete draft uploads never submitted, older than PORTAL_DRAFT_UPLOAD_RETENTION_HOURS."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="Override the retention in hours.")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, hours=None, dry_run=False, **options):
        hours = settings.PORTAL_DRAFT_UPLOAD_RETENTION_HOURS if hours is None else hours
        stale = draft_uploads_older_than(hours)
        count = stale.count()
        if dry_run:
            self.stdout.write(f"{count} draft upload(s) older than {hours} h would be deleted.")
            return
        deleted = 0
        # One by one, so each file is deleted with its row (post_delete).
        for attachment in stale.iterator():
            attachment.delete()
            deleted += 1
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} draft upload(s) older than {hours} h."))
