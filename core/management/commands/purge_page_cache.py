"""`manage.py purge_page_cache`: drop every page the page cache holds (after
a deploy that changed templates or static files, which no signal sees)."""

from django.core.management.base import BaseCommand

from core import pagecache


class Command(BaseCommand):
    help = "Drop every page kept by the page cache (one increment of its generation; nothing else is flushed)."

    def handle(self, *args, **options):
        before = pagecache.generation()
        pagecache.purge()
        self.stdout.write(f"Page cache purged (generation {before} → {pagecache.generation()}).")
