"""The applicant's e-receipt download, in My dossiers' address space
(included by config/urls.py beside payments.urls)."""

from django.urls import path

from .receipts import applicant_receipt_pdf

urlpatterns = [
    path("ho-so-cua-toi/<str:code>/bien-lai/<uuid:public_id>.pdf", applicant_receipt_pdf,
         name="payment_receipt_pdf"),
]
