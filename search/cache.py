"""Data the search page needs on every request but that editors rarely
change: the localized names of fields and agencies (facet labels, the agency
shown on a result), the paths of restricted pages, the best-bet queries and
the help lists. Kept in the cache under a version number that any relevant
save, delete, publish, unpublish or move bumps (as ``home/frame.py`` does for
the site frame), so a search costs its matching queries and little more.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from core.cache import VersionedCache
from procedures.models import Agency, Field

# "Most used" moves with every submitted dossier (an UPDATE, no signal):
# a few minutes' delay on the help page is fine.
POPULAR_TIMEOUT = 5 * 60

SEARCH_CACHE = VersionedCache("portal.search")
invalidate = SEARCH_CACHE.invalidate


def cached(name: str, build, timeout: int | None = None):
    return SEARCH_CACHE.get_or_build(name, build, timeout)


# ---------------------------------------------------------------- data


def labels(locale_id: int) -> dict:
    """``{"field": {pk: (code, name)}, "agency": {pk: (unit_code, name)}}``
    for every field and agency of any language, named in ``locale_id``'s
    language when a translation exists (by code, as the facets merge them),
    and ``"agency_tk"``: agency pk → its name in that language by translation
    key (what a result shows)."""

    def build():
        fields = list(Field.objects.values_list("pk", "code", "name", "locale_id"))
        local_fields = {code: name for _pk, code, name, loc in fields if loc == locale_id}
        agencies = list(Agency.objects.values_list("pk", "unit_code", "name", "locale_id", "translation_key"))
        local_units = {unit: name for _pk, unit, name, loc, _tk in agencies if loc == locale_id}
        local_keys = {tk: name for _pk, _unit, name, loc, tk in agencies if loc == locale_id}
        return {
            "field": {pk: (code, local_fields.get(code) or name) for pk, code, name, _loc in fields},
            "agency": {pk: (unit, local_units.get(unit) or name) for pk, unit, name, _loc, _tk in agencies},
            "agency_tk": {pk: local_keys.get(tk, name) for pk, _unit, name, _loc, tk in agencies},
        }

    return cached(f"labels.{locale_id}", build)


def fresh_labels(locale_id: int, kind: str, pks) -> dict:
    """:func:`labels`, rebuilt once if it lacks one of ``pks`` (a row added
    without a signal, e.g. by a bulk insert)."""
    data = labels(locale_id)
    if any(pk not in data[kind] for pk in pks if pk is not None):
        invalidate()
        data = labels(locale_id)
    return data


def restricted_paths() -> list[str]:
    """Tree paths of the pages with a view restriction (and so their subtrees)."""

    def build():
        return list(PageViewRestriction.objects.values_list("page__path", flat=True))

    return cached("restricted", build)


def promotion_queries() -> list[tuple[int, str]]:
    """(promotion pk, its query string) of every search promotion (a handful)."""

    def build():
        return list(SearchPromotion.objects.values_list("pk", "query__query_string"))

    return cached("promotions", build)


# ---------------------------------------------------------------- invalidation


def connect_signals() -> None:
    for model in (Agency, Field, PageViewRestriction, SearchPromotion, Query, Page):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"search-cache-save-{model._meta.label}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"search-cache-delete-{model._meta.label}")


@receiver(page_published, dispatch_uid="search-cache-published")
@receiver(page_unpublished, dispatch_uid="search-cache-unpublished")
@receiver(post_page_move, dispatch_uid="search-cache-moved")
def _page_changed(sender, **kwargs) -> None:
    invalidate()
