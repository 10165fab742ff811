from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Messages to applicants")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Models are ready only now: the receiver module imports eforms' models.
        from notifications import signals

        signals.connect()
