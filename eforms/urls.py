from django.urls import path

from eforms import views

urlpatterns = [
    path("dossier-files/<uuid:public_id>/", views.attachment_download, name="dossier_attachment"),
]
