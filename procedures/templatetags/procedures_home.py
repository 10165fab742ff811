"""What the home page shows of the procedure catalogue.

The home app sits below procedures in the import layers (home must not
import procedures), so its template pulls these sections in with
``{% load procedures_home %}{% procedure_sections page %}`` instead of the
home page's Python code asking for them."""

from __future__ import annotations

from django import template
from django.db.models import Count
from django.utils import translation

from core import pages as page_cache
from core.text import sort_key

from ..catalogue import field_options
from ..models import ProcedureIndexPage

register = template.Library()


def catalogue_sections(locale_id: int) -> dict:
    """The catalogue of a locale and its fields with their number of
    procedures, from the content cache (`core.pages`: they change only when
    pages are published, unpublished, moved or deleted, or fields saved)."""

    def build():
        catalogue = page_cache.public(ProcedureIndexPage.objects.live()).filter(locale_id=locale_id).order_by("path")
        catalogue = catalogue.first()
        if catalogue is None:
            return {}
        names = dict(field_options())
        counts = catalogue.procedures().order_by().values("field__code").annotate(n=Count("pk"))
        fields = [
            {"code": row["field__code"], "name": names.get(row["field__code"], row["field__code"]),
             "count": row["n"], "url": catalogue.field_url(row["field__code"])}
            for row in counts
        ]
        fields.sort(key=lambda f: sort_key(f["name"]))
        return {"procedure_catalogue": catalogue, "procedure_fields": fields}

    return page_cache.cached(f"procedures.home-sections.{locale_id}.{translation.get_language()}", build)


def home_sections(locale_id: int, popular: int = 6) -> dict:
    """The most-used procedures in the locale (only those used at least
    once: counted with every submitted dossier, so read each time) and the
    fields with their number of procedures. Empty when there is no
    catalogue, so the home page never shows an empty section."""
    sections = catalogue_sections(locale_id)
    if not sections:
        return {}
    procedures = sections["procedure_catalogue"].procedures()
    most_used = list(procedures.filter(usage_count__gt=0).order_by("-usage_count", "title")[:popular])
    return {**sections, "popular_procedures": most_used}


@register.inclusion_tag("procedures/includes/home_sections.html", takes_context=True)
def procedure_sections(context, page):
    """The catalogue's sections for the home page `page` (in its language)."""
    return {"request": context.get("request"), **home_sections(page.locale_id)}
