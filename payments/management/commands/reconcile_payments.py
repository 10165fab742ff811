import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from payments import reconciliation as rec
from payments.models import Payment


class Command(BaseCommand):
    help = (
        "Ask a provider about our payments of a day (default: today): settle the pending ones it says are paid "
        "(older than --older-than minutes), compare the paid ones, keep the reconciliation (admin → Payments → "
        "Reconciliation) and print what is flagged. Without --provider, every enabled provider. Run it from a "
        "scheduler, for today and for yesterday."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provider", help="provider code, as stored in Payment.provider (default: all enabled)")
        parser.add_argument("--day", help='YYYY-MM-DD, "today" or "yesterday", local time (default: today)')
        parser.add_argument("--older-than", type=int, default=15, metavar="MINUTES",
                            help="leave pending payments younger than this alone (default: 15)")
        parser.add_argument("--strict", action="store_true", help="exit non-zero when a line is flagged")

    def handle(self, *args, provider=None, day=None, older_than=15, strict=False, **options):
        try:
            today = timezone.localdate()
            named = {"today": today, "yesterday": today - dt.timedelta(days=1)}
            day = named[day] if day in named else dt.date.fromisoformat(day) if day else today
        except ValueError:
            raise CommandError(f"--day must be YYYY-MM-DD, not {day!r}") from None
        if older_than < 0:
            raise CommandError("--older-than must be zero or more minutes")
        codes = [provider] if provider else rec.enabled_provider_codes()
        if not codes:
            self.stdout.write("no payment provider is enabled")
            return
        flagged = 0
        with translation.override("en"):
            for code in codes:
                try:
                    run = rec.reconcile_by_query(code, day, Payment.objects.all(), actor_label="reconcile_payments",
                                                 min_age=dt.timedelta(minutes=older_than))
                except rec.ReconciliationError as error:
                    raise CommandError(str(error)) from None
                totals = run.totals
                self.stdout.write(
                    f"{code} {day:%Y-%m-%d}: ours={totals['ours']} asked={totals['theirs']} "
                    f"settled={totals['settled']} flagged={run.mismatches} (reconciliation {run.pk})")
                for line in run.lines:
                    if rec.is_flagged(line):
                        flagged += 1
                        self.stdout.write(
                            f"  {line['reference']} dossier={line['dossier']} ours={line['our_state']}/"
                            f"{line['our_amount']} theirs={line['their_state']}/{line['their_amount']}: "
                            f"{rec.result_label(line)} {line['note']}".rstrip())
        if strict and flagged:
            raise CommandError(f"{flagged} line(s) flagged")
