"""Recompute the statistics' facts from the dossiers.

The facts are kept current as dossiers change; run this after a bulk load
that bypassed the models, after changing the working-day calendar (the
appointments already given stay, but a repair is cheap), or to check that
nothing drifted (`--check` reports differences and changes nothing; it
compares the sum of each key, so rows not yet merged by `compact_statistics`
do not count as a difference).
"""

import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Sum

from reports import facts


def snapshot() -> set:
    """Every key of the three fact tables with its count (the sum of its
    rows), when not 0."""
    return {(model.__name__, *row) for model in facts.FACT_MODELS
            for row in model.objects.values_list(*model.key_fields()).annotate(n=Sum("count")).exclude(n=0)
            .order_by()}


class Command(BaseCommand):
    help = "Recompute the statistics' daily, monthly and yearly facts from the dossiers."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Only compare the current facts with rebuilt ones; exit 1 if they differ.")

    def handle(self, *args, check=False, **options):
        if check:
            before = snapshot()
            with transaction.atomic():
                facts.rebuild()
                after = snapshot()
                transaction.set_rollback(True)
            if before != after:
                self.stderr.write(f"facts differ: {len(before - after)} rows only in the current facts, "
                                  f"{len(after - before)} only in rebuilt ones")
                raise SystemExit(1)
            self.stdout.write(f"facts are current ({len(before)} rows)")
            return
        started = time.monotonic()
        result = facts.rebuild()
        self.stdout.write(
            f"rebuilt from {result.dossiers} dossiers: {result.daily_rows} daily rows, "
            f"{result.monthly_rows} monthly rows in {time.monotonic() - started:.1f} s")
