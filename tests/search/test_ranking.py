"""Ranking as a clerk at the desk would: on a catalogue with near-duplicate
procedure names, the bounded 90-day popularity signal (search.popularity)
decides between near-ties and never lifts a procedure that only mentions the
words; below the relevance floor the page says nothing matches and offers a
spelling or the nearest fields."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from unittest import mock

from django.test import TestCase, override_settings
from django.utils import timezone
from elasticsearch import Elasticsearch

from eforms.models import Dossier
from home.setup import ensure_site
from procedures.models import Agency, Field, ProcedureIndexPage, ProcedurePage
from search import popularity
from search.models import ProcedureActivity, SynonymGroup
from search.services import run_search
from tests.search.test_elasticsearch import ES_OFFLINE, FakeCluster

# title, field, requirements (body)
CATALOGUE = [
    ("Đăng ký khai sinh", "ho-tich", "Tờ khai; giấy chứng sinh."),
    ("Đăng ký lại khai sinh", "ho-tich", "Tờ khai; bản sao giấy tờ."),
    ("Đăng ký khai sinh có yếu tố nước ngoài", "ho-tich", "Tờ khai; giấy chứng sinh; hộ chiếu."),
    ("Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I", "xay-dung", "Hồ sơ thiết kế."),
    ("Gia hạn giấy phép xây dựng", "xay-dung", "Đơn đề nghị gia hạn."),
    ("Điều chỉnh giấy phép xây dựng", "xay-dung", "Đơn đề nghị điều chỉnh."),
    ("Đăng ký thành lập hộ kinh doanh", "ho-kinh-doanh", "Giấy đề nghị đăng ký hộ kinh doanh."),
    ("Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "ho-kinh-doanh", "Thông báo thay đổi."),
    # names none of the queries, but mentions them in its body
    ("Cấp chứng chỉ hành nghề kiến trúc", "xay-dung",
     "Bản sao giấy phép xây dựng công trình đã thiết kế; bản sao CMND; giấy xác nhận tạm trú."),
]
FIELDS = {"ho-tich": "Hộ tịch", "xay-dung": "Xây dựng", "ho-kinh-doanh": "Hộ kinh doanh",
          "cu-tru": "Cư trú", "can-cuoc": "Căn cước"}


class ClerkRankingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = ensure_site()
        cls.vi = home.locale
        fields = {code: Field.objects.create(code=code, name=name, locale=cls.vi) for code, name in FIELDS.items()}
        agency = Agency.objects.create(unit_code="000.20.30.H30", name="Phường Tân An", tier="commune", locale=cls.vi)
        index = home.add_child(instance=ProcedureIndexPage(title="Thủ tục", slug="thu-tuc", locale=cls.vi))
        index.save_revision().publish()
        cls.pages = {}
        for number, (title, field, body) in enumerate(CATALOGUE):
            page = index.add_child(instance=ProcedurePage(
                title=title, slug=f"tt-{number}", locale=cls.vi, code=f"1.{number:06d}", field=fields[field],
                agency=agency, tier="commune", level=3, processing_time=Decimal("5"), requirements=body,
                submission_methods=["online"],
            ))
            page.save_revision().publish()
            cls.pages[title] = page
        SynonymGroup.objects.create(terms="cmnd\nchứng minh nhân dân\ncăn cước")
        SynonymGroup.objects.create(terms="đăng ký tạm trú\ntạm trú")

    def titles(self, query, n=3):
        outcome = run_search(query, self.vi, {}, record=False)
        by_pk = {page.pk: title for title, page in self.pages.items()}
        return [by_pk[hit.pk] for hit in outcome.hits[:n]]

    def use(self, title, views=0, dossiers=0, days_ago=0):
        ProcedureActivity.objects.create(
            day=timezone.localdate() - datetime.timedelta(days=days_ago),
            translation_key=self.pages[title].translation_key, views=views, dossiers=dossiers,
        )
        popularity.POPULARITY_CACHE.invalidate()

    def test_popularity_decides_between_near_ties(self):
        new_permit = "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I"
        self.assertNotEqual(self.titles("giay phep xay dung", 1), [new_permit])  # the long name loses on text alone
        self.use(new_permit, dossiers=40, views=300)
        self.use("Gia hạn giấy phép xây dựng", dossiers=2)
        self.assertEqual(self.titles("giay phep xay dung", 1), [new_permit])

        self.use("Đăng ký thành lập hộ kinh doanh", dossiers=25)
        self.assertEqual(self.titles("ho kinh doanh", 1), ["Đăng ký thành lập hộ kinh doanh"])

    def test_the_same_near_tie_follows_whichever_is_used(self):
        foreign = "Đăng ký khai sinh có yếu tố nước ngoài"
        self.use(foreign, dossiers=50)
        self.assertEqual(self.titles("dang ky khai sinh", 1), [foreign])
        ProcedureActivity.objects.all().delete()
        self.use("Đăng ký khai sinh", dossiers=50)
        self.use(foreign, dossiers=1)
        self.assertEqual(self.titles("dang ky khai sinh", 1), ["Đăng ký khai sinh"])

    def test_use_older_than_the_window_does_not_count(self):
        foreign = "Đăng ký khai sinh có yếu tố nước ngoài"
        self.use(foreign, dossiers=500, days_ago=popularity.WINDOW_DAYS)
        self.assertEqual(self.titles("dang ky khai sinh", 1), ["Đăng ký khai sinh"])

    def test_popularity_never_lifts_a_procedure_that_only_mentions_the_words(self):
        self.use("Cấp chứng chỉ hành nghề kiến trúc", dossiers=10_000, views=100_000)
        self.use("Điều chỉnh giấy phép xây dựng", views=1)
        found = self.titles("giay phep xay dung", 10)
        self.assertEqual(found[-1], "Cấp chứng chỉ hành nghề kiến trúc")
        self.assertEqual(len(found), 4)
        multiplier = popularity.multipliers(self.vi.pk)[self.pages["Cấp chứng chỉ hành nghề kiến trúc"].pk]
        self.assertLessEqual(multiplier, 1 + popularity.MAX_BOOST)

    def test_dossiers_are_counted_from_eforms_rows(self):
        birth = self.pages["Đăng ký lại khai sinh"]
        now = timezone.now()
        for _ in range(3):
            Dossier.objects.create(procedure=birth, submitted_at=now, status="submitted")
        Dossier.objects.create(procedure=birth)  # a draft: not submitted
        Dossier.objects.create(procedure=birth, submitted_at=now - datetime.timedelta(days=200), status="submitted")
        popularity.recount_dossiers()
        row = ProcedureActivity.objects.get(translation_key=birth.translation_key)
        self.assertEqual((row.dossiers, row.views), (3, 0))
        popularity.recount_dossiers()  # a recount replaces, never adds
        self.assertEqual(ProcedureActivity.objects.get(translation_key=birth.translation_key).dossiers, 3)
        self.assertIn(birth.pk, popularity.multipliers(self.vi.pk))

    def test_words_only_mentioned_in_passing_say_nothing_matches(self):
        for query, field in [("tam tru", "Cư trú"), ("cmnd", "Căn cước")]:
            outcome = run_search(query, self.vi, {}, record=False)
            self.assertTrue(outcome.nothing_matches, query)
            self.assertEqual(outcome.hits, [], query)
            self.assertEqual(outcome.total, 0, query)
            self.assertIn(field, [item["name"] for item in outcome.nearest_fields], query)
        response = self.client.get("/search/", {"q": "tam tru"})
        self.assertContains(response, "Cư trú")
        self.assertNotContains(response, "Cấp chứng chỉ hành nghề kiến trúc")

    def test_a_misspelt_word_gets_a_spelling(self):
        outcome = run_search("khaii", self.vi, {}, record=False)
        self.assertTrue(outcome.nothing_matches)
        self.assertEqual(outcome.spelling, "khai")
        response = self.client.get("/search/", {"q": "khaii"})
        self.assertContains(response, '<a href="?q=khai">khai</a>', html=True)

    def test_nonsense_gets_nothing_matches_and_no_wild_guess(self):
        outcome = run_search("xyzzy qwerty", self.vi, {}, record=False)
        self.assertTrue(outcome.nothing_matches)
        self.assertEqual((outcome.hits, outcome.spelling, outcome.nearest_fields), ([], "", []))

    def test_named_matches_are_above_the_floor(self):
        outcome = run_search("giay phep xay dung", self.vi, {}, record=False)
        self.assertFalse(outcome.nothing_matches)


@override_settings(WAGTAILSEARCH_BACKENDS=ES_OFFLINE)
class ElasticsearchPopularityBodyTests(TestCase):
    """The generated body carries the bounded popularity (no cluster)."""

    @classmethod
    def setUpTestData(cls):
        with override_settings(WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": "wagtail.search.backends.database"}}):
            ClerkRankingTests.setUpTestData.__func__(cls)

    def search(self, query, pks):
        cluster = FakeCluster(pks=pks)
        with mock.patch.object(Elasticsearch, "search", cluster):
            outcome = run_search(query, self.vi, {}, record=False)
        return outcome, cluster.requests[0]

    def test_no_function_score_without_activity(self):
        _outcome, request = self.search("giay phep xay dung", [])
        self.assertNotIn("function_score", json.dumps(request))

    def test_popular_procedures_are_boosted_in_the_body_when_named(self):
        new_permit = self.pages["Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I"]
        ProcedureActivity.objects.create(day=timezone.localdate(), translation_key=new_permit.translation_key,
                                         dossiers=40)
        popularity.POPULARITY_CACHE.invalidate()
        _outcome, request = self.search("giay phep xay dung", [new_permit.pk])
        score = request["query"]["function_score"]
        self.assertEqual((score["score_mode"], score["boost_mode"]), ("max", "multiply"))
        [function] = score["functions"]
        self.assertEqual(function["weight"], 1 + popularity.MAX_BOOST)
        terms, named = function["filter"]["bool"]["filter"]
        self.assertEqual(terms, {"terms": {"pk": [str(new_permit.pk)]}})
        self.assertIn({"match": {"title": {"query": "giay phep xay dung", "operator": "and"}}},
                      named["bool"]["should"])
        self.assertIn('"dang', json.dumps(score["query"]) + '"dang')  # the text query is inside

    def test_scores_are_not_boosted_twice(self):
        new_permit = self.pages["Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I"]
        ProcedureActivity.objects.create(day=timezone.localdate(), translation_key=new_permit.translation_key,
                                         dossiers=40)
        popularity.POPULARITY_CACHE.invalidate()
        outcome, _request = self.search("giay phep xay dung", [new_permit.pk])
        hit = outcome.hits[0]
        # FakeCluster's first score is 10.0: kind weight 3 × title phrase 3, and nothing more
        self.assertEqual(hit.score, 10.0 * 3 * 3)
