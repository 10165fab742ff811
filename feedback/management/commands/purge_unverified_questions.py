"""Delete questions whose asker never confirmed their email address within
the link's validity: they hold a name and an address nobody vouched for."""

from django.core.management.base import BaseCommand

from feedback.questions import purge_unverified


class Command(BaseCommand):
    help = "Delete questions whose email address was not confirmed in time (run it daily)."

    def handle(self, *args, **options):
        count = purge_unverified()
        self.stdout.write(f"{count} unconfirmed question(s) deleted")
