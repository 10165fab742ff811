"""Remove a staff member's authenticators (lost or replaced phone) and issue
the one-time enrolment code they need to set up a new one; also the way to
give a superuser made by `createsuperuser` their first code.

    manage.py reset_second_factor <username or email>

Run it only after confirming the person's identity out of band, and hand
them the printed code the same way: with their password alone they can no
longer enrol anything. The reset and the code are written to the audit log
(Reports → Site history).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.enrolment import lifetime, reset_second_factor


class Command(BaseCommand):
    help = "Remove a staff member's authenticators and print a one-time code to set up a new one."

    def add_arguments(self, parser):
        parser.add_argument("user", help="username or email of the account")

    def handle(self, *args, **options):
        users = list(get_user_model().objects.filter(Q(username=options["user"]) | Q(email__iexact=options["user"]))[:2])
        if len(users) != 1:
            raise CommandError(f"No single account matches {options['user']!r}.")
        code = reset_second_factor(users[0])
        hours = int(lifetime().total_seconds() // 3600)
        self.stdout.write(
            f"Removed the authenticators of {users[0].username}.\n"
            f"Enrolment code (one use, valid {hours} hours): {code}\n"
            "Give it to them in person; they enter it at /admin/second-factor/setup/."
        )
