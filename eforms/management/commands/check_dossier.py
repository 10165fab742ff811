"""Find a dossier by its code and read every file it holds back against the
checksum taken at upload: the last step of a restore drill
(deploy/restore.sh), and a quick answer to "is this dossier whole?"."""

import hashlib

from django.core.management.base import BaseCommand, CommandError

from eforms.models import Attachment, Dossier


class Command(BaseCommand):
    help = "Find a dossier by its code and check that each of its files is there and unchanged."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the dossier code, e.g. 000.00.00.H30-261122-0001")

    def handle(self, *args, code, **options):
        dossier = Dossier.objects.filter(code=code.strip()).first()
        if dossier is None:
            raise CommandError(f"No dossier has the code {code}.")
        problems = []
        files = 0
        for attachment in Attachment.objects.filter(dossier=dossier).order_by("pk"):
            files += 1
            digest = hashlib.sha256()
            try:
                with attachment.file.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 16), b""):
                        digest.update(chunk)
            except OSError as exc:
                problems.append(f"{attachment.original_name}: missing ({exc.__class__.__name__})")
                continue
            if digest.hexdigest() != attachment.sha256:
                problems.append(f"{attachment.original_name}: changed since upload")
        if problems:
            raise CommandError(f"{dossier.code}: " + "; ".join(problems))
        self.stdout.write(f"{dossier.code}: {dossier.status}, {files} file(s) present and unchanged")
