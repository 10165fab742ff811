"""`manage.py flush_search_stats`: write this process's buffered query counts
and delete the statistics older than PORTAL_SEARCH_STATS_RETENTION_DAYS.

Web processes hand their counters to the django-tasks task
`search.stats.write_activity` every SEARCH_STATS_FLUSH_SECONDS; this command
is for scripts that search in-process and for the retention purge.
"""

from django.core.management.base import BaseCommand

from search import stats


class Command(BaseCommand):
    help = "Write the buffered search query statistics to the database and delete those past their retention."

    def handle(self, *args, **options):
        written = stats.flush()
        deleted = stats.purge_expired()
        self.stdout.write(f"search statistics: {written} rows written, {deleted} expired rows deleted")
