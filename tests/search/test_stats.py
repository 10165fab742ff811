"""Search statistics and procedure page views are counted in memory and
written by a django-tasks task (the immediate backend here), with no thread."""

from __future__ import annotations

import threading
import time

from django.test import TestCase, override_settings
from wagtail.models import Locale

from search import stats
from search.models import ProcedureActivity, SearchQueryStat
from tests.search.test_queries import build_catalogue


class StatisticsTaskTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pages = build_catalogue()
        cls.vi = Locale.objects.get(language_code="vi")

    def setUp(self):
        stats.discard()
        self.addCleanup(stats.discard)

    @override_settings(SEARCH_STATS_FLUSH_SECONDS=1)
    def test_counts_are_handed_to_the_task_once_the_interval_is_over(self):
        threads = {thread.name for thread in threading.enumerate()}
        self.client.get("/search/", {"q": "dang ky khai sinh"})  # starts the interval
        self.client.get("/search/", {"q": "dang ky khai sinh"})
        self.assertEqual(SearchQueryStat.objects.count(), 0)
        self.assertEqual(stats.pending(), 1)
        time.sleep(1.05)
        self.client.get("/search/", {"q": "khong co gi xyz"})
        self.assertEqual(stats.pending(), 0)
        self.assertEqual(SearchQueryStat.objects.get(query="dang ky khai sinh").searches, 2)
        self.assertEqual(SearchQueryStat.objects.get(query="khong co gi xyz").zero_results, 1)
        self.assertEqual({thread.name for thread in threading.enumerate()}, threads)  # no writer thread

    def test_no_automatic_hand_over_when_the_interval_is_zero(self):
        self.client.get("/search/", {"q": "dang ky khai sinh"})
        self.client.get("/search/", {"q": "dang ky ket hon"})
        self.assertEqual(SearchQueryStat.objects.count(), 0)
        self.assertEqual(stats.flush(), 2)

    def test_procedure_page_views_are_counted_for_popularity(self):
        birth = self.pages["1.001193"]
        self.assertEqual(self.client.get(birth.url).status_code, 200)
        self.client.get(self.pages["guide"].url)  # not a procedure
        self.assertEqual(stats.pending_views(), 1)
        self.assertEqual(ProcedureActivity.objects.count(), 0)
        stats.flush()
        row = ProcedureActivity.objects.get()
        self.assertEqual((str(row.translation_key), row.views), (str(birth.translation_key), 1))

    def test_the_task_writes_the_masked_queries(self):
        stats.record("cccd 079123456789", "cccd 079123456789", "vi", 0)
        payload = stats.take()
        self.assertEqual(payload["queries"][0][2], "cccd [so]")
        stats.write_activity.enqueue(payload)
        self.assertEqual(SearchQueryStat.objects.get().example, "cccd [số]")
