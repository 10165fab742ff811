"""The search page and the suggestions endpoint. The work is in services."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from wagtail.models import Locale

from core import pagecache

from . import services, stats


@require_GET
def search(request):
    """`/search/?q=…&field=…&agency=…&tier=…&level=…&page=…` over the live
    content of the current language. Works without JavaScript."""
    locale = Locale.get_active()
    outcome = services.run_search(request.GET.get("q"), locale, request.GET)
    if not outcome.query.useless:
        # counted by run_search; counted again on each visit the page cache answers
        pagecache.note(request, stats.QUERY_NOTE,
                       (outcome.query.raw, outcome.query.folded, locale.language_code, outcome.total))
    context = {"query": outcome.query.raw, "outcome": outcome}
    if outcome.help_needed:
        context.update(services.help_context(locale))
    else:
        page_obj = Paginator(outcome.hits, services.PER_PAGE).get_page(request.GET.get("page"))
        hits = list(page_obj.object_list)
        services.load_objects(hits, locale)
        params = request.GET.copy()
        params.pop("page", None)
        context.update({
            "page_obj": page_obj,
            "results": hits,
            "query_string": params.urlencode(),
            "facet_groups": _facet_groups(outcome, request.GET),
        })
    return TemplateResponse(request, "search/search.html", context)


FACET_TITLES = {
    "field": _("Field"),
    "agency": _("Agency"),
    "tier": _("Tier"),
    "level": _("Online service level"),
}


def _facet_groups(outcome, get):
    """Facet links: each option toggles its value in the current GET
    parameters (and returns to the first page)."""
    groups = []
    for name in services.FACETS:
        options = outcome.facets.get(name)
        if not options:
            continue
        items = []
        for option in options:
            params = get.copy()
            params.pop("page", None)
            if option.selected:
                params.pop(name, None)
            else:
                params[name] = option.value
            items.append({"option": option, "href": "?" + params.urlencode()})
        groups.append({"name": name, "title": FACET_TITLES[name], "items": items})
    return groups


@require_GET
def suggest(request):
    """JSON suggestions for the search box: `{"results": [{title, code, url}]}`."""
    results = services.suggest(request.GET.get("q"), Locale.get_active())
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "public, max-age=60"
    return response
