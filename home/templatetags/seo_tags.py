"""Template tags for what search engines and link previews read: the
canonical link and the Open Graph tags (`home.seo`)."""

from __future__ import annotations

from django import template

from home import seo
from home.models import PortalSettings

register = template.Library()


@register.inclusion_tag("includes/seo_meta.html", takes_context=True)
def seo_meta(context):
    """<link rel="canonical"> and the Open Graph tags of the page shown.
    Views that are not pages may set `seo_title` and `seo_description`."""
    request = context.get("request")
    if request is None:
        return {}
    site_name = PortalSettings.load(request_or_site=request).name
    data = seo.open_graph(request, context.get("page"), title=context.get("seo_title", ""),
                          description=context.get("seo_description", ""), site_name=site_name)
    return {"og": data}


@register.simple_tag
def json_ld(data):
    """`data` serialised for a <script type="application/ld+json"> block."""
    return seo.json_ld(data) if data else ""
