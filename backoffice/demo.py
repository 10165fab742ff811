"""The back office's part of `manage.py load_demo`, after `eforms.demo` has
made the demo dossiers through the lifecycle: the due-state scan the
daily job runs (`backoffice.late`), so the demo dossier received weeks ago
shows as overdue in the inbox and on the leaders' dashboard at once, and
a count of the dossiers per status for `make run`."""

from __future__ import annotations

from django.db.models import Count

from eforms.models import Dossier, DossierStatus

from .late import flag_due_dossiers


def load(stdout) -> None:
    flag_due_dossiers()
    counts = dict(Dossier.objects.exclude(status=DossierStatus.DRAFT).values_list("status").annotate(n=Count("pk")))
    summary = ", ".join(f"{status} {counts[status]}" for status in DossierStatus.values if counts.get(status))
    stdout.write(f"backoffice: due states scanned; dossiers per status: {summary or 'none'}")
