"""Editors' synonym groups and the aggregated query statistics."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from core.text import fold


class SynonymGroup(models.Model):
    """Words citizens use for the same thing: ``sổ đỏ`` ↔ ``giấy chứng nhận
    quyền sử dụng đất``. A query containing one term also searches for the
    others (query expansion, the same on every backend)."""

    terms = models.TextField(
        _("terms"),
        help_text=_("One word or phrase per line (or separated by commas); each one finds the others."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)

    panels = [FieldPanel("terms"), FieldPanel("note"), FieldPanel("active")]

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["terms"]

    def __str__(self) -> str:
        return " ↔ ".join(self.term_list())

    def term_list(self) -> list[str]:
        """The terms as typed, blanks and duplicates (after folding) dropped."""
        seen: set[str] = set()
        terms = []
        for raw in self.terms.replace(",", "\n").replace(";", "\n").splitlines():
            term = " ".join(raw.split())
            key = fold(term)
            if key and key not in seen:
                seen.add(key)
                terms.append(term)
        return terms

    def folded_terms(self) -> list[str]:
        return [fold(term) for term in self.term_list()]

    def clean(self):
        if len(self.term_list()) < 2:
            raise ValidationError({"terms": _("A synonym group needs at least two different terms.")})


class SearchQueryStat(models.Model):
    """How often a (folded) query was searched on one day, and how often it
    found nothing. Written in batches by a django-tasks task
    (:mod:`search.stats`), not one row per search."""

    day = models.DateField(_("day"), db_index=True)
    language = models.CharField(_("language"), max_length=8)
    query = models.CharField(_("query"), max_length=200, help_text=_("Folded (lowercase, without diacritics)."))
    example = models.CharField(_("as typed"), max_length=200)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    zero_results = models.PositiveIntegerField(_("searches without results"), default=0)

    class Meta:
        verbose_name = _("search query statistic")
        verbose_name_plural = _("search query statistics")
        constraints = [
            models.UniqueConstraint(fields=["day", "language", "query"], name="unique_search_stat_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.query} ({self.searches})"


class WrittenStatsBatch(models.Model):
    """A batch of counts `search.stats.write` has added, by the id `take`
    gave it: written in the same transaction as the counts, so a task run
    twice (its worker died after the commit and the sweeper requeued it)
    adds nothing the second time. Kept two days."""

    batch = models.UUIDField(_("batch"), primary_key=True)
    written_at = models.DateTimeField(_("written at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("written statistics batch")
        verbose_name_plural = _("written statistics batches")

    def __str__(self) -> str:
        return str(self.batch)


class ProcedureActivity(models.Model):
    """How much one procedure (all its translations) was used on one day:
    page views and submitted dossiers. The search's popularity signal reads
    the last 90 days (:mod:`search.popularity`)."""

    day = models.DateField(_("day"))
    translation_key = models.UUIDField(_("procedure (translation key)"), db_index=True)
    views = models.PositiveIntegerField(_("page views"), default=0)
    dossiers = models.PositiveIntegerField(_("dossiers submitted"), default=0)

    class Meta:
        verbose_name = _("procedure activity")
        verbose_name_plural = _("procedure activity")
        constraints = [
            models.UniqueConstraint(fields=["day", "translation_key"], name="unique_procedure_activity_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.translation_key}: {self.views} views, {self.dossiers} dossiers"
