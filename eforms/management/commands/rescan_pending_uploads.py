"""Scan the files that are not known clean yet (a scheduler runs this, e.g.
every few minutes, while PORTAL_CLAMAV_SOCKET is set).

It picks up files stored while clamd could not be reached ("pending"),
files it could not check ("error") and files stored before scanning was
turned on ("not_required"), oldest first. When clamd does not answer it
stops and fails, so the scheduler's log shows the outage; the files keep
their status and wait for the next run.
"""

from django.core.management.base import BaseCommand, CommandError

from eforms import scanning
from eforms.models import Attachment, ScanStatus


class Command(BaseCommand):
    help = "Scan uploads still waiting for the virus scanner (pending, error, or stored before scanning was on)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Scan at most this many files.")

    def handle(self, *args, limit=None, **options):
        if not scanning.enabled():
            raise CommandError("PORTAL_CLAMAV_SOCKET is not set: virus scanning is off.")
        waiting = Attachment.objects.filter(scan_status__in=scanning.UNSETTLED).order_by("created_at", "pk")
        if limit is not None:
            waiting = waiting[:limit]
        counts = {ScanStatus.CLEAN: 0, ScanStatus.INFECTED: 0, ScanStatus.ERROR: 0}
        missing = 0
        # Primary keys first: rows change status as they are scanned.
        for pk in list(waiting.values_list("pk", flat=True)):
            attachment = Attachment.objects.filter(pk=pk, scan_status__in=scanning.UNSETTLED).first()
            if attachment is None:
                continue
            try:
                verdict = scanning.rescan(attachment)
            except FileNotFoundError:
                missing += 1
                continue
            if not verdict.reached_scanner:
                raise CommandError(
                    f"clamd did not answer ({verdict.detail}); {sum(counts.values())} file(s) scanned before it "
                    "stopped, the rest wait for the next run."
                )
            counts[verdict.status] += 1
        summary = (
            f"Scanned {sum(counts.values())} file(s): {counts[ScanStatus.CLEAN]} clean, "
            f"{counts[ScanStatus.INFECTED]} infected, {counts[ScanStatus.ERROR]} not checkable"
            + (f"; {missing} file(s) missing from storage." if missing else ".")
        )
        self.stdout.write(self.style.WARNING(summary) if counts[ScanStatus.INFECTED] else self.style.SUCCESS(summary))
