"""The search page's cached data (facet labels, agency names, restricted
paths, best bets, help lists) follows editors' changes, and rendering the
results runs no query."""

from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Locale, PageViewRestriction

from procedures.models import Field
from search import stats
from search.services import PER_PAGE, SQLiteEngine, help_context, load_objects, run_search
from tests.search.test_queries import build_catalogue


class SearchCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pages = build_catalogue()
        cls.vi = Locale.objects.get(language_code="vi")

    def setUp(self):
        stats.discard()

    def _facet_labels(self, name: str) -> list[str]:
        outcome = run_search("dang ky khai sinh", self.vi, {}, record=False)
        return [option.label for option in outcome.facets.get(name, [])]

    def test_a_renamed_field_or_agency_shows_its_new_name(self):
        self.assertIn("Hộ tịch", self._facet_labels("field"))  # now cached
        field = Field.objects.get(code="ho-tich", locale=self.vi)
        field.name = "Hộ tịch (mới)"
        field.save()
        self.assertIn("Hộ tịch (mới)", self._facet_labels("field"))

        agency = self.pages["1.001193"].agency
        self.assertIn(agency.name, self._facet_labels("agency"))
        agency.name = "Phường Buôn Ma Thuột (mới)"
        agency.save()
        self.assertIn("Phường Buôn Ma Thuột (mới)", self._facet_labels("agency"))
        response = self.client.get("/search/", {"q": "dang ky khai sinh"})
        self.assertContains(response, "Phường Buôn Ma Thuột (mới)")

    def test_a_new_restriction_hides_pages_at_once(self):
        query = "nop ho so truc tuyen"
        self.assertIn(self.pages["guide"].pk, [hit.pk for hit in run_search(query, self.vi, {}, record=False).hits])
        restriction = PageViewRestriction.objects.create(page=self.pages["guide"], restriction_type="login")
        self.assertNotIn(self.pages["guide"].pk, [hit.pk for hit in run_search(query, self.vi, {}, record=False).hits])
        restriction.delete()
        self.assertIn(self.pages["guide"].pk, [hit.pk for hit in run_search(query, self.vi, {}, record=False).hits])

    def test_a_new_best_bet_shows_at_once(self):
        self.assertEqual(run_search("so do", self.vi, {}, record=False).best_bets, [])
        SearchPromotion.objects.create(query=Query.get("sổ đỏ"), page=self.pages["guide"], description="Xem")
        self.assertEqual([bet["description"] for bet in run_search("so do", self.vi, {}, record=False).best_bets],
                         ["Xem"])

    def test_help_lists_follow_a_new_field(self):
        names = [item["name"] for item in help_context(self.vi)["fields"]]
        self.assertIn("Hộ tịch", names)
        Field.objects.create(code="moi", name="Lĩnh vực mới", locale=self.vi)
        self.assertIn("Lĩnh vực mới", [item["name"] for item in help_context(self.vi)["fields"]])

    def test_rendering_the_results_runs_no_query(self):
        # procedures, news, guidance and a form template with its procedure
        outcome = run_search("khai sinh", self.vi, {}, record=False)
        hits = outcome.hits[:PER_PAGE]
        load_objects(hits, self.vi)
        self.assertTrue({hit.kind for hit in hits} >= {"procedure", "form"})
        with CaptureQueriesContext(connection) as queries:
            html = "".join(render_to_string("search/includes/result.html", {"hit": hit}) for hit in hits)
        self.assertEqual([q["sql"] for q in queries.captured_queries], [])
        self.assertIn(self.pages["1.001193"].url, html)
        self.assertIn("1.001193", html)
        self.assertIn(self.pages["1.001193"].agency.name, html)

    def test_sqlite_engine_reads_the_same_rows_with_or_without_its_covering_index(self):
        if connection.vendor != "sqlite":
            self.skipTest("the covering index is SQLite's")
        engine = SQLiteEngine()
        self.assertTrue(engine.has_facet_index())
        with_index = sorted(engine.page_rows(["khai sinh"], self.vi.pk))
        with connection.cursor() as cursor:  # rolled back with the test's transaction
            cursor.execute("DROP INDEX search_procedure_facets")
        self.assertFalse(engine.has_facet_index())
        self.assertTrue(with_index)
        self.assertEqual(sorted(engine.page_rows(["khai sinh"], self.vi.pk)), with_index)
