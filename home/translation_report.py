"""English coverage: which Vietnamese pages and translatable snippets have
no English version, or an English version older than the Vietnamese one.

"Older" reads wagtail-localize's public models: the English translation's
source (`TranslationSource`, for the Vietnamese object) was last synced
(`last_updated_at`) before the Vietnamese page's latest revision. A page
translated without wagtail-localize (copied for translation by hand) has no
source; then the English page's own latest revision is the sync time.

`TranslationCoverageReportView` shows the list under Reports, with Wagtail's
CSV/XLSX export (`?export=csv`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Locale, Page, TranslatableMixin
from wagtail.snippets.models import get_snippet_models
from wagtail_localize.models import Translation, TranslationSource

MISSING = "missing"
OUT_OF_DATE = "out_of_date"
STATUS_LABELS = {MISSING: _("No English version"), OUT_OF_DATE: _("English version out of date")}


@dataclass
class CoverageGap:
    kind: str  # "page" or "snippet"
    type_name: str
    title: str
    status: str
    source_updated_at: datetime.datetime | None
    target_synced_at: datetime.datetime | None
    edit_url: str
    target_edit_url: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def kind_label(self) -> str:
        return str(_("Page") if self.kind == "page" else _("Snippet"))


def _synced_at(sources: dict, translations: set, key, target_updated_at):
    """When the target last took the source's content: the source's last
    sync if a wagtail-localize translation into the target exists, else the
    target's own latest revision."""
    source = sources.get(key)
    if source is not None and source.pk in translations:
        return source.last_updated_at
    return target_updated_at


def _sources(source_locale: Locale, target_locale: Locale, keys) -> tuple[dict, set]:
    sources = {
        s.object_id: s for s in TranslationSource.objects.filter(locale=source_locale, object_id__in=list(keys))
    }
    translated = set(
        Translation.objects.filter(source__in=list(sources.values()), target_locale=target_locale).values_list(
            "source_id", flat=True
        )
    )
    return sources, translated


def _page_gaps(source_locale: Locale, target_locale: Locale) -> list[CoverageGap]:
    pages = list(
        Page.objects.filter(locale=source_locale, depth__gt=1).live().select_related("content_type").order_by("path")
    )
    keys = {p.translation_key for p in pages}
    targets = {p.translation_key: p for p in Page.objects.filter(locale=target_locale, translation_key__in=keys)}
    sources, translated = _sources(source_locale, target_locale, keys)
    gaps = []
    for page in pages:
        updated = page.latest_revision_created_at or page.last_published_at
        model = page.content_type.model_class()
        type_name = str(model._meta.verbose_name) if model else ""
        target = targets.get(page.translation_key)
        edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        if target is None or not target.live:
            gaps.append(CoverageGap("page", type_name, page.title, MISSING, updated, None, edit_url))
            continue
        synced = _synced_at(
            sources, translated, page.translation_key, target.latest_revision_created_at or target.last_published_at
        )
        if updated and synced and updated > synced:
            target_url = reverse("wagtailadmin_pages:edit", args=[target.pk])
            gaps.append(CoverageGap("page", type_name, page.title, OUT_OF_DATE, updated, synced, edit_url, target_url))
    return gaps


def _snippet_edit_url(instance) -> str:
    try:
        return reverse(instance.snippet_viewset.get_url_name("edit"), args=[instance.pk])
    except (AttributeError, NoReverseMatch):  # a snippet model registered without an edit view
        return ""


def _updated_at(instance):
    revision = getattr(instance, "latest_revision", None)
    return getattr(revision, "created_at", None)


def _snippet_gaps(source_locale: Locale, target_locale: Locale) -> list[CoverageGap]:
    gaps = []
    for model in get_snippet_models():
        if not issubclass(model, TranslatableMixin):
            continue
        objects = list(model._default_manager.filter(locale=source_locale))
        keys = {o.translation_key for o in objects}
        targets = {
            o.translation_key: o for o in model._default_manager.filter(locale=target_locale, translation_key__in=keys)
        }
        sources, translated = _sources(source_locale, target_locale, keys)
        for instance in objects:
            updated = _updated_at(instance) or getattr(sources.get(instance.translation_key), "last_updated_at", None)
            target = targets.get(instance.translation_key)
            type_name = str(model._meta.verbose_name)
            if target is None:
                gaps.append(
                    CoverageGap("snippet", type_name, str(instance), MISSING, updated, None, _snippet_edit_url(instance))
                )
                continue
            synced = _synced_at(sources, translated, instance.translation_key, _updated_at(target))
            if updated and synced and updated > synced:
                gaps.append(
                    CoverageGap(
                        "snippet",
                        type_name,
                        str(instance),
                        OUT_OF_DATE,
                        updated,
                        synced,
                        _snippet_edit_url(instance),
                        _snippet_edit_url(target),
                    )
                )
    return gaps


def english_coverage(source_language: str | None = None, target_language: str = "en") -> list[CoverageGap]:
    """Pages and snippets of the default language with no (live) version in
    `target_language`, or one last synced before the source's latest edit."""
    source_language = source_language or settings.LANGUAGE_CODE
    source_locale = Locale.objects.filter(language_code=source_language).first()
    target_locale = Locale.objects.filter(language_code=target_language).first()
    if source_locale is None or target_locale is None:
        return []
    return _page_gaps(source_locale, target_locale) + _snippet_gaps(source_locale, target_locale)


class TranslationCoverageReportView(ReportView):
    """Reports → English coverage: what has no English version or an
    out-of-date one, with CSV/XLSX export."""

    page_title = _("English coverage")
    header_icon = "globe"
    index_url_name = "english_coverage_report"
    index_results_url_name = "english_coverage_report_results"
    results_template_name = "wagtailadmin/reports/base_report_results.html"
    paginate_by = 100
    columns = [
        TitleColumn("title", label=_("Title"), get_url=lambda row: row.edit_url),
        Column("kind_label", label=_("Kind")),
        Column("type_name", label=_("Type")),
        Column("status_label", label=_("Status")),
        DateColumn("source_updated_at", label=_("Vietnamese last edited")),
        DateColumn("target_synced_at", label=_("English last synced")),
    ]
    list_export = ["title", "kind_label", "type_name", "status_label", "source_updated_at", "target_synced_at"]
    export_headings = {
        "title": _("Title"),
        "kind_label": _("Kind"),
        "type_name": _("Type"),
        "status_label": _("Status"),
        "source_updated_at": _("Vietnamese last edited"),
        "target_synced_at": _("English last synced"),
    }

    def get_filename(self):
        return f"english-coverage-{datetime.date.today().isoformat()}"

    def get_queryset(self):
        return english_coverage()
