"""What the home page shows of the procedure catalogue.

The home app sits below procedures in the import layers (home must not
import procedures), so its template pulls these sections in with
``{% load procedures_home %}{% procedure_sections page %}`` instead of the
home page's Python code asking for them."""

from __future__ import annotations

from django import template
from django.db.models import Count
from wagtail.models import Locale

from core.text import sort_key

from ..catalogue import field_options
from ..models import ProcedureIndexPage

register = template.Library()


def home_sections(locale: Locale, popular: int = 6) -> dict:
    """The most-used procedures in `locale` (only those used at least once)
    and the fields with their number of procedures. Empty when there is no
    catalogue, so the home page never shows an empty section."""
    catalogue = ProcedureIndexPage.objects.live().public().filter(locale=locale).order_by("path").first()
    if catalogue is None:
        return {}
    procedures = catalogue.procedures()
    most_used = list(procedures.filter(usage_count__gt=0).order_by("-usage_count", "title")[:popular])
    names = dict(field_options())
    counts = procedures.order_by().values("field__code").annotate(n=Count("pk"))
    fields = [
        {"code": row["field__code"], "name": names.get(row["field__code"], row["field__code"]), "count": row["n"],
         "url": catalogue.field_url(row["field__code"])}
        for row in counts
    ]
    fields.sort(key=lambda f: sort_key(f["name"]))
    return {"procedure_catalogue": catalogue, "popular_procedures": most_used, "procedure_fields": fields}


@register.inclusion_tag("procedures/includes/home_sections.html", takes_context=True)
def procedure_sections(context, page):
    """The catalogue's sections for the home page `page` (in its language)."""
    return {"request": context.get("request"), **home_sections(page.locale)}
