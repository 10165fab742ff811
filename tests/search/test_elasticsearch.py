"""Elasticsearch 8 without a server: the index settings and
mappings we generate, the bodies we send for a folded and a faceted query,
and how results come back; only the HTTP client is mocked. The last test
runs against a real cluster when ELASTICSEARCH_URL is set."""

from __future__ import annotations

import io
import json
import os
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings
from elasticsearch import Elasticsearch
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend

from procedures.models import Field, ProcedurePage
from search.backends.elasticsearch8 import VietnameseMapping
from search.services import run_search
from tests.search.test_queries import build_catalogue, titles

ES_OFFLINE = {
    "default": {
        "BACKEND": "search.backends.elasticsearch8",
        "URLS": ["http://es.invalid:9200"],
        "INDEX_PREFIX": "test_",
        "TIMEOUT": 1,
        "AUTO_UPDATE": False,
    }
}


class FakeCluster:
    """Stands in for Elasticsearch.search: records every request and answers
    with the given page ids (or facet buckets for aggregation requests)."""

    def __init__(self, pks=(), buckets=None):
        self.pks = list(pks)
        self.buckets = buckets or {}
        self.requests: list[dict] = []

    def __call__(self, **kwargs):
        self.requests.append(kwargs)
        if "aggregations" in kwargs:
            name = next(iter(kwargs["aggregations"]))
            buckets = [{"key": key, "doc_count": count} for key, count in self.buckets.get(name, {}).items()]
            return {"hits": {"hits": []}, "aggregations": {name: {"buckets": buckets}}}
        hits = [{"_id": str(pk), "_score": 10.0 - i, "fields": {"pk": [str(pk)]}} for i, pk in enumerate(self.pks)]
        return {"hits": {"total": {"value": len(hits)}, "hits": hits}}

    def bodies(self):
        return [json.dumps(request, ensure_ascii=False, default=str) for request in self.requests]


@override_settings(WAGTAILSEARCH_BACKENDS=ES_OFFLINE)
class OfflineElasticsearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with override_settings(WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": "wagtail.search.backends.database"}}):
            cls.pages = build_catalogue()
        cls.vi = Locale.objects.get(language_code="vi")

    def test_backend_is_the_vietnamese_subclass(self):
        self.assertEqual(type(get_search_backend()).__name__, "VietnameseElasticsearch8SearchBackend")

    def test_index_settings_fold_at_index_and_query_time(self):
        analysis = get_search_backend().settings["settings"]["analysis"]
        self.assertEqual(analysis["filter"]["vi_fold_keep"], {"type": "asciifolding", "preserve_original": True})
        self.assertEqual(analysis["analyzer"]["default"]["filter"], ["lowercase", "vi_fold_keep"])
        self.assertIn("asciifolding", analysis["analyzer"]["default_search"]["filter"])
        self.assertIn("asciifolding", analysis["analyzer"]["vi_search"]["filter"])
        self.assertEqual(analysis["analyzer"]["edgengram_analyzer"]["filter"], ["lowercase", "asciifolding", "edgengram"])
        # Wagtail's own tokenizer and filters are still there (deep merge)
        self.assertIn("edgengram", analysis["filter"])

    def test_extra_index_settings_merge_without_losing_folding(self):
        from search.backends.elasticsearch8 import SearchBackend

        backend = SearchBackend({**ES_OFFLINE["default"], "INDEX_SETTINGS": {"settings": {"index": {"number_of_shards": 1}}}})
        self.assertEqual(backend.settings["settings"]["index"]["number_of_shards"], 1)
        self.assertIn("vi_search", backend.settings["settings"]["analysis"]["analyzer"])

    def test_autocomplete_searches_with_the_folding_analyzer(self):
        # wagtail/wagtail#13005: the stock mapping searches edge n-grams with "standard"
        mapping = VietnameseMapping(ProcedurePage).get_mapping()["properties"]
        self.assertEqual(mapping["_edgengrams"]["search_analyzer"], "vi_search")
        self.assertEqual(mapping["_edgengrams"]["analyzer"], "edgengram_analyzer")
        self.assertEqual(mapping["title_edgengrams"]["search_analyzer"], "vi_search")
        self.assertEqual(mapping["procedures_procedurepage__field_id_filter"]["type"], "long")
        self.assertEqual(mapping["procedures_procedurepage__tier_filter"]["type"], "keyword")
        self.assertEqual(mapping["procedures_procedurepage__code_edgengrams"]["search_analyzer"], "vi_search")

    def test_documents_carry_the_folded_text(self):
        document = VietnameseMapping(ProcedurePage).get_document(self.pages["1.001193"])
        self.assertIn("Đăng ký khai sinh", document["title"])
        self.assertIn("dang ky khai sinh", document["title"])

    def test_folded_query_body(self):
        cluster = FakeCluster(pks=[self.pages["1.001193"].pk])
        with mock.patch.object(Elasticsearch, "search", cluster):
            run_search("ĐĂNG KÝ Khai Sinh", self.vi, {}, record=False)
        page_search = cluster.bodies()[0]
        self.assertIn('"dang ky khai sinh"', page_search)
        self.assertNotIn("Đăng", page_search)
        self.assertIn('"operator": "and"', page_search)
        self.assertIn("locale_id_filter", page_search)
        self.assertIn("test_wagtailcore_page", page_search)

    def test_synonyms_are_expanded_in_the_body(self):
        cluster = FakeCluster(pks=[self.pages["1.004227"].pk])
        with mock.patch.object(Elasticsearch, "search", cluster):
            run_search("sổ đỏ", self.vi, {}, record=False)
        self.assertIn("giay chung nhan quyen su dung dat", cluster.bodies()[0])

    def test_faceted_query_body_and_results(self):
        birth = self.pages["1.001193"]
        field = Field.objects.get(code="ho-tich", locale=self.vi)
        cluster = FakeCluster(
            pks=[birth.pk, self.pages["1.001022"].pk],
            buckets={"field_id": {field.pk: 2}, "tier": {"commune": 2}, "level": {4: 2}, "agency_id": {birth.agency_id: 2}},
        )
        with mock.patch.object(Elasticsearch, "search", cluster):
            outcome = run_search("dang ky", self.vi, {"field": "ho-tich", "level": "4"}, record=False)
        bodies = cluster.bodies()
        # the result search filters on the chosen facets
        self.assertIn("field_id_filter", bodies[0])
        self.assertIn("level_filter", bodies[0])
        # one aggregation per facet, each without its own filter
        aggregations = [r for r in cluster.requests if "aggregations" in r]
        self.assertEqual({next(iter(r["aggregations"])) for r in aggregations}, {"field_id", "agency_id", "tier", "level"})
        field_facet = next(r for r in aggregations if "field_id" in r["aggregations"])
        self.assertEqual(field_facet["aggregations"]["field_id"]["terms"]["field"],
                         "procedures_procedurepage__field_id_filter")
        self.assertNotIn("field_id_filter", json.dumps(field_facet["query"]))
        self.assertIn("level_filter", json.dumps(field_facet["query"]))
        # results come back typed and faceted
        self.assertEqual([hit.pk for hit in outcome.hits], [birth.pk, self.pages["1.001022"].pk])
        self.assertEqual(outcome.hits[0].kind, "procedure")
        self.assertEqual(outcome.total, 2)
        options = {option.value: (option.label, option.count, option.selected) for option in outcome.facets["field"]}
        self.assertEqual(options["ho-tich"], ("Hộ tịch", 2, True))
        self.assertEqual([(o.value, o.count) for o in outcome.facets["tier"]], [("commune", 2)])

    def test_code_is_pinned_first_on_elasticsearch_too(self):
        cluster = FakeCluster(pks=[self.pages["tin-khai-sinh"].pk])
        with mock.patch.object(Elasticsearch, "search", cluster):
            outcome = run_search("1.001193", self.vi, {}, record=False)
        self.assertEqual(outcome.hits[0].pk, self.pages["1.001193"].pk)

    def test_search_page_renders_elasticsearch_results(self):
        cluster = FakeCluster(pks=[self.pages["1.001193"].pk])
        with mock.patch.object(Elasticsearch, "search", cluster):
            response = self.client.get("/search/", {"q": "dang ky khai sinh"})
        self.assertContains(response, "Đăng ký khai sinh")
        self.assertContains(response, "1.001193")


@pytest.mark.elasticsearch
@pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"), reason="set ELASTICSEARCH_URL to run against a cluster")
class RealElasticsearchTests(TestCase):
    """`ELASTICSEARCH_URL=http://localhost:9200 pytest tests/search/test_elasticsearch.py -m elasticsearch`"""

    @classmethod
    def setUpTestData(cls):
        cls.settings_override = override_settings(WAGTAILSEARCH_BACKENDS={"default": {
            "BACKEND": "search.backends.elasticsearch8", "URLS": [os.environ["ELASTICSEARCH_URL"]],
            "INDEX_PREFIX": "test_dvc_", "TIMEOUT": 30,
        }})
        cls.settings_override.enable()
        cls.pages = build_catalogue()
        call_command("update_index", stdout=io.StringIO())
        cls.vi = Locale.objects.get(language_code="vi")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.settings_override.disable()

    def test_folding_cases(self):
        for query, expected in [
            ("dang ky khai sinh", "Đăng ký khai sinh"),
            ("ho kinh doanh", "Đăng ký thành lập hộ kinh doanh"),
            ("giay phep xay dung", "Cấp giấy phép xây dựng nhà ở riêng lẻ"),
            ("Cấp bản sao trích lục hộ tịch", "Cap ban sao trich luc ho tich"),
        ]:
            self.assertIn(expected, titles(run_search(query, self.vi, {}, record=False), 3), query)

    def test_facet_case(self):
        outcome = run_search("dang ky", self.vi, {"field": "ho-tich"}, record=False)
        self.assertTrue(outcome.hits)
        self.assertTrue(all(hit.kind == "procedure" for hit in outcome.hits))
        self.assertTrue(any(option.selected for option in outcome.facets["field"]))

    def test_autocomplete_folds_the_query(self):
        from search.services import suggest

        self.assertIn("Đăng ký khai sinh", [s["title"] for s in suggest("đăng ký kh", self.vi)])
        self.assertIn("Đăng ký khai sinh", [s["title"] for s in suggest("dang ky kh", self.vi)])
