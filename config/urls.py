from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from oauth2_provider import views as oauth2_views
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.admin_door import AdminPasswordResetView
from api.api import api
from api.health import healthz
from home.seo import robots_txt
from home.sitemaps import sitemap
from notifications.views_inbound import sms_inbound

# Addresses that are the same in every language (DESIGN.md, "Public URLs").
urlpatterns = [
    # Wagtail's password reset with allauth's rate limits, under its own name.
    path("admin/password_reset/", AdminPasswordResetView.as_view(), name="wagtailadmin_password_reset"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # both languages with their hreflang alternates, and what crawlers should leave alone (home.seo)
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("healthz", healthz, name="healthz"),
    # the SMS gateway's webhook for the look-up by SMS (signed, no language)
    path("sms/inbound/", sms_inbound, name="sms_inbound"),
    # the payment providers' server-to-server notifications: no language
    path("payments/", include("payments.callback_urls")),
    # the back-office API and open data (api), and its OAuth 2.0 token endpoint (client credentials only)
    path("api/v1/", api.urls),
    path("o/token/", oauth2_views.TokenView.as_view(), name="oauth2_token"),
]

# Vietnamese has no prefix, English lives under /en/. Each app's own URLs
# come before Wagtail's catch-all page serving.
urlpatterns += i18n_patterns(
    path("search/", include("search.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("procedures.urls")),
    path("embed/", include("procedures.embed.urls")),
    path("", include("eforms.urls")),
    path("", include("payments.urls")),
    path("", include("payments.receipt_urls")),
    path("verify/", include("signing.urls")),
    path("", include("feedback.urls")),
    path("statistics/", include("reports.urls")),
    # Wagtail's own front-end login is Django's plain LoginView: no rate
    # limit, no verified-email rule, no second factor. Private pages already
    # send visitors to allauth's login (WAGTAIL_FRONTEND_LOGIN_URL); this
    # closes the door itself, keeping `?next=`.
    path(
        "_util/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True, permanent=False),
        name="wagtailcore_login_closed",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
