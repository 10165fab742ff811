"""The search page, suggestions, best bets, synonyms in the admin, query
statistics and update_index."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Locale, PageViewRestriction

from core.text import fold, with_folded
from search import stats
from search.models import SearchQueryStat, SynonymGroup
from search.services import PER_PAGE, parse_query, run_search
from tests.search.test_queries import build_catalogue


def test_fold_every_vietnamese_letter():
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("HỘ KINH DOANH") == "ho kinh doanh"
    assert fold("giấy phép xây dựng, cấp lại!") == "giay phep xay dung cap lai"
    assert fold("ĂÂÊÔƠƯĐ ăâêôơưđ ỹỵữựớ") == "aaeooud aaeooud yyuuo"
    assert fold("Thủ tục 1.001193 (mã 000.00.10.H30)") == "thu tuc 1.001193 ma 000.00.10.h30"
    assert fold("43/2011/NĐ-CP") == "43 2011 nd cp"
    assert fold("") == "" and fold(None) == ""


def test_with_folded_keeps_the_original_and_adds_the_folded_form():
    assert with_folded("Hộ tịch") == "Hộ tịch ho tich"
    assert with_folded("ho tich") == "ho tich"
    assert with_folded(["Giấy", "phép"]) == "Giấy phép giay phep"


def test_filler_words_and_codes_in_queries(db):  # synonyms come from the database
    parsed = parse_query("Thủ tục làm sổ đỏ như thế nào?")
    assert parsed.cleaned == "so do"
    assert parse_query("lam nghiep").cleaned == "lam nghiep"  # unaccented "lam" may be "lâm"
    assert parse_query("thủ tục").useless
    assert parse_query("  ").useless
    assert parse_query("1.001193").code == "1.001193"


def admin_login(client, user):
    """Log in to the admin as if the TOTP second factor (accounts.mfa) was passed."""
    from tests.second_factor import pass_second_factor

    pass_second_factor(client, user)


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pages = build_catalogue()
        cls.vi = Locale.objects.get(language_code="vi")

    def setUp(self):
        stats.discard()

    def test_procedure_results_are_typed(self):
        response = self.client.get("/search/", {"q": "dang ky khai sinh"})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("Đăng ký khai sinh", html)
        self.assertIn("1.001193", html)  # code
        self.assertIn("Phường Buôn Ma Thuột", html)  # agency
        result = response.context["results"][0].obj
        self.assertEqual(result.code, "1.001193")
        self.assertIn(result.processing_time_display, html)  # processing time
        self.assertContains(response, "search-result__facts")  # code, agency, level, time
        self.assertContains(response, 'class="search-result search-result--procedure"')
        self.assertContains(response, 'class="search-result search-result--news"')
        self.assertContains(response, 'class="search-result search-result--form"')

    def test_english_search_page_shows_english_content_only(self):
        response = self.client.get("/en/search/", {"q": "birth registration"})
        self.assertContains(response, "Birth registration")
        self.assertNotContains(response, "Đăng ký khai sinh</a>")

    def test_legal_documents_and_guidance_are_found(self):
        self.assertContains(self.client.get("/search/", {"q": "123/2015/NĐ-CP"}), "123/2015/NĐ-CP")
        self.assertContains(self.client.get("/search/", {"q": "nop ho so truc tuyen"}), "Hướng dẫn nộp hồ sơ trực tuyến")

    def test_facets_are_get_parameters_with_counts(self):
        response = self.client.get("/search/", {"q": "dang ky"})
        html = response.content.decode()
        self.assertIn("?q=dang+ky&amp;field=ho-tich", html)
        self.assertIn("?q=dang+ky&amp;tier=commune", html)
        self.assertIn("?q=dang+ky&amp;level=4", html)
        self.assertIn("?q=dang+ky&amp;agency=000.20.30.H30", html)
        ho_tich = next(o for o in response.context["outcome"].facets["field"] if o.value == "ho-tich")
        self.assertEqual(ho_tich.count, 3)  # khai sinh, kết hôn, khai tử

    def test_facet_filter_narrows_to_procedures(self):
        outcome = run_search("dang ky", self.vi, {"field": "ho-tich", "level": "4"}, record=False)
        codes = {self.pages[c].pk for c in ("1.001193", "1.001022")}
        self.assertEqual({hit.pk for hit in outcome.hits}, codes)
        level = {o.value: o for o in outcome.facets["level"]}
        self.assertTrue(level["4"].selected)
        self.assertEqual(level["3"].count, 1)  # counted without its own filter: kết hôn
        response = self.client.get("/search/", {"q": "dang ky", "field": "ho-tich", "level": "4"})
        self.assertContains(response, 'class="is-selected"', count=2)
        self.assertNotContains(response, "search-result--news")

    def test_bad_facet_values_are_ignored(self):
        response = self.client.get("/search/", {"q": "dang ky", "level": "9", "tier": "<x>", "field": "nope"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["outcome"].filters.active)

    def test_pagination(self):
        outcome = run_search("cap", self.vi, {}, record=False)
        self.assertGreater(outcome.total, 0)
        for number in range(3):
            self.client.get("/search/", {"q": f"dang ky {number}"})
        response = self.client.get("/search/", {"q": "dang", "page": "2"})
        self.assertEqual(response.status_code, 200)
        total = response.context["outcome"].total
        if total > PER_PAGE:
            self.assertContains(response, "page=1")
        response = self.client.get("/search/", {"q": "dang", "page": "999"})
        self.assertEqual(response.status_code, 200)

    def test_empty_or_useless_query_gets_help(self):
        for query in ["", "   ", "a", "thủ tục như thế nào"]:
            response = self.client.get("/search/", {"q": query})
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.context["outcome"].help_needed, query)
            self.assertContains(response, "Đăng ký khai sinh")  # most used
            self.assertContains(response, "Hộ tịch")  # fields

    def test_nothing_found_is_not_an_error(self):
        response = self.client.get("/search/", {"q": "qwertyzz"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["outcome"].total, 0)

    def test_private_pages_are_not_found(self):
        PageViewRestriction.objects.create(page=self.pages["guide"], restriction_type="login")
        outcome = run_search("nop ho so truc tuyen", self.vi, {}, record=False)
        self.assertNotIn(self.pages["guide"].pk, [hit.pk for hit in outcome.hits])

    def test_best_bets_from_search_promotions(self):
        SearchPromotion.objects.create(query=Query.get("Sổ đỏ"), page=self.pages["guide"], description="Xem hướng dẫn")
        response = self.client.get("/search/", {"q": "so do"})
        self.assertContains(response, 'id="best-bets-title"')
        self.assertContains(response, "Xem hướng dẫn")
        self.assertNotContains(self.client.get("/search/", {"q": "khai sinh"}), 'id="best-bets-title"')

    def test_suggestions_endpoint(self):
        data = self.client.get("/search/suggest/", {"q": "dang ky kh"}).json()
        titles = [item["title"] for item in data["results"]]
        self.assertIn("Đăng ký khai sinh", titles)
        item = data["results"][titles.index("Đăng ký khai sinh")]
        self.assertEqual(item["code"], "1.001193")
        self.assertEqual(item["url"], "/p/1.001193/")
        self.assertEqual(self.client.get("/search/suggest/", {"q": "d"}).json(), {"results": []})
        self.assertEqual(self.client.get("/en/search/suggest/", {"q": "birth"}).json()["results"][0]["title"],
                         "Birth registration")

    def test_search_request_writes_nothing_to_the_database(self):
        self.client.get("/search/", {"q": "warm up"})  # the site chrome creates its settings row once
        stats.discard()
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/search/", {"q": "không có gì ở đây xyz"})
            self.client.get("/search/", {"q": "dang ky khai sinh"})
        writes = [q["sql"] for q in queries.captured_queries
                  if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        self.assertEqual(writes, [])
        self.assertEqual(SearchQueryStat.objects.count(), 0)
        self.assertEqual(stats.pending(), 2)

    def test_statistics_are_flushed_and_reported(self):
        for query in ["không có gì xyz", "khong co gi xyz", "dang ky khai sinh"]:
            self.client.get("/search/", {"q": query})
        self.assertEqual(stats.flush(), 2)
        missing = SearchQueryStat.objects.get(query="khong co gi xyz")
        self.assertEqual((missing.searches, missing.zero_results, missing.example), (2, 2, "không có gì xyz"))
        found = SearchQueryStat.objects.get(query="dang ky khai sinh")
        self.assertEqual((found.searches, found.zero_results), (1, 0))
        call_command("flush_search_stats", stdout=io.StringIO())

        editor = get_user_model().objects.create_user("editor", "editor@example.com", "pw")
        editor.groups.add(Group.objects.get(name="Editors"))
        admin_login(self.client, editor)
        response = self.client.get("/admin/reports/search-terms/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "không có gì xyz")
        outsider = get_user_model().objects.create_user("citizen", "c@example.com", "pw")
        self.client.force_login(outsider)
        self.assertNotEqual(self.client.get("/admin/reports/search-terms/").status_code, 200)

    def test_editors_keep_synonym_groups_in_the_admin(self):
        editor = get_user_model().objects.create_user("editor2", "e2@example.com", "pw")
        editor.groups.add(Group.objects.get(name="Editors"))
        admin_login(self.client, editor)
        url = "/admin/snippets/search/synonymgroup/add/"
        response = self.client.post(url, {"terms": "giấy phép kinh doanh\nđăng ký hộ kinh doanh", "note": "", "active": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(SynonymGroup.objects.filter(terms__startswith="giấy phép kinh doanh").exists())
        response = self.client.post(url, {"terms": "chỉ một", "note": "", "active": "on"})
        self.assertEqual(response.status_code, 200)  # refused: one term is no group
        outcome = run_search("giay phep kinh doanh", self.vi, {}, record=False)
        self.assertIn(self.pages["2.000720"].pk, [hit.pk for hit in outcome.hits[:3]])

    def test_update_index_rebuilds_with_progress(self):
        out = io.StringIO()
        call_command("update_index", stdout=out)
        self.assertIn("indexed", out.getvalue())
        outcome = run_search("giay phep xay dung", self.vi, {}, record=False)
        self.assertIn(self.pages["2.000528"].pk, [hit.pk for hit in outcome.hits[:3]])
