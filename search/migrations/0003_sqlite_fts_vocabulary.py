"""On SQLite, a read-only fts5vocab view of Wagtail's full-text index: how
many documents hold each term. The search uses it to drop the most common
words of a query that finds nothing as a whole. Nothing on other databases."""

from django.db import migrations

VOCAB = "search_fts_vocab"


def fts_table() -> str:
    from modelsearch.conf import get_app_config

    return get_app_config().get_model("IndexEntry")._meta.db_table + "_fts"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [fts_table()])
        if cursor.fetchone() is None:
            return  # no FTS5 here: Wagtail uses its fallback backend
        cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB} USING fts5vocab('{fts_table()}', 'row')")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {VOCAB}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_editor_permissions"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop)]
