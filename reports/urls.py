from django.urls import path

from reports import views

urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("download/<slug:table>.<slug:fmt>", views.statistics_download, name="statistics_download"),
]
