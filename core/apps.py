from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What several apps share; no models. Its one start-up job: purging the
    page cache on changes to Wagtail's own content (core.pagecache)."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import pagecache

        pagecache.connect()
