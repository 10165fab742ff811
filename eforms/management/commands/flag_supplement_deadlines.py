"""Flag supplement requests left unanswered past their deadline (run daily)."""

from django.core.management.base import BaseCommand

from eforms import lifecycle
from eforms.services import overdue_supplements


class Command(BaseCommand):
    help = ("Flag to the handler the supplement requests unanswered after their deadline: an internal event, "
            "no status change, nothing sent to the applicant.")

    def handle(self, *args, **options):
        actor = lifecycle.Actor.system("flag_supplement_deadlines")
        flagged = 0
        for dossier in overdue_supplements().iterator():
            if lifecycle.flag_supplement_overdue(dossier, actor) is not None:
                flagged += 1
        self.stdout.write(f"flagged={flagged}")
