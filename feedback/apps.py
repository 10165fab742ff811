from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = _("Questions, feedback and ratings")

    def ready(self) -> None:
        # Models are ready only now: these modules import eforms' models.
        from eforms import extensions

        from . import sections

        # "Rate this service" on My dossiers once the result is handed over
        extensions.register_section("applicant", sections.rating_section)

        from core import pagecache, pages

        from .models import Complaint, PublishedQuestion

        # Published questions show on their pages, the list and procedure
        # pages; published complaints (and one just withdrawn) on their list.
        pagecache.purge_on_change(PublishedQuestion)
        pagecache.purge_on_change(Complaint, when=_shown_in_public)
        # A procedure's page lists its published questions from the content cache.
        pages.watch(PublishedQuestion)


def _shown_in_public(complaint, update_fields=None, **kwargs) -> bool:
    return complaint.is_published or bool(update_fields and "published_at" in update_fields)
