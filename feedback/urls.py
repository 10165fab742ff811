from django.urls import include, path

urlpatterns = [
    path("", include("feedback.urls_complaints")),
    path("", include("feedback.urls_ratings")),
]
