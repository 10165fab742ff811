"""`{% government_service_json_ld page %}`: the procedure page's schema.org
data block (`procedures.seo`)."""

from __future__ import annotations

from django import template

from ..seo import government_service

register = template.Library()


@register.inclusion_tag("includes/seo_json_ld.html", takes_context=True)
def government_service_json_ld(context, page, online=True):
    """`online`: whether the page offers its e-form (the template knows;
    procedures does not read eforms)."""
    request = context.get("request")
    if request is None or page is None:
        return {}
    return {"data": government_service(page, request, online=bool(online))}
