"""Bad input in addresses and query strings gets an answer, never a server
error: junk filters, pages, codes and sizes on every public page."""

import pytest
from django.test import Client

from tests.procedures.fixtures import JUSTICE, build_catalogue, make_procedure

JUNK = ["abc", "-1", "0", "99999999999999999999", "%00", "' OR 1=1 --", "<script>x</script>", "1.5", "đ" * 300]


@pytest.fixture
def site(home_page):
    catalogue = build_catalogue(home_page)
    make_procedure(catalogue.index, "1.001193", "Đăng ký khai sinh", catalogue.fields["ho-tich"],
                   catalogue.agencies[JUSTICE])
    return catalogue


@pytest.mark.parametrize("junk", JUNK)
def test_query_strings_never_crash_a_page(site, junk):
    client = Client()
    pages = [
        "/", "/en/", "/thu-tuc-hanh-chinh/", "/en/procedures/", "/van-ban/", "/search/", "/en/search/",
        "/search/suggest/", "/lookup/",
    ]
    params = {"q": junk, "page": junk, "field": junk, "agency": junk, "tier": junk, "level": junk,
              "sort": junk, "type": junk, "issuer": junk, "year": junk, "status": junk, "code": junk}
    for path in pages:
        response = client.get(path, params)
        assert response.status_code in (200, 301, 302), (path, junk, response.status_code)


@pytest.mark.parametrize("junk", ["abc", "1.001193x", "<b>", "%2e%2e", "9" * 200])
def test_unknown_codes_in_addresses_are_clear_not_found(site, junk):
    client = Client()
    for path in (f"/p/{junk}/", f"/en/p/{junk}/", f"/thu-tuc-hanh-chinh/co-quan/{junk}/",
                 f"/thu-tuc-hanh-chinh/linh-vuc/{junk}/"):
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
    # the permalink's 404 says what happened and offers the search
    html = client.get(f"/p/{junk}/").content.decode()
    assert 'name="q"' in html


def test_junk_look_up_answers_with_a_message(site):
    client = Client()
    response = client.post("/lookup/", {"way": "code", "code": "<script>", "second": "' OR 1=1"})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "<script>" not in html.split("<main")[1]  # never echoed unescaped
    assert 'class="error-summary"' in html or "notice" in html


@pytest.mark.parametrize("junk", ["abc", "<b>", "9" * 200])
def test_apply_to_an_unknown_procedure_is_not_found(site, junk):
    assert Client().get(f"/p/{junk}/apply/").status_code in (302, 404)
