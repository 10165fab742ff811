"""Remove a staff member's TOTP authenticator (lost or replaced phone), so
that their next sign-in at /admin/ asks them to set up a new one.

    manage.py reset_second_factor <username or email>

Run it only after confirming the person's identity out of band: until they
set up the new authenticator, their password alone leads to the setup page.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q


class Command(BaseCommand):
    help = "Remove a staff member's TOTP authenticator so that they set up a new one at their next admin sign-in."

    def add_arguments(self, parser):
        parser.add_argument("user", help="username or email of the account")

    def handle(self, *args, **options):
        from allauth.mfa.models import Authenticator

        users = list(get_user_model().objects.filter(Q(username=options["user"]) | Q(email__iexact=options["user"]))[:2])
        if len(users) != 1:
            raise CommandError(f"No single account matches {options['user']!r}.")
        deleted, _ = Authenticator.objects.filter(user=users[0]).delete()
        self.stdout.write(f"Removed {deleted} authenticator(s) of {users[0].username}.")
