"""The back office's admin screens, menus and dashboard panels."""

from wagtail import hooks

from . import documents


# Circular 03/2025 documents: page, PDF and the control slip on demand (/admin/dossier-documents/…).
@hooks.register("register_admin_urls")
def register_document_urls():
    return documents.urlpatterns()
