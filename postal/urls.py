"""The postal app's admin URLs, under /admin/postal/ (namespace "postal"),
registered by `wagtail_hooks.register_postal_urls`."""

from django.urls import path

from . import views

app_name = "postal"

urlpatterns = [
    path("", views.JobListView.as_view(), name="jobs"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/<slug:step>/", views.StepView.as_view(), name="step"),
    path("desk/<int:pk>/confirm/", views.confirm_handover, name="confirm_handover"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("report/export.csv", views.report_export, {"fmt": "csv"}, name="report_csv"),
    path("report/export.xlsx", views.report_export, {"fmt": "xlsx"}, name="report_xlsx"),
]
