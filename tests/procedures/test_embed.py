"""The embed kit: the card at /embed/p/<code>/ in both languages, its
framing headers (the agency's allowed origins only; every other page
'none' and DENY), the allow-list's validation, and the admin's builder."""

from __future__ import annotations

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from home.setup import translate_page
from procedures.embed.origins import clean_source, normalise_origin, source_for_site
from procedures.models import EmbedOrigin
from tests.dossier_factories import make_agency, make_procedure

pytestmark = pytest.mark.django_db

CODE = "1.001193"
SITE = "https://sotuphap.example.gov.vn"


@pytest.fixture
def procedure(vietnamese):
    page = make_procedure(CODE, level=3, processing_time=5)
    page.fee_vnd = 200000
    page.save_revision().publish()
    translate_page(page, "en", title="Issuing a judicial record card", slug="judicial-record")
    EmbedOrigin.objects.create(agency=page.agency, origin=SITE, label="Sở Tư pháp")
    EmbedOrigin.objects.create(agency=page.agency, origin="http://localhost:8000")
    return page


def csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


# ---------------------------------------------------------------- framing headers


def test_card_may_be_framed_only_by_the_agencys_origins(client, procedure):
    response = client.get(f"/embed/p/{CODE}/")
    assert response.status_code == 200
    assert csp(response)["frame-ancestors"] == f"frame-ancestors {SITE} http://localhost:8000" or csp(response)[
        "frame-ancestors"] == f"frame-ancestors http://localhost:8000 {SITE}"
    assert "'none'" not in csp(response)["frame-ancestors"]
    assert "X-Frame-Options" not in response
    # the rest of the policy is the public one: no script from anywhere else, no inline style
    assert csp(response)["script-src"] == "script-src 'self'"
    assert csp(response)["style-src"] == "style-src 'self'"


def test_card_sets_no_cookie_and_runs_no_script(client, procedure):
    response = client.get(f"/embed/p/{CODE}/?src=sotuphap.example.gov.vn")
    assert not response.cookies
    body = response.content.decode()
    assert "<script" not in body and "style=" not in body
    assert "procedures/embed.css" in body


def test_other_pages_keep_none_and_deny(client, procedure):
    for address in ("/", f"/p/{CODE}/apply/", "/lookup/", "/en/lookup/", "/search/"):
        response = client.get(address)
        assert csp(response)["frame-ancestors"] == "frame-ancestors 'none'", address
        assert response["X-Frame-Options"] == "DENY", address


def test_another_agencys_origins_do_not_frame_this_card(client, procedure):
    other = make_agency("000.00.99.H30", "Sở Xây dựng")
    EmbedOrigin.objects.create(agency=other, origin="https://soxaydung.example.gov.vn")
    response = client.get(f"/embed/p/{CODE}/")
    assert "soxaydung" not in response["Content-Security-Policy"]


def test_origins_on_the_english_copy_of_the_agency_count_too(client, procedure):
    EmbedOrigin.objects.all().delete()
    english = procedure.agency.get_translation(translate_page(procedure, "en").locale)
    EmbedOrigin.objects.create(agency=english, origin="https://en.example.gov.vn")
    response = client.get(f"/embed/p/{CODE}/")
    assert csp(response)["frame-ancestors"] == "frame-ancestors https://en.example.gov.vn"


def test_without_allowed_origins_the_card_is_not_framable(client, procedure):
    EmbedOrigin.objects.all().delete()
    response = client.get(f"/embed/p/{CODE}/")
    assert response.status_code == 200
    assert csp(response)["frame-ancestors"] == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_unknown_procedure_is_a_404_card_not_framable(client, procedure):
    response = client.get("/embed/p/9.999999/")
    assert response.status_code == 404
    assert "9.999999" in text(response)
    assert csp(response)["frame-ancestors"] == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_report_only_mode_carries_the_same_frame_ancestors(client, procedure, settings):
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = policy
    response = client.get(f"/embed/p/{CODE}/")
    assert "Content-Security-Policy" not in response
    assert SITE in response["Content-Security-Policy-Report-Only"]


def test_card_only_answers_get(client, procedure):
    assert client.post(f"/embed/p/{CODE}/").status_code == 405


# ---------------------------------------------------------------- the card's content


def test_card_in_vietnamese(client, procedure):
    response = client.get(f"/embed/p/{CODE}/?src=SoTuPhap.example.gov.vn")
    page = text(response)
    assert '<html lang="vi">' in response.content.decode()
    for expected in ("Cấp Phiếu lý lịch tư pháp", CODE, "Mức độ 3", "5 ngày làm việc", "200.000", "Sở Tư pháp"):
        assert expected in page, expected
    link = re.search(r'<a class="embed-card__button" href="([^"]+)" target="_top">', response.content.decode())
    assert link, "the button opens the e-form in the top window"
    assert html.unescape(link.group(1)) == f"http://testserver/p/{CODE}/apply/?src=sotuphap.example.gov.vn"
    assert f'href="http://testserver/p/{CODE}/" target="_top"' in response.content.decode()


def test_card_in_english(client, procedure):
    response = client.get(f"/en/embed/p/{CODE}/?src=sotuphap.example.gov.vn")
    page = text(response)
    assert '<html lang="en">' in response.content.decode()
    with translation.override("en"):
        kind = str(procedure.service_kind_label)
    for expected in ("Issuing a judicial record card", "Level 3", kind, "5 working days", "Apply online",
                     "Sở Tư pháp (EN)"):
        assert expected in page, expected
    assert f"http://testserver/en/p/{CODE}/apply/?src=sotuphap.example.gov.vn" in html.unescape(
        response.content.decode())


def test_an_invalid_src_is_left_out(client, procedure):
    for bad in ("<script>", "a" * 201, "https://x.vn/path", "bad value"):
        response = client.get(f"/embed/p/{CODE}/", {"src": bad})
        assert response.status_code == 200
        assert f'href="http://testserver/p/{CODE}/apply/" target="_top"' in response.content.decode(), bad


def test_level_2_card_offers_the_printable_form(client, vietnamese):
    make_procedure("2.000001", level=2)
    with translation.override("en"):
        response = client.get("/en/embed/p/2.000001/")
    assert "Fill in the form" in text(response)


# ---------------------------------------------------------------- origins and src


@pytest.mark.parametrize(("value", "expected"), [
    ("https://WWW.Example.gov.vn/", "https://www.example.gov.vn"),
    ("https://example.gov.vn:443", "https://example.gov.vn"),
    ("https://example.gov.vn:8443", "https://example.gov.vn:8443"),
    ("  https://bücher.example  ", "https://xn--bcher-kva.example"),
    ("http://localhost:8000", "http://localhost:8000"),
    ("http://127.0.0.2:5000", "http://127.0.0.2:5000"),
    ("http://[::1]:8080", "http://[::1]:8080"),
])
def test_origins_are_normalised(value, expected):
    assert normalise_origin(value) == expected


@pytest.mark.parametrize("value", [
    "", "example.gov.vn", "http://example.gov.vn", "https://*.example.gov.vn", "*", "https://example.gov.vn/path",
    "https://example.gov.vn?x=1", "https://example.gov.vn#top", "https://user@example.gov.vn", "ftp://example.gov.vn",
    "https://exa mple.gov.vn", "https://example.gov.vn:99999", "https://-bad-.vn", "'none'", "'self'",
])
def test_bad_origins_are_refused_with_a_message(value):
    with pytest.raises(ValidationError) as error:
        normalise_origin(value)
    with translation.override("en"):
        assert "no path and no wildcard" in str(error.value.messages[0])


def test_the_model_stores_the_normalised_origin_once_per_agency(procedure):
    origin = EmbedOrigin(agency=procedure.agency, origin="HTTPS://SoTuPhap.Example.gov.vn/")
    with pytest.raises(ValidationError) as error:
        origin.full_clean()
    assert "__all__" in error.value.message_dict  # the same origin exists already (normalised first)
    fresh = EmbedOrigin(agency=procedure.agency, origin="HTTPS://New.Example.gov.vn/")
    fresh.full_clean()
    fresh.save()
    assert fresh.origin == "https://new.example.gov.vn"


@pytest.mark.parametrize(("value", "expected"), [
    ("sotuphap.example.gov.vn", "sotuphap.example.gov.vn"), ("UBND-Phuong-1", "ubnd-phuong-1"),
    ("host:8443", "host:8443"), ("", ""), (None, ""), ("a" * 200, "a" * 200), ("a" * 201, ""),
    ("<b>", ""), ("x y", ""), ("https://x.vn", ""), (["x"], ""),
])
def test_src_is_a_short_slug_or_host(value, expected):
    assert clean_source(value) == expected


def test_builder_takes_the_host_of_an_address():
    assert source_for_site("https://SoTuPhap.example.gov.vn/thu-tuc?x=1") == "sotuphap.example.gov.vn"
    assert source_for_site("sotuphap.example.gov.vn") == "sotuphap.example.gov.vn"
    assert source_for_site("not a site") == ""


# ---------------------------------------------------------------- the admin


def test_builder_writes_the_frame_and_the_link(admin_client_with_second_factor, procedure):
    client = admin_client_with_second_factor
    page = client.get("/admin/embed_builder/")
    assert page.status_code == 200 and 'name="procedure"' in page.content.decode()
    response = client.get("/admin/embed_builder/", {"procedure": procedure.pk, "language": "en",
                                                    "site": "https://sotuphap.example.gov.vn/", "height": 400})
    body = response.content.decode()
    frame = html.unescape(re.search(r'<textarea id="embed-frame-code"[^>]*>(.*?)</textarea>', body, re.S).group(1))
    link = html.unescape(re.search(r'<textarea id="embed-link-code"[^>]*>(.*?)</textarea>', body, re.S).group(1))
    card = f"http://testserver/en/embed/p/{CODE}/?src=sotuphap.example.gov.vn"
    apply = f"http://testserver/en/p/{CODE}/apply/?src=sotuphap.example.gov.vn"
    assert frame.startswith(f'<iframe src="{card}" title="Issuing a judicial record card – online public services"')
    assert 'height="400"' in frame
    assert f'<a href="{apply}">Apply online: Issuing a judicial record card</a>' in frame  # the fallback inside
    assert frame.rstrip().endswith("</iframe>")
    assert link == f'<a href="{apply}">Apply online: Issuing a judicial record card</a>'
    assert SITE in body  # the allowed origins are listed


def test_builder_in_vietnamese_and_warns_without_allowed_sites(admin_client_with_second_factor, procedure):
    EmbedOrigin.objects.all().delete()
    response = admin_client_with_second_factor.get(
        "/admin/embed_builder/", {"procedure": procedure.pk, "language": "vi", "site": "ubnd-phuong-1", "height": 360})
    body = html.unescape(response.content.decode())
    assert f'<iframe src="http://testserver/embed/p/{CODE}/?src=ubnd-phuong-1"' in body
    assert "Cấp Phiếu lý lịch tư pháp" in body
    assert 'class="help-block help-warning"' in body


def test_builder_answers_bad_input_with_messages_and_keeps_it(admin_client_with_second_factor, procedure):
    response = admin_client_with_second_factor.get(
        "/admin/embed_builder/", {"procedure": "", "language": "fr", "site": "bad site!", "height": 5})
    body = response.content.decode()
    assert 'id="embed-frame-code"' not in body
    assert body.count('class="error-message"') == 4  # procedure, language, site, height
    assert 'value="bad site!"' in body


def test_allowed_sites_are_edited_in_the_admin(admin_client_with_second_factor, procedure):
    client = admin_client_with_second_factor
    assert client.get("/admin/embed_origins/").status_code == 200
    bad = client.post("/admin/embed_origins/new/", {"agency": procedure.agency.pk, "origin": "http://example.com/x"})
    assert bad.status_code == 200 and not EmbedOrigin.objects.filter(origin__contains="example.com").exists()
    assert 'value="http://example.com/x"' in bad.content.decode()
    good = client.post("/admin/embed_origins/new/", {"agency": procedure.agency.pk,
                                                    "origin": "HTTPS://www.Example.com:443/", "label": "x"})
    assert good.status_code == 302
    assert EmbedOrigin.objects.filter(origin="https://www.example.com").exists()


def test_builder_and_allowed_sites_need_the_admin(client, procedure):
    for address in ("/admin/embed_builder/", "/admin/embed_origins/"):
        response = client.get(address)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
