from django.core.management.base import BaseCommand
from django.utils import timezone

from backoffice.late import flag_due_dossiers
from backoffice.tasks import enqueue_digests


class Command(BaseCommand):
    help = (
        "Flag open dossiers due soon (PORTAL_DUE_SOON_WORKING_DAYS) or overdue on the working-day calendar, "
        "and send each handler (or the receivers, for unassigned dossiers) one digest a day. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-digest", action="store_true", help="Only flag; send no email.")

    def handle(self, *args, no_digest=False, **options):
        now = timezone.now()
        changed = flag_due_dossiers(now)
        self.stdout.write("due states changed: " + " ".join(f"{k}={v}" for k, v in changed.items()))
        if not no_digest:
            people = enqueue_digests(timezone.localdate(now))
            self.stdout.write(f"digests enqueued={people}")
