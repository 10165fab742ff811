"""`manage.py export_procedures FILE`: write the catalogue as .csv or .xlsx
in the import's columns (export → import is the identity)."""

from django.core.management.base import BaseCommand, CommandError

from procedures.exporting import export_file


class Command(BaseCommand):
    help = "Export every Vietnamese procedure page to FILE (.csv or .xlsx) in the import_procedures columns."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        if not options["file"].lower().endswith((".csv", ".xlsx")):
            raise CommandError("FILE must end in .csv or .xlsx.")
        try:
            count = export_file(options["file"])
        except OSError as error:
            raise CommandError(str(error))
        self.stdout.write(f"exported={count} file={options['file']}")
