"""The applicant's payment pages, inside the language prefix (/… and /en/…)."""

from django.urls import path

from . import views

urlpatterns = [
    path("ho-so-cua-toi/<str:code>/thanh-toan/", views.start, name="payment_start"),
    path("thanh-toan/<uuid:public_id>/", views.payment_return, name="payment_return"),
]
