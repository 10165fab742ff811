"""Search fields that index Vietnamese text together with its folded form.

Models list their ``search_fields`` as usual and wrap them with
:func:`folded_search_fields`; every :class:`~wagtail.search.index.SearchField`
and ``AutocompleteField`` then indexes "original + folded" text under the same
field name. Keeping the name matters: Wagtail's database backends put the
fields called ``title`` into the title column, which ranks above the body, so
a name match still outranks a body match when the query has no diacritics.
Works unchanged on Elasticsearch, whose analyzers fold as well.
"""

from __future__ import annotations

from wagtail.search import index

from core.text import with_folded


class _FoldedMixin:
    """Equal to the plain field it folds, so Wagtail's check that page models
    keep ``Page.search_fields`` (wagtailsearch.W001) still recognises them."""

    plain_class: type

    def get_value(self, obj):
        return with_folded(super().get_value(obj))

    def __eq__(self, other):
        if self is other:
            return True
        return (
            isinstance(other, self.plain_class)
            and other.field_name == self.field_name
            and getattr(other, "boost", None) == getattr(self, "boost", None)
        )

    __hash__ = object.__hash__


class FoldedSearchField(_FoldedMixin, index.SearchField):
    plain_class = index.SearchField


class FoldedAutocompleteField(_FoldedMixin, index.AutocompleteField):
    plain_class = index.AutocompleteField


def folded(field):
    """The folded twin of one search field (others are returned unchanged)."""
    if isinstance(field, FoldedSearchField | FoldedAutocompleteField):
        return field
    if isinstance(field, index.SearchField):
        return FoldedSearchField(field.field_name, boost=field.boost, **field.kwargs)
    if isinstance(field, index.AutocompleteField):
        return FoldedAutocompleteField(field.field_name, **field.kwargs)
    if isinstance(field, index.RelatedFields):
        return index.RelatedFields(field.field_name, [folded(sub) for sub in field.fields])
    return field


def folded_search_fields(fields) -> list:
    """``search_fields`` with every full-text and autocomplete field folded."""
    return [folded(field) for field in fields]
