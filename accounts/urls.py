from django.urls import include, path

from . import views

# No app_name: allauth's URL names (account_login, account_signup…) stay
# global, as the rest of the portal expects.
urlpatterns = [
    path("profile/", views.profile, name="accounts_profile"),
    path("profile/edit/", views.profile_edit, name="accounts_profile_edit"),
    path("privacy/", views.my_data, name="accounts_my_data"),
    path("privacy/notice/", views.privacy_notice, name="accounts_privacy_notice"),
    path("privacy/consent/", views.consent, name="accounts_consent"),
    path("privacy/export/", views.export_data, name="accounts_export"),
    path("privacy/delete/", views.delete_account, name="accounts_delete"),
    path("staff-invitation/<str:token>/", views.staff_invitation, name="accounts_staff_invitation"),
    path("", include("allauth.urls")),
]
