"""The embed card framed by other sites, in a real browser: two small pages
served from other loopback origins (127.0.0.2 and 127.0.0.3, the portal
being the live server on localhost) frame the card; the one on the
agency's list shows it and its button opens the e-form in the top window,
the other is refused by the browser (frame-ancestors). axe checks the card
in both languages and the unknown-code card."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from procedures.models import EmbedOrigin
from tests.procedures.fixtures import JUSTICE, build_catalogue, make_procedure

CODE = "2.000488"
TITLE = "Cấp Phiếu lý lịch tư pháp"


@pytest.fixture
def procedure(transactional_db):
    from wagtail.models import Collection, Locale

    from home.setup import ensure_site

    # a transactional test before this one flushed what the migrations made
    for code in ("vi", "en"):
        Locale.objects.get_or_create(language_code=code)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    catalogue = build_catalogue(ensure_site())
    return make_procedure(catalogue.index, CODE, TITLE, catalogue.fields["ho-tich"], catalogue.agencies[JUSTICE],
                          tier="province", level=3, en_title="Issuing a judicial record card")


class AgencySite:
    """A page on another origin that frames the card, like an agency's site."""

    def __init__(self, host: str, card_url: str):
        body = (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Agency site</title></head>'
                f'<body><main><h1>Agency site</h1><iframe src="{card_url}" title="{TITLE}" width="100%" '
                f'height="360"></iframe></main></body></html>').encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # http.server calls it by this name
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.origin = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_the_card_is_framed_by_an_allowed_origin_and_refused_by_another(page, live_server, procedure):
    card_url = f"{live_server.url}/embed/p/{CODE}/?src=agency.example"
    with AgencySite("127.0.0.2", card_url) as allowed, AgencySite("127.0.0.3", card_url) as other:
        EmbedOrigin.objects.create(agency=procedure.agency, origin=allowed.origin)

        # not on the list: the browser refuses to show the card in the frame
        page.goto(other.origin + "/", wait_until="load")
        frame = page.frames[1]
        assert frame.locator(".embed-card").count() == 0
        assert not frame.url.startswith(live_server.url) or frame.locator("h1").count() == 0
        refusals = [e for e in page.console_errors if "frame-ancestors" in e]
        assert refusals, page.console_errors
        page.console_errors.clear()

        # on the list: the card shows, and its button opens the e-form in the top window
        page.goto(allowed.origin + "/", wait_until="load")
        card = page.frame_locator("iframe")
        expect(card.locator("h1")).to_have_text(TITLE)
        expect(card.locator(".embed-card__facts")).to_contain_text("Sở Tư pháp")
        assert page.console_errors == []
        card.locator(".embed-card__button").click()
        page.wait_for_url(lambda url: url.startswith(live_server.url))
        assert "src" in page.url and "agency.example" in page.url  # kept through the sign-in's next=


@pytest.mark.parametrize(("path", "heading", "status"), [
    (f"/embed/p/{CODE}/", TITLE, 200),
    (f"/en/embed/p/{CODE}/", "Issuing a judicial record card", 200),
    ("/embed/p/9.999999/", "Không tìm thấy thủ tục", 404),
    ("/en/embed/p/9.999999/", "Procedure not found", 404),
])
def test_the_card_is_accessible_in_both_languages(page, procedure, assert_accessible, path, heading, status):
    response = page.goto(path)
    assert response.status == status
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)
    assert [e for e in page.console_errors if "status of 404" not in e] == []
