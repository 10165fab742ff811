"""Bulk creation of pages: the one place that uses private names of
django-treebeard and Django.

Wagtail pages are django-treebeard ``MP_Node`` rows: each page's ``path`` is
its parent's path followed by a fixed-width base-36 step. treebeard has no
public API to add many children at once (``add_child`` takes a lock and
saves one node per call), and Django's ``bulk_create`` refuses models with
multi-table inheritance such as every Wagtail page type. Importing 10,000
procedures one page at a time takes minutes, so the importer builds the
paths itself and inserts each table's rows in bulk, through:

* ``Page._str2int`` / ``Page._get_path``: treebeard's conversion between a
  path step and a position, and the path of the child at a position;
* ``QuerySet._batched_insert`` (with ``_for_write``): what ``bulk_create``
  runs per table, returning the new primary keys where the database can.

tests/procedures/test_treebeard_bulk.py checks these names, the path
alphabet and step length, and that a path built here equals the one
``add_child`` gives; it fails with a message naming this module when an
upgrade of Wagtail, treebeard or Django changes them.
"""

from __future__ import annotations

from django.db import models
from wagtail.models import Page


def last_child_position(parent: Page) -> int:
    """The position of `parent`'s last child (0 when it has none)."""
    last = (Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            .order_by("-path").values_list("path", flat=True).first())
    return Page._str2int(last[-Page.steplen:]) if last else 0


def child_path(parent: Page, position: int) -> str:
    """The tree path of `parent`'s child at `position` (1 for the first)."""
    return Page._get_path(parent.path, parent.depth + 1, position)


def insert_rows(model: type[models.Model], objs: list[models.Model], fields: list[models.Field]) -> list[tuple]:
    """INSERT `objs` into `model`'s own table only (one table of a
    multi-table model), with `fields`; returns the rows of returned primary
    keys where the database returns them (empty otherwise)."""
    queryset = model._default_manager.all()
    queryset._for_write = True
    return queryset._batched_insert(objs, fields, batch_size=None) or []
