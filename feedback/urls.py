"""The feedback app's public addresses (inside i18n_patterns, config/urls.py)."""

from django.urls import include, path

from .urls_questions import question_patterns

urlpatterns = [
    path("", include("feedback.urls_complaints")),
    path("", include("feedback.urls_ratings")),
    path("questions/", include(question_patterns)),
]
