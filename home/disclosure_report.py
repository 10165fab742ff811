"""Coverage of the Decree 43 disclosure kinds: for each kind and language,
whether live content exists, how many pages, and when it was last updated.

A kind's content is the page marked with that kind (DisclosureSectionMixin)
and every live page below it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from wagtail.models import Locale, Page

from core.disclosure import DisclosureKind, DisclosureSectionMixin

OK, STALE, MISSING = "ok", "stale", "missing"


@dataclass
class LanguageCoverage:
    language_code: str
    pages: int = 0
    last_updated: datetime.datetime | None = None
    status: str = MISSING


@dataclass
class KindCoverage:
    kind: str
    label: str
    languages: list[LanguageCoverage] = field(default_factory=list)

    @property
    def status(self) -> str:
        statuses = {lang.status for lang in self.languages}
        for status in (MISSING, STALE):
            if status in statuses:
                return status
        return OK


def _section_pages(kind: str, locale: Locale) -> list[Page]:
    sections: list[Page] = []
    for model in apps.get_models():
        if issubclass(model, DisclosureSectionMixin) and issubclass(model, Page):
            sections += list(model.objects.live().filter(locale=locale, disclosure_kind=kind))
    return sections


def disclosure_coverage(now: datetime.datetime | None = None, stale_days: int | None = None) -> list[KindCoverage]:
    now = now or timezone.now()
    stale_days = settings.DISCLOSURE_STALE_DAYS if stale_days is None else stale_days
    stale_before = now - datetime.timedelta(days=stale_days)
    locales = {code: Locale.objects.filter(language_code=code).first() for code, _name in settings.LANGUAGES}
    report = []
    for kind, label in DisclosureKind.choices:
        row = KindCoverage(kind=kind, label=label)
        for code, locale in locales.items():
            coverage = LanguageCoverage(language_code=code)
            sections = _section_pages(kind, locale) if locale else []
            if sections:
                pages = Page.objects.none()
                for section in sections:
                    pages |= Page.objects.live().descendant_of(section, inclusive=True)
                pages = pages.distinct()
                coverage.pages = pages.count()
                coverage.last_updated = pages.aggregate(latest=Max("last_published_at"))["latest"]
                if coverage.last_updated is None or coverage.last_updated < stale_before:
                    coverage.status = STALE
                else:
                    coverage.status = OK
            row.languages.append(coverage)
        report.append(row)
    return report
