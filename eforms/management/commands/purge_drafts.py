"""Delete drafts never submitted once untouched for PORTAL_DRAFT_RETENTION_DAYS
(Decree 13/2023/NĐ-CP: personal data is kept no longer than its purpose
needs). A draft's row holds ID numbers, addresses and answers; its files go
with it. Submitted dossiers are never touched. Safe to run daily and again."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from eforms.models import Dossier, DossierStatus
from eforms.privacy import delete_drafts


def drafts_untouched_for(days: int):
    cutoff = timezone.now() - timedelta(days=days)
    return Dossier.objects.filter(status=DossierStatus.DRAFT, updated_at__lt=cutoff)


class Command(BaseCommand):
    help = "Delete drafts never submitted and untouched for PORTAL_DRAFT_RETENTION_DAYS, with their files."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Override the retention in days.")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.PORTAL_DRAFT_RETENTION_DAYS if days is None else days
        stale = drafts_untouched_for(days)
        if dry_run:
            self.stdout.write(f"{stale.count()} draft(s) untouched for {days} days would be deleted.")
            return
        deleted = delete_drafts(stale)
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} draft(s) untouched for {days} days."))
