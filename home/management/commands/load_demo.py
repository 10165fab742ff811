"""Load the demo province: `make run` calls this on every start, so it is
idempotent and quick when the content is already there."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Each app that has demo content exposes `<app>.demo.load(stdout)`; they run
# in this order because later ones link to earlier ones' content.
DEMO_MODULES = [
    "home.demo", "procedures.demo", "accounts.demo", "signing.demo", "eforms.demo", "search.demo", "postal.demo",
    "reports.demo", "backoffice.demo",
]


class Command(BaseCommand):
    help = "Load the demo province's content in Vietnamese and English (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow loading demo content when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to load demo content with DEBUG off; pass --force if you mean it.")
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            module.load(self.stdout)
