from django.urls import path

from feedback.views import ratings

urlpatterns = [
    path("ho-so-cua-toi/<str:code>/danh-gia/", ratings.rate, name="dossier_rating"),
]
