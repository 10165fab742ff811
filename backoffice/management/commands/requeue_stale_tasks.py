from django.core.management.base import BaseCommand

from home.task_queue import MAX_RUNS, requeue_stale_tasks, stale_running


class Command(BaseCommand):
    help = (
        "Give the tasks left running by a dead worker (running for longer than PORTAL_TASK_STALE_MINUTES) to "
        f"the next free worker; a task whose worker died {MAX_RUNS} times is marked failed. Run it from the "
        "schedule (every 5 minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list the stale running tasks.")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            for row in stale_running().order_by("started_at"):
                self.stdout.write(f"stale: {row.pk} {row.task_path} running since {row.started_at:%Y-%m-%d %H:%M:%S}")
            return
        sweep = requeue_stale_tasks()
        for row in sweep.requeued:
            self.stdout.write(f"requeued: {row.pk} {row.task_path} (running since {row.started_at:%Y-%m-%d %H:%M:%S})")
        for row in sweep.failed:
            self.stdout.write(f"failed: {row.pk} {row.task_path} ({len(row.worker_ids)} workers died running it)")
        if options["verbosity"] > 1 or sweep.requeued or sweep.failed:
            self.stdout.write(f"{len(sweep.requeued)} requeued, {len(sweep.failed)} failed")
