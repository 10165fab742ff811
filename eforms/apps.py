from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _
from wagtail.signals import page_published


class EformsConfig(AppConfig):
    name = "eforms"
    verbose_name = _("E-forms and dossiers")

    def ready(self) -> None:
        # Imported here, not at the top: models and the modules that use
        # them can only load once the app registry is ready. They register
        # the system checks, the receipt email on submission, and the
        # dossiers' part of the data export and of account deletion.
        from eforms import checks, notifications, privacy  # noqa: F401
        from eforms.models.attachments import Attachment, delete_stored_file
        from eforms.models.forms import version_on_publish

        post_delete.connect(delete_stored_file, sender=Attachment, dispatch_uid="eforms_delete_stored_file")
        page_published.connect(version_on_publish, dispatch_uid="eforms_version_on_publish")
