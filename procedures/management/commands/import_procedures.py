"""`manage.py import_procedures FILE`: load procedures from .csv or .xlsx."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page

from procedures.importing import ImportFileError, import_file


class Command(BaseCommand):
    help = (
        "Import procedures from a .csv or .xlsx file with the columns code, name, field, agency_code, tier, level, "
        "processing_days, fee_vnd, fee_note, co_agency_codes, applicants, steps, components, submission_methods, "
        "result, requirements, legal_basis, then optionally fee_items, online_payment, result_methods (see "
        "procedures.importing). Upserts by code; refused rows are listed with their line numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and report without writing anything.")
        parser.add_argument("--parent", type=int, help="Id of the procedure catalogue page for new procedures.")
        parser.add_argument("--user", help="Username recorded as the pages' owner and in the history.")

    def handle(self, *args, **options):
        parent = None
        if options["parent"]:
            parent = Page.objects.filter(pk=options["parent"]).first()
            if parent is None:
                raise CommandError(f"No page with id {options['parent']}.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']}.")
        try:
            with open(options["file"], "rb") as stream:
                plan, result = import_file(stream, options["file"], parent=parent, user=user,
                                           dry_run=options["dry_run"])
        except OSError as error:
            raise CommandError(str(error))
        except ImportFileError as error:
            raise CommandError(str(error))
        refused = result.refused if result else plan.refused
        for row in refused:
            self.stderr.write(f"line {row.line} ({row.code or '-'}): refused: {'; '.join(row.reasons)}")
        for line, code, warning in plan.warnings:
            self.stdout.write(f"line {line} ({code}): warning: {warning}")
        for name in plan.new_fields:
            self.stdout.write(f"new field: {name}")
        counts = plan.counts() if result is None else {
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "refused": len(result.refused)}
        prefix = "dry run: would have " if result is None else ""
        self.stdout.write(
            f"{prefix}created={counts['created']} updated={counts['updated']} "
            f"unchanged={counts['unchanged']} refused={counts['refused']}"
        )
