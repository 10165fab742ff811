from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Sign-in method in the session, profile from identity claims (B2).
        from . import mfa, signals, social

        signals.connect()
        mfa.register()
        social.register_admin()
