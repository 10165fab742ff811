"""Dossiers per referring site: the embed kit's `src` parameter, kept on
`Dossier.source`, counted for a period and a scope.

A dossier counts on the day it was submitted (local date), whatever became
of it afterwards; drafts never count. Staff see the dossiers of their own
agencies (leaders: and of the agencies below them), superusers all; anyone
else nothing. The admin screen (reports/wagtail_hooks.py) shows the counts
per site, or per site and agency, and exports them as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass

from django import forms
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import StaffRole
from accounts.services import agencies_for
from backoffice.scope import with_sub_agencies
from eforms.models import Dossier, DossierStatus

from .figures import Period

MAX_DAYS = 3 * 366


def scoped_dossiers(user) -> QuerySet[Dossier]:
    """The submitted dossiers whose referrals `user` may count."""
    dossiers = Dossier.objects.exclude(status=DossierStatus.DRAFT).exclude(submitted_at__isnull=True)
    if not user.is_authenticated or not user.is_active:
        return dossiers.none()
    if user.is_superuser:
        return dossiers
    keys = set(agencies_for(user).values_list("translation_key", flat=True))
    keys |= with_sub_agencies(agencies_for(user, StaffRole.LEADER))
    if not keys:
        return dossiers.none()
    return dossiers.filter(agency__translation_key__in=keys)


def may_view(user) -> bool:
    return user.is_active and (user.is_superuser or agencies_for(user).exists())


@dataclass(frozen=True)
class ReferralRow:
    source: str
    dossiers: int
    agency: str = ""


@dataclass(frozen=True)
class Referrals:
    period: Period
    rows: list[ReferralRow]
    referred: int  # dossiers that came through a referring site
    total: int  # every dossier submitted in the period and scope


def referrals(dossiers: QuerySet[Dossier], period: Period, *, by_agency: bool = False) -> Referrals:
    """Counts of `dossiers` submitted during `period`, per source (and per
    agency), most first."""
    during = dossiers.filter(submitted_at__date__gte=period.start, submitted_at__date__lte=period.end)
    referred = during.exclude(source="")
    group = ("source", "agency__name") if by_agency else ("source",)
    counted = referred.values(*group).annotate(n=Count("pk")).order_by("-n", *group)
    rows = [ReferralRow(source=item["source"], dossiers=item["n"], agency=item.get("agency__name") or "")
            for item in counted]
    return Referrals(period=period, rows=rows, referred=sum(r.dossiers for r in rows), total=during.count())


def referrals_for(user, period: Period, *, by_agency: bool = False) -> Referrals:
    return referrals(scoped_dossiers(user), period, by_agency=by_agency)


class ReferralForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("period", "From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("period", "To"), widget=forms.DateInput(attrs={"type": "date"}))
    by_agency = forms.BooleanField(label=gettext_lazy("Per agency"), required=False)

    @classmethod
    def defaults(cls) -> dict:
        today = timezone.localdate()
        return {"start": today.replace(day=1), "end": today, "by_agency": False}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date must be on or after the start date."))
            elif end - start > dt.timedelta(days=MAX_DAYS):
                self.add_error("end", _("Choose a period of at most three years."))
        return cleaned

    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def csv_response(result: Referrals, *, by_agency: bool) -> HttpResponse:
    name = f"referrals-{result.period.start:%Y%m%d}-{result.period.end:%Y%m%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # spreadsheets then read the Vietnamese as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Referring site"), *([_("Agency")] if by_agency else []), _("Dossiers")])
    for row in result.rows:
        writer.writerow([row.source, *([row.agency] if by_agency else []), row.dossiers])
    return response
