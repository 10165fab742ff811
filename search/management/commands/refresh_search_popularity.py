"""`manage.py refresh_search_popularity`: recount the submitted dossiers per
procedure and day over the popularity window (90 days) from eforms' rows, and
delete the counts older than it. The writing task recounts only today and
yesterday; run this after an import of old dossiers or daily by a scheduler."""

from django.core.management.base import BaseCommand

from search import popularity


class Command(BaseCommand):
    help = "Recount the dossiers per procedure of the last 90 days for the search's popularity signal."

    def handle(self, *args, **options):
        counted = popularity.recount_dossiers()
        deleted = popularity.purge_expired()
        self.stdout.write(f"search popularity: {counted} procedure-days counted, {deleted} expired rows deleted")
