"""The back office's admin URLs, under /admin/backoffice/ (namespace
"backoffice"), registered by `wagtail_hooks.register_admin_urls`."""

from django.urls import path

from backoffice.views import dossier

app_name = "backoffice"

urlpatterns = [
    path("dossiers/<int:pk>/", dossier.dossier_screen, name="dossier"),
    path("dossiers/<int:pk>/act/", dossier.dossier_act, name="dossier_act"),
    path("dossiers/<int:pk>/files/<uuid:public_id>/preview/", dossier.attachment_preview,
         name="attachment_preview"),
]
