"""Print the feedback still open after its deadline (the admin's "Overdue"
filter shows the same), one line each; exit status 0 either way."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from feedback.complaints import overdue


class Command(BaseCommand):
    help = "List feedback and complaints still open after their deadline (PORTAL_FEEDBACK_DAYS working days)."

    def handle(self, *args, **options):
        rows = list(overdue())
        for c in rows:
            agency = c.agency.name if c.agency else "-"
            self.stdout.write(f"{c.tracking_code}\t{timezone.localtime(c.due_at):%d/%m/%Y}\t{c.status}\t{agency}")
        self.stdout.write(f"{len(rows)} overdue")
