"""Each landmark of a page can be told apart: two search forms on one page
(the header's and the page's own) carry different accessible names, or a
screen reader's landmark list shows "search" twice (axe's landmark-unique)."""

from html.parser import HTMLParser

import pytest
from django.test import Client

pytestmark = pytest.mark.usefixtures("vietnamese")


class Landmarks(HTMLParser):
    """Search landmarks with their names, and every element's text by id."""

    def __init__(self):
        super().__init__()
        self.searches = []
        self.text_by_id = {}
        self._open = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("role") == "search" or tag == "search":
            self.searches.append(attrs)
        if attrs.get("id") and tag not in ("input", "img", "br"):
            self.text_by_id[attrs["id"]] = ""
            self._open.append((tag, attrs["id"]))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        for _tag, element_id in self._open:
            self.text_by_id[element_id] += data

    def names(self):
        def name(attrs):
            if attrs.get("aria-labelledby"):
                return " ".join(self.text_by_id.get(i, "").strip() for i in attrs["aria-labelledby"].split())
            return (attrs.get("aria-label") or "").strip()

        return [name(attrs) for attrs in self.searches]


def search_landmark_names(response):
    parser = Landmarks()
    parser.feed(response.content.decode())
    return parser.names()


@pytest.mark.parametrize("path", ["/search/", "/search/?q=khai+sinh", "/khong-co-trang-nay/", "/en/search/"])
def test_search_landmarks_have_distinct_names(home_page, path):
    response = Client().get(path)
    assert response.status_code in (200, 404)
    names = search_landmark_names(response)
    assert len(names) == 2, names  # the header's and the page's own
    assert len(set(names)) == len(names), f"{path}: search landmarks share a name: {names}"
    assert any(names), names
