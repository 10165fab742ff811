"""The tripwire for the one module that reads modelsearch's SQLite tables
with its own SQL (search/services/database.py): the names come from
modelsearch's models, the FTS column order from the table, and a change
fails with a message that says what to update."""

from __future__ import annotations

import pytest
from django.db import connection
from modelsearch.conf import get_app_config

from search.services import database

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 engine is SQLite's")


@pytest.mark.django_db
def test_the_engine_reads_modelsearch_layout_as_it_is():
    layout = database.fts_layout()
    app_config = get_app_config()
    assert layout.fts == app_config.get_model("SQLiteFTSIndexEntry")._meta.db_table
    assert layout.entries == app_config.get_model("IndexEntry")._meta.db_table
    assert set(layout.columns) == set(database.COLUMN_WEIGHTS), (
        f"modelsearch's FTS table now has {layout.columns}: update search/services/database.py"
    )
    # weights follow the table's own column order
    assert layout.weights({"autocomplete": 0.0, "body": 1.0, "title": 8.0}).split(", ") == [
        str(database.COLUMN_WEIGHTS[column]) for column in layout.columns
    ]
    assert database.available()


def test_a_changed_column_set_fails_loudly():
    with pytest.raises(database.SearchIndexLayoutError, match="modelsearch changed its SQLite index"):
        database.check_columns("modelsearch_indexentry_fts", ("autocomplete", "body", "title", "extra"))
