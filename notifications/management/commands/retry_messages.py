from django.core.management.base import BaseCommand

from notifications.tasks import retry_messages


class Command(BaseCommand):
    help = (
        "Enqueue messages to applicants whose next attempt is due, and requeue those left 'sending' "
        "by a worker that stopped. Run every minute (cron or a systemd timer)."
    )

    def handle(self, *args, **options):
        stale, enqueued = retry_messages()
        self.stdout.write(f"messages requeued={stale} enqueued={enqueued}")
