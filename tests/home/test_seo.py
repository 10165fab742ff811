"""Findable by search engines (issue 16, point 7): the sitemap with both
languages and their hreflang alternates, robots.txt, the canonical link and
Open Graph tags, and the procedure pages' schema.org GovernmentService data."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib import robotparser
from urllib.parse import urlsplit

import pytest
import wagtail_factories
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import PageViewRestriction

from home import seo
from home.models import PortalSettings, StandardPage
from home.setup import get_or_create_child, translate_page
from procedures.models import ProcedureFee
from tests.dossier_factories import make_procedure
from tests.eform_factories import make_eform

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


# ---------------------------------------------------------------- helpers


class HeadParser(HTMLParser):
    """The <meta>, <link> and JSON-LD blocks of a page."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs.get("content", ""))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data

    def og(self, name: str) -> str:
        values = self.meta.get(f"og:{name}", [])
        assert len(values) == 1, (name, values)
        return values[0]

    def canonical(self) -> str:
        found = [link["href"] for link in self.links if link.get("rel") == "canonical"]
        assert len(found) == 1, found
        return found[0]


def head_of(response) -> HeadParser:
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


def sitemap_entries(client) -> dict[str, dict[str, str]]:
    """{location: {hreflang: href}} of /sitemap.xml, which must be valid XML."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    entries = {}
    for url in root.findall("sm:url", NS):
        location = url.findtext("sm:loc", namespaces=NS)
        assert location not in entries, f"listed twice: {location}"
        entries[location] = {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)}
    return entries


@pytest.fixture
def bilingual_procedure(home_page):
    procedure = make_procedure(code="1.001193")
    english = translate_page(procedure, "en", title="Issuing a judicial record card", slug="judicial-record")
    return procedure, english


# ---------------------------------------------------------------- sitemap


def test_the_sitemap_lists_both_languages_with_reciprocal_alternates(client, bilingual_procedure):
    procedure, english = bilingual_procedure
    make_procedure(code="2.000488", title="Chỉ có tiếng Việt")  # not translated yet
    entries = sitemap_entries(client)
    vi_url, en_url = f"http://testserver{procedure.url}", f"http://testserver{english.url}"
    assert en_url.startswith("http://testserver/en/")
    for location in (vi_url, en_url):
        assert entries[location] == {"vi": vi_url, "en": en_url, "x-default": vi_url}
    assert entries["http://testserver/"] == {"vi": "http://testserver/", "en": "http://testserver/en/",
                                            "x-default": "http://testserver/"}
    # a page in one language only: listed, without alternates
    only_vi = [loc for loc in entries if "tt-2-000488" in loc]
    assert len(only_vi) == 1 and entries[only_vi[0]] == {}
    # the views that are not pages, in both languages
    assert entries["http://testserver/lookup/"]["en"] == "http://testserver/en/lookup/"
    assert "http://testserver/en/lookup/" in entries


def test_every_sitemap_address_answers_200_and_none_is_a_permalink(client, bilingual_procedure):
    entries = sitemap_entries(client)
    assert len(entries) >= 6
    for location in entries:
        parts = urlsplit(location)
        assert parts.netloc == "testserver"
        response = client.get(parts.path)
        assert response.status_code == 200, location
        # /p/<code>/ only redirects to the page: not listed next to it
        assert "/p/" not in parts.path, location


def test_drafts_private_pages_and_eform_redirects_stay_out_of_the_sitemap(client, home_page):
    procedure = make_procedure()
    eform = make_eform(procedure)
    draft = get_or_create_child(home_page, StandardPage, "ban-nhap", title="Bản nháp")
    draft.unpublish()
    private = get_or_create_child(home_page, StandardPage, "noi-bo", title="Nội bộ")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    paths = {urlsplit(location).path for location in sitemap_entries(client)}
    assert procedure.url in paths
    assert eform.url not in paths and client.get(eform.url).status_code == 302
    assert draft.url is None or draft.url not in paths
    assert "/noi-bo/" not in paths


def test_statistics_are_listed_when_the_view_exists(client, home_page, monkeypatch):
    from home import sitemaps

    monkeypatch.setattr(sitemaps, "PUBLIC_VIEWS", (("lookup",), ("no_such_view",), ("search",)))
    paths = {urlsplit(location).path for location in sitemap_entries(client)}
    assert {"/lookup/", "/en/lookup/", "/search/", "/en/search/"} <= paths


# ---------------------------------------------------------------- robots.txt


def robots(client, **settings) -> tuple[str, robotparser.RobotFileParser]:
    with override_settings(**settings):
        response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    parser = robotparser.RobotFileParser()
    parser.parse(text.splitlines())
    return text, parser


def test_robots_keeps_crawlers_out_of_private_areas_and_names_the_sitemap(client, home_page):
    procedure = make_procedure()
    text, parser = robots(client)
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
    with translation.override("en"):
        english_private = [reverse("my_dossiers"), reverse("account_login")]
    private = [
        reverse("wagtailadmin_home"), "/admin/pages/3/edit/", reverse("account_login"), reverse("account_signup"),
        reverse("my_dossiers"), reverse("my_dossier", args=["000.00.00.H30-261122-0001"]),
        reverse("dossier_submitted", args=["X"]), reverse("api_v1:api_open_fields"), reverse("oauth2_token"),
        reverse("payments_callbacks:ipn", args=["vnpay"]), reverse("sms_inbound"), *english_private,
    ]
    for path in private:
        assert not parser.can_fetch("*", f"http://testserver{path}"), path
    for path in ("/", "/en/", procedure.url, reverse("lookup"), reverse("search"), "/sitemap.xml"):
        assert parser.can_fetch("*", f"http://testserver{path}"), path
    # the e-forms and their drafts, by a wildcard rule (not understood by urllib's parser)
    apply_path = reverse("procedure_apply", args=[procedure.code])
    assert "Disallow: /p/*/apply/" in text.splitlines() and apply_path.startswith("/p/")
    assert "Disallow: /en/p/*/apply/" in text.splitlines()


def test_robots_can_close_a_staging_site(client, home_page):
    text, parser = robots(client, PORTAL_ROBOTS_DISALLOW_ALL=True)
    assert not parser.can_fetch("*", "http://testserver/")
    assert "Sitemap: http://testserver/sitemap.xml" in text


# ---------------------------------------------------------------- canonical and Open Graph


def test_open_graph_and_canonical_in_both_languages(client, bilingual_procedure):
    procedure, english = bilingual_procedure
    procedure.search_description = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam."
    procedure.save_revision().publish()
    head = head_of(client.get(procedure.url))
    url = f"http://testserver{procedure.url}"
    assert head.canonical() == url
    assert head.og("url") == url
    assert head.og("title") == "Cấp Phiếu lý lịch tư pháp"
    assert head.og("description") == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam."
    assert head.og("site_name") == PortalSettings.load().portal_name
    assert head.og("locale") == "vi_VN" and head.meta["og:locale:alternate"] == ["en_US"]
    assert head.og("type") == "website"
    assert "og:image" not in head.meta  # the page has no picture
    hreflang = {link["hreflang"]: link["href"] for link in head.links if link.get("hreflang")}
    assert hreflang["vi"] == url and hreflang["en"] == f"http://testserver{english.url}"

    en_head = head_of(client.get(english.url, HTTP_ACCEPT_LANGUAGE="en"))
    assert en_head.canonical() == en_head.og("url") == f"http://testserver{english.url}"
    assert en_head.og("title") == "Issuing a judicial record card"
    assert en_head.og("locale") == "en_US"
    assert en_head.og("site_name") == PortalSettings.load().portal_name_en


def test_views_that_are_not_pages_have_a_canonical_without_query(client, home_page):
    head = head_of(client.get(reverse("search") + "?q=khai+sinh"))
    assert head.canonical() == "http://testserver/search/"
    assert head.og("title") == PortalSettings.load().portal_name
    head = head_of(client.get(reverse("search") + "?q=khai+sinh&page=2"))
    assert head.canonical() == "http://testserver/search/?page=2"


def test_open_graph_image_when_the_page_has_one(home_page):
    image = wagtail_factories.ImageFactory(title="Trụ sở", width=1600, height=900)
    page = get_or_create_child(home_page, StandardPage, "gioi-thieu", title="Giới thiệu", summary="Về chúng tôi")
    page.image = image  # a page type with a picture field
    request = RequestFactory().get("/gioi-thieu/")
    data = seo.open_graph(request, page, site_name="Cổng")
    assert data["image"]["url"].startswith("http://testserver/")
    assert data["image"]["width"] > 0 and data["image"]["height"] > 0
    assert data["image"]["alt"] == "Trụ sở"
    assert data["description"] == "Về chúng tôi"


# ---------------------------------------------------------------- GovernmentService JSON-LD


def government_service(client, page, **extra) -> dict:
    head = head_of(client.get(page.url, **extra))
    assert len(head.json_ld) == 1
    data = json.loads(head.json_ld[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "GovernmentService"
    return data


def test_procedure_pages_describe_the_government_service(client, home_page):
    procedure = make_procedure(code="1.001193", level=3)
    make_eform(procedure)  # the online channel is named only where the e-form is live
    agency = procedure.agency
    agency.address = "Số 1 đường Trần Hưng Đạo"
    agency.phone = "0263 3822 222"
    agency.save()
    ProcedureFee.objects.create(page=procedure, name="Lệ phí cấp Phiếu", amount_vnd=200000)
    ProcedureFee.objects.create(page=procedure, name="Phí sao chụp", amount_vnd=5000, due="processing")
    data = government_service(client, procedure)
    assert data["name"] == procedure.title and data["identifier"] == "1.001193"
    assert data["serviceType"] == data["category"] == procedure.field.name
    assert data["url"] == f"http://testserver{procedure.url}"
    provider = data["provider"]
    assert provider["@type"] == "GovernmentOrganization" and provider["name"] == "Sở Tư pháp"
    assert provider["telephone"] == "0263 3822 222"
    assert provider["address"]["streetAddress"] == "Số 1 đường Trần Hưng Đạo"
    assert provider["address"]["addressCountry"] == "VN"
    province = PortalSettings.load().province_name
    assert data["areaServed"] == {"@type": "AdministrativeArea", "name": province}
    offers = data["offers"]
    assert [(o["name"], o["price"], o["priceCurrency"]) for o in offers] == [
        ("Lệ phí cấp Phiếu", 200000, "VND"), ("Phí sao chụp", 5000, "VND")]
    assert all(isinstance(o["price"], int) for o in offers)
    online = [c for c in data["availableChannel"] if "serviceUrl" in c]
    assert online == [{"@type": "ServiceChannel", "name": online[0]["name"],
                       "serviceUrl": f"http://testserver{reverse('procedure_apply', args=['1.001193'])}"}]


def test_no_online_channel_without_a_live_eform(client, home_page):
    procedure = make_procedure(code="1.001193", level=3)
    data = government_service(client, procedure)
    assert [c for c in data["availableChannel"] if "serviceUrl" in c] == []


def test_a_level_2_procedure_with_one_fee_has_no_online_channel(client, home_page):
    procedure = make_procedure(code="2.000488", level=2)
    procedure.fee_vnd = 0
    procedure.save_revision().publish()
    data = government_service(client, procedure)
    assert data["offers"] == [{"@type": "Offer", "name": data["offers"][0]["name"], "price": 0,
                               "priceCurrency": "VND"}]
    assert not [c for c in data["availableChannel"] if "serviceUrl" in c]
    assert data["availableChannel"][0]["serviceLocation"]["name"] == "Sở Tư pháp"


def test_the_english_page_describes_the_service_in_english(client, bilingual_procedure):
    procedure, english = bilingual_procedure
    make_eform(procedure)
    data = government_service(client, english)
    assert data["name"] == "Issuing a judicial record card" and data["inLanguage"] == "en"
    assert data["areaServed"]["name"] == PortalSettings.load().province_name_en
    assert data["availableChannel"][0]["serviceUrl"] == "http://testserver/en/p/1.001193/apply/"


def test_json_ld_cannot_close_its_script_element(client, home_page):
    procedure = make_procedure(title="Thủ tục </script><script>alert(1)</script> & <b>")
    response = client.get(procedure.url)
    html = response.content.decode()
    start = html.index('<script type="application/ld+json">')
    block = html[start:html.index("</script>", start)]
    assert "<" not in block[len('<script type="application/ld+json">'):]
    assert government_service(client, procedure)["name"] == procedure.title
