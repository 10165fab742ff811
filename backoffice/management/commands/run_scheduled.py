from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backoffice.models import ScheduledRun
from backoffice.schedule import SCHEDULE, job_named
from backoffice.scheduler import run_due, run_job


class Command(BaseCommand):
    help = (
        "Run every scheduled job that is due (backoffice/schedule.py), each at its own interval, never two runs "
        "of one job at once. Start it every minute from cron or a systemd timer (README, 'Scheduled work')."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", dest="show_list", help="Show the schedule and the last run of each job.")
        parser.add_argument("--job", help="Run only this job (when due, or at once with --force).")
        parser.add_argument("--force", action="store_true", help="With --job: run it now even if it is not due.")

    def handle(self, *args, show_list=False, job=None, force=False, **options):
        if show_list:
            return self.show()
        if force and not job:
            raise CommandError("--force needs --job NAME.")
        if job:
            chosen = job_named(job)
            if chosen is None:
                raise CommandError(f"No scheduled job {job!r}; see --list.")
            outcomes = [run_job(chosen, force=force)]
        else:
            outcomes = run_due()
        failed = []
        for outcome in outcomes:
            if outcome.ran or options["verbosity"] > 1 or job:
                self.stdout.write(f"{outcome.job}: {outcome.state}")
            if outcome.state == ScheduledRun.Status.MISSING:
                self.stderr.write(f"{outcome.job}: {outcome.output}")
            elif outcome.state == ScheduledRun.Status.FAILED:
                self.stderr.write(f"{outcome.job} failed:\n{outcome.output}")
                failed.append(outcome.job)
        if failed:
            raise CommandError("failed: " + ", ".join(failed))

    def show(self):
        runs = {run.job: run for run in ScheduledRun.objects.all()}
        now = timezone.now()
        for job in SCHEDULE:
            run = runs.get(job.name)
            started = run.last_started if run else None
            state = "off" if not job.enabled else ("due" if job.is_due(started, now) else "waiting")
            last = (
                f"last {timezone.localtime(started):%Y-%m-%d %H:%M} {run.last_status}" if started else "never run"
            )
            self.stdout.write(f"{job.name:<28} {job.describe():<18} {state:<8} {last}")
