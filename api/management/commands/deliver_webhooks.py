"""Send the webhooks' outbox (api.webhooks.worker).

`manage.py deliver_webhooks` runs until stopped, looking for due
deliveries every `--sleep` seconds; `--once` sends what is due now and
exits (the schedule runs it every minute). Several workers may run at once:
each delivery is leased to one of them."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from api.webhooks import worker


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (--once), or keep sending them."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due now, then exit.")
        parser.add_argument("--sleep", type=float, default=2.0, help="Seconds between looks when idle.")
        parser.add_argument("--batch", type=int, default=20, help="Deliveries claimed at a time.")

    def handle(self, *args, once=False, sleep=2.0, batch=20, **options):
        if once:
            sent = worker.deliver_all(limit=batch)
            self.stdout.write(f"deliver_webhooks: {sent} attempted")
            return
        while True:  # pragma: no cover - stopped by a signal
            if worker.deliver_due(limit=batch) < batch:
                time.sleep(sleep)
