"""Bad input in addresses and query strings gets an answer, never a server
error: junk filters, pages, codes and sizes on every public page."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

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
        "/search/suggest/", "/lookup/", "/verify/",
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


LOOKUP_JUNK = ["<script>x</script>", "' OR 1=1 --", "%00", "abc", "-1", "1.5"]


def error_summary(response) -> str:
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert 'class="error-summary"' in main, "the answer has no error summary"
    assert "<script>" not in main  # never echoed unescaped
    return main.split('class="error-summary"', 1)[1].split("</div>", 1)[0]


def vi_message(message: str) -> str:
    with translation.override("vi"):
        return escape(gettext(message))


@pytest.mark.parametrize("junk", LOOKUP_JUNK)
def test_junk_dossier_code_look_up_is_a_400_with_the_fields_messages(site, junk):
    response = Client().post("/lookup/", {"way": "code", "c-code": junk, "c-secret": junk})
    assert response.status_code == 400
    summary = error_summary(response)
    assert vi_message("Enter the dossier code as printed on the receipt.") in summary
    assert vi_message("Enter a 12-digit ID number or a mobile number.") in summary


@pytest.mark.parametrize("junk", LOOKUP_JUNK)
def test_junk_person_look_up_is_a_400_with_the_fields_messages(site, junk):
    response = Client().post("/lookup/", {"way": "person", "p-id_number": junk, "p-full_name": junk,
                                          "p-date_of_birth": junk})
    assert response.status_code == 400
    summary = error_summary(response)
    assert vi_message("Enter a valid date.") in summary
    assert 'href="#id_p-id_number"' in summary and 'href="#id_p-full_name"' not in summary


def test_overlong_look_up_values_are_a_400_not_an_error(site):
    client = Client()
    by_code = client.post("/lookup/", {"way": "code", "c-code": "đ" * 300, "c-secret": "9" * 300})
    assert by_code.status_code == 400
    summary = error_summary(by_code)
    assert 'href="#id_c-code"' in summary and 'href="#id_c-secret"' in summary
    by_person = client.post("/lookup/", {"way": "person", "p-id_number": "9" * 300, "p-full_name": "đ" * 300,
                                         "p-date_of_birth": "9" * 300})
    assert by_person.status_code == 400
    summary = error_summary(by_person)
    for field in ("id_number", "full_name", "date_of_birth"):
        assert f'href="#id_p-{field}"' in summary, field


def test_a_junk_way_shows_the_empty_look_up(site):
    response = Client().post("/lookup/", {"way": "<b>", "c-code": "<b>", "c-secret": "x"})
    assert response.status_code == 200
    assert 'class="error-summary"' not in response.content.decode()


@pytest.mark.parametrize("junk", ["abc", "<b>", "9" * 200])
def test_apply_to_an_unknown_procedure_is_not_found(site, junk):
    assert Client().get(f"/p/{junk}/apply/").status_code in (302, 404)
