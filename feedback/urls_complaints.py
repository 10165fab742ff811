from django.urls import path

from feedback.views import complaints

urlpatterns = [
    path("phan-anh-kien-nghi/", complaints.index, name="feedback_complaints"),
    path("phan-anh-kien-nghi/gui/", complaints.submit, name="feedback_complaint_new"),
    path("phan-anh-kien-nghi/da-gui/", complaints.sent, name="feedback_complaint_sent"),
    path("phan-anh-kien-nghi/tra-cuu/", complaints.track, name="feedback_track"),
]
