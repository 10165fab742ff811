from django.urls import path

from eforms.views import apply, files, lookup, my_dossiers

urlpatterns = [
    path("dossier-files/<uuid:public_id>/", files.attachment_download, name="dossier_attachment"),
    # the applicant's record, "My dossiers" and the public look-up
    path("ho-so/<str:code>/da-nop/", my_dossiers.dossier_submitted, name="dossier_submitted"),
    path("ho-so-cua-toi/", my_dossiers.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<str:code>/", my_dossiers.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<str:code>/rut-ho-so/", my_dossiers.withdraw, name="my_dossier_withdraw"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", my_dossiers.supplement, name="my_dossier_supplement"),
    path("ho-so-cua-toi/<str:code>/giay-tiep-nhan/", my_dossiers.record_page, name="dossier_record"),
    path("ho-so-cua-toi/<str:code>/giay-tiep-nhan.pdf", my_dossiers.record_pdf, name="dossier_record_pdf"),
    path("ho-so-cua-toi/<str:code>/van-ban/<int:pk>/", my_dossiers.document_page, name="dossier_document"),
    path("ho-so-cua-toi/<str:code>/van-ban/<int:pk>.pdf", my_dossiers.document_pdf, name="dossier_document_pdf"),
    path("lookup/", lookup.lookup, name="lookup"),
    # applying online: the e-form, its steps and the review
    path("p/<str:code>/apply/", apply.apply_start, name="procedure_apply"),
    path("p/<str:code>/apply/<uuid:draft>/review/", apply.apply_review, name="eforms_apply_review"),
    path("p/<str:code>/apply/<uuid:draft>/<slug:step>/", apply.apply_step, name="eforms_apply_step"),
    path("units/<str:province>/communes/", apply.communes, name="eforms_communes"),
]
