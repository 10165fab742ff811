"""Merge the statistics' fact rows appended by dossier changes into one row
per key (`reports.facts.compact`).

Every change of a dossier appends rows to the facts instead of updating a
shared one, so that dossiers of one agency and procedure never wait for each
other; the figures sum whatever rows a key has. This keeps that number
small. It is safe while dossiers change (each batch of keys is merged in a
short transaction that locks only the rows it merges) and is scheduled every
ten minutes (`backoffice.schedule`).
"""

import time

from django.core.management.base import BaseCommand

from reports import facts


class Command(BaseCommand):
    help = "Merge the statistics' fact rows of each key into one (safe while dossiers change)."

    def handle(self, *args, **options):
        started = time.monotonic()
        result = facts.compact()
        self.stdout.write(f"compacted {result.keys} keys: {result.rows_read} rows read, "
                          f"{result.rows_written} written in {time.monotonic() - started:.1f} s")
