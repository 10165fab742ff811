"""The engine on the portal's Elasticsearch 8 backend: Wagtail's search API,
with the popularity signal inside the query body (a ``function_score``), so
that Elasticsearch itself picks the best RESULT_LIMIT hits with it."""

from __future__ import annotations

from search.backends.elasticsearch8 import PopularityBoost

from .wagtail import WagtailEngine


class ElasticsearchEngine(WagtailEngine):
    popularity_in_backend = True

    def page_query(self, variants: list[str], operator: str, boosts: dict[int, float]):
        query = self.wagtail_query(variants, operator)
        if not boosts:
            return query
        return PopularityBoost(query, boosts, [variant for variant in variants if variant])
