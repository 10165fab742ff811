from django.urls import path

from . import views

# Inside i18n_patterns (config/urls.py): `/p/<code>/` in Vietnamese, `/en/p/<code>/` in English.
urlpatterns = [
    path("p/<str:code>/", views.procedure_permalink, name="procedure_permalink"),
]
