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

        # A procedure's page lists its published questions from the content cache.
        from core import pages

        from .models import PublishedQuestion

        pages.watch(PublishedQuestion)
