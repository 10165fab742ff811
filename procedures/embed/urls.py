from django.urls import path

from . import views

# Inside i18n_patterns (config/urls.py), under "embed/": `/embed/p/<code>/`
# in Vietnamese, `/en/embed/p/<code>/` in English.
urlpatterns = [
    path("p/<str:code>/", views.procedure_card, name="procedure_embed"),
]
