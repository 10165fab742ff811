from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.models import Locale, Page


def search(request):
    """Site search over the live pages of the current language."""
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().filter(locale=Locale.get_active()).specific().search(query)
    page_obj = Paginator(results, 10).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return TemplateResponse(
        request,
        "search/search.html",
        {"query": query, "page_obj": page_obj, "query_string": params.urlencode()},
    )
