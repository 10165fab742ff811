from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home")

    def ready(self):
        # Imported here, not at the top: the frame reads the app's models,
        # which are not loaded yet when this module is.
        from . import frame

        frame.connect()
