"""Tripwire for the private treebeard and Django names the bulk import of
procedures relies on (procedures/importing/treebeard_bulk.py). When an
upgrade changes them these tests fail with a message saying what to check,
instead of the import writing a broken page tree."""

from __future__ import annotations

import inspect

from django.db.models import QuerySet
from wagtail.models import Locale, Page

from procedures.importing import treebeard_bulk
from procedures.models import Field

WHY = ("procedures/importing/treebeard_bulk.py builds page paths and inserts page rows with private "
       "treebeard/Django names; an upgrade changed {what}. Re-check that module against the new "
       "treebeard MP_Node and QuerySet.bulk_create before importing procedures.")


def test_the_private_names_still_exist_with_the_same_shape():
    for owner, name in ((Page, "_str2int"), (Page, "_get_path"), (QuerySet, "_batched_insert")):
        assert callable(getattr(owner, name, None)), WHY.format(what=f"{owner.__name__}.{name} (gone)")
    parameters = list(inspect.signature(QuerySet._batched_insert).parameters)
    assert parameters[:4] == ["self", "objs", "fields", "batch_size"], WHY.format(
        what=f"QuerySet._batched_insert's parameters ({parameters})")
    assert Page.steplen == 4, WHY.format(what=f"Page.steplen ({Page.steplen})")
    assert Page.alphabet == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", WHY.format(what="Page.alphabet")
    assert Page._str2int("000A") == 10 and Page._get_path("0001", 2, 11) == "0001000B", WHY.format(
        what="the conversion between a path step and a position")


def test_a_built_path_is_the_one_add_child_gives(home_page):
    vi = Locale.objects.get(language_code="vi")
    for n in range(3):
        home_page.add_child(instance=Page(title=f"Trang {n}", slug=f"trang-{n}", locale=vi))
    home_page.refresh_from_db()
    position = treebeard_bulk.last_child_position(home_page)
    built = treebeard_bulk.child_path(home_page, position + 1)
    added = home_page.add_child(instance=Page(title="Trang cuối", slug="trang-cuoi", locale=vi))
    assert (position, built) == (3, added.path), WHY.format(what="how a child's path follows its position")


def test_insert_rows_returns_the_new_keys(db):
    vi = Locale.objects.get(language_code="vi")
    objs = [Field(name=f"Lĩnh vực {n}", code=f"lv-{n}", locale=vi, translation_key=f"{n:032x}") for n in range(3)]
    fields = [f for f in Field._meta.local_concrete_fields if not f.primary_key]
    returned = treebeard_bulk.insert_rows(Field, objs, fields)
    stored = list(Field.objects.order_by("pk").values_list("pk", flat=True))
    assert [pk for (pk,) in returned] == stored, WHY.format(what="what QuerySet._batched_insert returns")
