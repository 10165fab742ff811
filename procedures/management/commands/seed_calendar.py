"""Seed one year of the working-day calendar from the `holidays` package.

The package knows Vietnam's public holidays (Labour Code Art. 112, with the
lunar dates of Tết and the Hùng Kings' day computed for the year) and the
swaps the Ministry of Home Affairs announced so far. It is a starting point:
administrators check the year against the Ministry's notice and correct the
days in the admin (Snippets → Working-day calendar). Days already in the
calendar are kept as the administrators left them unless --overwrite.
"""

from __future__ import annotations

import datetime as dt

import holidays
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from procedures.models import CalendarDay


def vietnam_calendar(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, kind, Vietnamese name) for the year's days off and make-up
    working days, as the `holidays` package has them."""
    days_off = holidays.Vietnam(years=year, language="vi")
    rows = [(day, CalendarDay.Kind.DAY_OFF, name) for day, name in sorted(days_off.items())]
    for workday in sorted(d for d in days_off.weekend_workdays if d.year == year):
        label = workday.strftime("%d/%m/%Y")
        swapped = [day for day, name in days_off.items() if label in name]
        name = (
            f"Làm bù cho ngày nghỉ {swapped[0]:%d/%m/%Y}" if swapped else "Ngày làm việc bù"
        )
        rows.append((workday, CalendarDay.Kind.WORKING_DAY, name))
    return sorted(rows)


class Command(BaseCommand):
    help = "Seed a year's Vietnamese public holidays and make-up working days into the working-day calendar."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace days already in the calendar instead of keeping them."
        )

    def handle(self, *args, year: int, overwrite: bool = False, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("YEAR must be between 2000 and 2100.")
        created = kept = updated = 0
        with transaction.atomic():
            for day, kind, name in vietnam_calendar(year):
                existing = CalendarDay.objects.filter(date=day).first()
                if existing is None:
                    CalendarDay.objects.create(date=day, kind=kind, name=name)
                    created += 1
                elif overwrite and (existing.kind, existing.name) != (kind, name):
                    existing.kind, existing.name = kind, name
                    existing.save(update_fields=["kind", "name"])
                    updated += 1
                else:
                    kept += 1
                mark = "+" if kind == CalendarDay.Kind.DAY_OFF else "*"
                self.stdout.write(f"  {mark} {day:%a %d/%m/%Y}  {name}")
        self.stdout.write(
            self.style.SUCCESS(f"Calendar {year}: {created} added, {updated} updated, {kept} kept as they were.")
        )
        self.stdout.write(
            "Check these against the Ministry of Home Affairs' notice for the year and correct them in the admin "
            "(+ day off, * make-up working day)."
        )
