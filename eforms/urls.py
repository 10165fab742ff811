from django.urls import path

from eforms import apply, views

urlpatterns = [
    path("dossier-files/<uuid:public_id>/", views.attachment_download, name="dossier_attachment"),
    # applying online: the e-form, its steps and the review (engineer E)
    path("p/<str:code>/apply/", apply.apply_start, name="procedure_apply"),
    path("p/<str:code>/apply/<uuid:draft>/review/", apply.apply_review, name="eforms_apply_review"),
    path("p/<str:code>/apply/<uuid:draft>/<slug:step>/", apply.apply_step, name="eforms_apply_step"),
    path("units/<str:province>/communes/", apply.communes, name="eforms_communes"),
]
