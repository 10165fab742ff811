from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Imported here, not at the top: the receivers use the app's models,
        # which are not loaded yet when this module is.
        from . import signals

        signals.connect()
