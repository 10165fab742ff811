"""Settings shared by every environment; each value that differs between
deployments is read from the environment (see README, "Configuration")."""

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-dev-key-change-me-in-production-0123456789")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# ---------------------------------------------------------------- applications
INSTALLED_APPS = [
    # the portal's own apps, one concern each (DESIGN.md, "Layout")
    "core",
    "home",
    "procedures",
    "eforms",
    "accounts",
    "signing",
    "search",
    "notifications",
    "payments",
    "postal",
    "backoffice",
    "feedback",
    "reports",
    # the back-office API for agencies' software and open data (/api/v1/)
    "api",
    "csp",
    # Wagtail
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.table_block",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # the API's framework (its Swagger UI served from static files, not a CDN) and its OAuth 2.0 tokens
    "ninja",
    "oauth2_provider",
    # citizens' accounts
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # social and OpenID Connect login, staff second factor (see "social login, OIDC, MFA" below)
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # first: every later log line of the request carries its id
    "core.observability.RequestIdMiddleware",
    # ETag of the final body and 304 to a matching If-None-Match, cached pages included
    "django.middleware.http.ConditionalGetMiddleware",
    # the page cache's store: before every middleware that adds to Vary
    # (its lookup, core.pagecache.FetchFromCacheMiddleware, comes last)
    "core.pagecache.UpdateCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.csp.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # /api/v1/ has no language prefix: its answers follow Accept-Language (Vietnamese by default)
    "api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # the request's Wagtail site from the content cache (core.pages)
    "core.pages.CachedSiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # before any process_view (CSRF's reads request.POST): refuses an oversized body unread
    "eforms.middleware.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# ---------------------------------------------------------------- data
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the dev server and a worker write
    # side by side without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, refusing accounts whose email is not yet
# verified wherever they sign in (accounts.backends).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.PortalModelBackend",
    "accounts.backends.PortalAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    # 12 characters for staff, superusers, agency members and admin users.
    {"NAME": "accounts.validators.StaffPasswordLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Rate limits, look-up throttles and buffered search statistics live in the
# cache, so production needs one that every worker process shares:
# DJANGO_CACHE_URL=redis://127.0.0.1:6379/1 or db://portal_cache (then run
# `manage.py createcachetable`). Unset: per-process memory, for development.
SHARED_CACHE_SCHEMES = ("redis://", "rediss://", "db://")


def cache_from_url(url: str, table: str = "portal_cache") -> dict:
    """A CACHES entry from redis://…, db://<table> or locmem://."""
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("db://"):
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": url.removeprefix("db://") or table}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": url.removeprefix("locmem://")}


CACHE_URL = env_str("DJANGO_CACHE_URL", "locmem://")
CACHES = {"default": cache_from_url(CACHE_URL)}

# ---------------------------------------------------------------- page cache (core.pagecache)
# Whole pages for anonymous visitors are kept this many seconds (0: no page
# cache at all, no lookups); browsers may keep them PORTAL_PAGE_CACHE_MAX_AGE
# seconds (purges cannot reach them), a cache in front (Varnish, a CDN)
# PORTAL_PAGE_CACHE_SECONDS (s-maxage). Publishing, unpublishing, moving or
# deleting a page, or saving a snippet or the portal settings, purges them
# all: a generation number in the cache is incremented, nothing is flushed.
# The pages live in the default cache unless PORTAL_PAGE_CACHE_URL names one
# of their own (same forms as DJANGO_CACHE_URL).
PORTAL_PAGE_CACHE_SECONDS = env_int("PORTAL_PAGE_CACHE_SECONDS", 300)
PORTAL_PAGE_CACHE_MAX_AGE = env_int("PORTAL_PAGE_CACHE_MAX_AGE", 60)
PORTAL_PAGE_CACHE_URL = env_str("PORTAL_PAGE_CACHE_URL")
PORTAL_PAGE_CACHE_ALIAS = "default"
if PORTAL_PAGE_CACHE_URL:
    CACHES["pages"] = cache_from_url(PORTAL_PAGE_CACHE_URL, table="portal_page_cache")
    PORTAL_PAGE_CACHE_ALIAS = "pages"
# A cache in front of the portal, purged on publishing (wagtail.contrib.frontend_cache;
# core.frontend_cache): Varnish or any proxy that takes HTTP PURGE at
# PORTAL_FRONTEND_CACHE_URL, and/or Cloudflare. Nothing set: nothing is sent.
WAGTAILFRONTENDCACHE = {}
if FRONTEND_CACHE_URL := env_str("PORTAL_FRONTEND_CACHE_URL"):
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": FRONTEND_CACHE_URL,
    }
if CLOUDFLARE_ZONE_ID := env_str("PORTAL_CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": CLOUDFLARE_ZONE_ID,
        "BEARER_TOKEN": env_str("PORTAL_CLOUDFLARE_API_TOKEN"),
    }
# Each translation is a page of its own with its own URL (Vietnamese has no
# prefix): no rewriting of purged URLs into every language.
WAGTAILFRONTENDCACHE_LANGUAGES: list[str] = []

# The number of reverse proxies in front of the portal that each append the
# address they received a request from to X-Forwarded-For (core.client).
# 0 trusts no header; DJANGO_BEHIND_PROXY alone means one proxy. allauth's
# rate limits count with the same number.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 1 if env_bool("DJANGO_BEHIND_PROXY", False) else 0)
ALLAUTH_TRUSTED_PROXY_COUNT = PORTAL_TRUSTED_PROXY_COUNT

# ---------------------------------------------------------------- languages
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
LOCALE_PATHS = [
    BASE_DIR / "locale",
    # Vietnamese for django-allauth's own strings (allauth ships none), kept
    # apart from accounts/locale so that makemessages never drops them.
    BASE_DIR / "accounts" / "allauth_locale",
    # Vietnamese for the admin strings Wagtail's and wagtail-localize's own vi
    # catalogues leave in English; after locale/ so makemessages never writes here.
    BASE_DIR / "wagtail_locale",
]
FORMAT_MODULE_PATH = ["config.formats"]

# ---------------------------------------------------------------- files
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Dossier files, issued documents, receipts and certificates: never under
# MEDIA_ROOT, never a URL (core.storage); "private_keys" holds certificates.
PORTAL_PRIVATE_MEDIA_ROOT = Path(env_str("PORTAL_PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "core.storage.PrivateStorage"},
    "private_keys": {"BACKEND": "core.storage.PrivateStorage", "OPTIONS": {"owner_only": True}},
}
# Object storage (S3-compatible, django-storages; README "Files on object
# storage"): PORTAL_S3_BUCKET moves the public media there, under
# PORTAL_S3_MEDIA_PREFIX; the private store goes to PORTAL_S3_PRIVATE_BUCKET
# (default: the same bucket) under PORTAL_S3_PRIVATE_PREFIX, with no ACL and
# no URL. Credentials: the access key pair, else boto3's own chain (AWS_*
# variables, an instance role).
PORTAL_S3_BUCKET = env_str("PORTAL_S3_BUCKET")
PORTAL_S3_PRIVATE_BUCKET = env_str("PORTAL_S3_PRIVATE_BUCKET", PORTAL_S3_BUCKET)
PORTAL_S3_MEDIA_PREFIX = env_str("PORTAL_S3_MEDIA_PREFIX", "media").strip("/")
PORTAL_S3_PRIVATE_PREFIX = env_str("PORTAL_S3_PRIVATE_PREFIX", "private").strip("/")
PORTAL_S3_CUSTOM_DOMAIN = env_str("PORTAL_S3_CUSTOM_DOMAIN").strip("/")
_s3 = {
    "endpoint_url": env_str("PORTAL_S3_ENDPOINT_URL") or None,
    "region_name": env_str("PORTAL_S3_REGION") or None,
    "access_key": env_str("PORTAL_S3_ACCESS_KEY_ID") or None,
    "secret_key": env_str("PORTAL_S3_SECRET_ACCESS_KEY") or None,
    "addressing_style": env_str("PORTAL_S3_ADDRESSING_STYLE") or None,  # "path" for most S3-compatible servers
    "signature_version": "s3v4",
    "file_overwrite": False,  # a new image never replaces another's file
    "default_acl": None,  # the bucket's own policy decides who reads what
}
PORTAL_MEDIA_ORIGINS: list[str] = []  # where public media URLs point, for the Content-Security-Policy
if PORTAL_S3_BUCKET:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        **_s3, "bucket_name": PORTAL_S3_BUCKET, "location": PORTAL_S3_MEDIA_PREFIX,
        "custom_domain": PORTAL_S3_CUSTOM_DOMAIN or None, "querystring_auth": False}}
    if PORTAL_S3_CUSTOM_DOMAIN:
        PORTAL_MEDIA_ORIGINS = [f"https://{PORTAL_S3_CUSTOM_DOMAIN.split('/')[0]}"]
    elif _s3["endpoint_url"]:
        _endpoint = urlsplit(_s3["endpoint_url"])
        PORTAL_MEDIA_ORIGINS = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
        if _s3["addressing_style"] != "path":
            PORTAL_MEDIA_ORIGINS.append(f"{_endpoint.scheme}://{PORTAL_S3_BUCKET}.{_endpoint.netloc}")
    else:
        PORTAL_MEDIA_ORIGINS = [f"https://{PORTAL_S3_BUCKET}.s3.amazonaws.com"] + (
            [f"https://{PORTAL_S3_BUCKET}.s3.{_s3['region_name']}.amazonaws.com"] if _s3["region_name"] else [])
if PORTAL_S3_PRIVATE_BUCKET:
    if PORTAL_S3_PRIVATE_BUCKET == PORTAL_S3_BUCKET and (
            not PORTAL_S3_PRIVATE_PREFIX or not PORTAL_S3_MEDIA_PREFIX
            or f"{PORTAL_S3_PRIVATE_PREFIX}/".startswith(f"{PORTAL_S3_MEDIA_PREFIX}/")
            or f"{PORTAL_S3_MEDIA_PREFIX}/".startswith(f"{PORTAL_S3_PRIVATE_PREFIX}/")):
        raise ImproperlyConfigured(
            "PORTAL_S3_PRIVATE_PREFIX and PORTAL_S3_MEDIA_PREFIX must be two separate, non-empty prefixes when the "
            "private store shares the media bucket: dossier files would be public.")
    _private = {"BACKEND": "core.s3.PrivateS3Storage", "OPTIONS": {
        **_s3, "bucket_name": PORTAL_S3_PRIVATE_BUCKET, "location": PORTAL_S3_PRIVATE_PREFIX}}
    STORAGES["private"] = STORAGES["private_keys"] = _private
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "rtf", "txt", "csv", "zip"]

# ---------------------------------------------------------------- email
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The file backend (django.core.mail.backends.filebased.EmailBackend) writes
# every message into this folder, where a trial or a benchmark can count them.
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH") or None
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
# Seconds before a silent mail server is given up (a temporary failure, retried):
# a task waiting for ever would look like a dead worker's to requeue_stale_tasks.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Cổng dịch vụ công <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------- Wagtail
WAGTAIL_SITE_NAME = env_str("PORTAL_SITE_NAME", "Cổng dịch vụ công")
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
# No Gravatar: the admin's CSP allows no outside image (every admin page
# logged a blocked request), and a staff member's email hash has no business
# leaving the portal. Wagtail shows its default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# /admin/login/ and its password reset follow the citizens' door's rate
# limits and refuse everyone without admin access alike (accounts.admin_door).
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.admin_door.AdminLoginForm"
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "accounts.admin_door.AdminPasswordResetForm"
# ---------------------------------------------------------------- search
# Wagtail's database backend by default (SQLite FTS5 / PostgreSQL); the
# portal's Vietnamese-folding Elasticsearch 8 backend when ELASTICSEARCH_URL
# is set (search/backends/elasticsearch8.py). Run `manage.py update_index`
# after switching.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if ELASTICSEARCH_URL := env_str("ELASTICSEARCH_URL"):
    WAGTAILSEARCH_BACKENDS["default"] = {
        "BACKEND": "search.backends.elasticsearch8",
        "URLS": [ELASTICSEARCH_URL],
        "INDEX_PREFIX": env_str("ELASTICSEARCH_INDEX_PREFIX", "dvc_"),
        "TIMEOUT": env_int("ELASTICSEARCH_TIMEOUT", 5),
    }
# Query statistics and procedure page views are counted in memory and handed
# to a django-tasks task (search.stats.write_activity) at most this often
# (seconds; 0 = only by `manage.py flush_search_stats` in the same process).
SEARCH_STATS_FLUSH_SECONDS = env_int("SEARCH_STATS_FLUSH_SECONDS", 60)
# Query statistics older than this many days are deleted (flush_search_stats
# and the writing task, once a day).
PORTAL_SEARCH_STATS_RETENTION_DAYS = env_int("PORTAL_SEARCH_STATS_RETENTION_DAYS", 365)
# ---------------------------------------------------------------- end of search

# ---------------------------------------------------------------- accounts (django-allauth)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
# The sign-up form states the purpose of each piece of data and records consent.
ACCOUNT_FORMS = {"signup": "accounts.forms.PortalSignupForm"}
# One email address per account; changing it needs the new one verified first.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 2
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True  # never say whether an email has an account
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# "http" keeps the request's own scheme in emailed links; "https" forces it.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")
# Abuse resistance: allauth's rate limits, per IP and per
# account ("key" is the email typed). A limit is a sliding window in the
# cache, so a lock-out ends by itself. Production needs a cache shared by
# all workers for these to hold across processes.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("ACCOUNT_RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env_str("ACCOUNT_RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/15m/key"),
    "signup": env_str("ACCOUNT_RATE_LIMIT_SIGNUP", "10/10m/ip"),
    "signup_email": env_str("ACCOUNT_RATE_LIMIT_SIGNUP_EMAIL", "3/h/key"),
    "reset_password": env_str("ACCOUNT_RATE_LIMIT_RESET_PASSWORD", "10/15m/ip,3/15m/key"),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
# Decree 13/2023/NĐ-CP: the privacy notice citizens agree to at sign-up. Bump
# the version when the notice's text or purposes change; every consent row
# records the version agreed to.
PORTAL_PRIVACY_NOTICE_VERSION = env_str("PORTAL_PRIVACY_NOTICE_VERSION", "2025-07")
# The portal's own province (code in the list of administrative units): its
# communes are offered first in the profile's address.
PORTAL_HOME_PROVINCE_CODE = env_str("PORTAL_HOME_PROVINCE_CODE", "66")
# A JSON file with the list of provinces and communes, for a newer official
# list without a code change; by default the bundled complete two-tier list
# (34 provinces, 3,321 communes): accounts/data/administrative_units.json.
PORTAL_ADMINISTRATIVE_UNITS_FILE = env_str(
    "PORTAL_ADMINISTRATIVE_UNITS_FILE", str(BASE_DIR / "accounts" / "data" / "administrative_units.json")
)

# ---------------------------------------------------------------- social login, OpenID Connect, MFA
# Identity providers are configuration, never code: each one comes from the
# environment (below) or from a "Social application" row in the admin.
#   GOOGLE_CLIENT_ID / GOOGLE_SECRET, FACEBOOK_CLIENT_ID / FACEBOOK_SECRET
#   OIDC_PROVIDERS=vneid,keycloak   (ids: lower-case letters, digits, "-" and "_")
#   OIDC_<ID>_CLIENT_ID, OIDC_<ID>_SECRET, OIDC_<ID>_SERVER_URL (the issuer),
#   OIDC_<ID>_NAME (button label), and optionally OIDC_<ID>_SCOPES
#   ("openid profile email phone"), OIDC_<ID>_PKCE (default on),
#   OIDC_<ID>_TOKEN_AUTH_METHOD (client_secret_basic | client_secret_post),
#   OIDC_<ID>_CLAIMS (JSON: profile field -> claim name, e.g. {"id_number": "cccd"}),
#   OIDC_<ID>_VERIFIES_IDENTITY (default on: the claims mark profile fields verified).
# <ID> is the id upper-cased with "-" turned into "_".


def oidc_apps_from_env(environ=None) -> list[dict]:
    """allauth `APPS` entries for the generic OpenID Connect provider, one per
    id listed in OIDC_PROVIDERS; an id without client id or server URL is
    skipped rather than half-configured."""
    environ = os.environ if environ is None else environ
    apps = []
    for provider_id in [p.strip() for p in environ.get("OIDC_PROVIDERS", "").split(",") if p.strip()]:
        if not re.fullmatch(r"[a-z0-9_-]+", provider_id):
            raise ValueError(f"OIDC_PROVIDERS: {provider_id!r} is not a valid id (a-z, 0-9, - and _)")
        prefix = "OIDC_" + provider_id.upper().replace("-", "_") + "_"
        client_id = environ.get(prefix + "CLIENT_ID", "")
        server_url = environ.get(prefix + "SERVER_URL", "")
        if not client_id or not server_url:
            continue
        app_settings = {
            "server_url": server_url.rstrip("/"),
            "oauth_pkce_enabled": environ.get(prefix + "PKCE", "true").strip().lower() in {"1", "true", "yes", "on"},
            "verifies_identity": environ.get(prefix + "VERIFIES_IDENTITY", "true").strip().lower()
            in {"1", "true", "yes", "on"},
        }
        if scopes := environ.get(prefix + "SCOPES", ""):
            app_settings["scope"] = [s for s in re.split(r"[\s,]+", scopes) if s]
        if method := environ.get(prefix + "TOKEN_AUTH_METHOD", ""):
            app_settings["token_auth_method"] = method
        if claims := environ.get(prefix + "CLAIMS", ""):
            app_settings["claims"] = json.loads(claims)
        apps.append(
            {
                "provider_id": provider_id,
                "name": environ.get(prefix + "NAME", "") or provider_id,
                "client_id": client_id,
                "secret": environ.get(prefix + "SECRET", ""),
                "settings": app_settings,
            }
        )
    return apps


def _oauth_app(name: str) -> dict:
    """An allauth `APPS` list for Google or Facebook, empty when unset."""
    client_id = env_str(f"{name}_CLIENT_ID")
    return [{"client_id": client_id, "secret": env_str(f"{name}_SECRET")}] if client_id else []


SOCIALACCOUNT_ADAPTER = "accounts.social.PortalSocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "google": {"APPS": _oauth_app("GOOGLE"), "SCOPE": ["openid", "profile", "email"]},
    "facebook": {"APPS": _oauth_app("FACEBOOK"), "SCOPE": ["email", "public_profile"], "METHOD": "oauth2"},
    "openid_connect": {
        "APPS": oidc_apps_from_env(),
        "SCOPE": ["openid", "profile", "email", "phone"],
        "OAUTH_PKCE_ENABLED": True,
    },
}
# A provider-verified email never logs into an existing account by itself:
# the citizen signs in to that account first and connects the provider
# (allauth's connect flow), so no account is taken over by an email match.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
# One POST from our own button starts the dance (no GET-triggered logins).
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SOCIALACCOUNT_REQUESTS_TIMEOUT", 10)
# Default claim names for the profile; OIDC_<ID>_CLAIMS overrides per provider.
PORTAL_PROFILE_CLAIMS = {
    "full_name": "name",
    "date_of_birth": "birthdate",
    "id_number": "id_number",
    "phone": "phone_number",
}

# Staff reach /admin/ only after a TOTP check in the current session
# (accounts.mfa); allauth.mfa keeps the authenticators.
MFA_SUPPORTED_TYPES = ["totp"]
# One 30-second step of clock drift either way (RFC 6238 §5.2); used codes are refused.
MFA_TOTP_TOLERANCE = 1
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", WAGTAIL_SITE_NAME)
# Privileged users never delete their own authenticator (reset_second_factor does).
MFA_ADAPTER = "accounts.adapters.PortalMFAAdapter"
# Privileged sessions: logged out after this long without a request, and
# this long after the login whatever happens (then the second factor again).
PORTAL_STAFF_SESSION_IDLE_SECONDS = env_int("PORTAL_STAFF_SESSION_IDLE_SECONDS", 2 * 60 * 60)
PORTAL_STAFF_SESSION_MAX_SECONDS = env_int("PORTAL_STAFF_SESSION_MAX_SECONDS", 10 * 60 * 60)
# A one-time code to set up a first authenticator is valid this long (accounts.enrolment).
PORTAL_STAFF_ENROLMENT_CODE_HOURS = env_int("PORTAL_STAFF_ENROLMENT_CODE_HOURS", 72)
MIDDLEWARE.append("accounts.mfa.AdminSecondFactorMiddleware")
# Last: an anonymous page found in the page cache is answered here, before any view.
MIDDLEWARE.append("core.pagecache.FetchFromCacheMiddleware")

# ---------------------------------------------------------------- security
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views override this with SAMEORIGIN
# Content-Security-Policy (django-csp 4, core.csp.PortalCSPMiddleware): public
# pages run only the portal's own static files, no inline script or style.
# PORTAL_CSP_REPORT_ONLY sends the same policies as
# Content-Security-Policy-Report-Only instead, to try a change out first;
# PORTAL_CSP_REPORT_URI is where browsers send violation reports.
# PORTAL_CSP_FORM_ACTION adds origins forms may be sent to (or redirected to
# after a POST), e.g. a payment gateway; the sign-in pages add the configured
# identity providers' origins by themselves.
PORTAL_CSP_REPORT_ONLY = env_bool("PORTAL_CSP_REPORT_ONLY", False)
_csp_report_uri = env_str("PORTAL_CSP_REPORT_URI")
_csp_public = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *PORTAL_MEDIA_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'", *env_list("PORTAL_CSP_FORM_ACTION")],
        "frame-ancestors": ["'none'"],
        **({"report-uri": _csp_report_uri} if _csp_report_uri else {}),
    }
}
CONTENT_SECURITY_POLICY = None if PORTAL_CSP_REPORT_ONLY else _csp_public
CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp_public if PORTAL_CSP_REPORT_ONLY else None
# The Wagtail admin (everything under its URL, page previews included) still
# has inline scripts and styles, and the accessibility checker compiles its
# messages with `new Function`, so it gets its own, looser policy; it keeps
# plugins, <base> and framing by other sites out.
PORTAL_ADMIN_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *PORTAL_MEDIA_ORIGINS],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
    **({"report-uri": _csp_report_uri} if _csp_report_uri else {}),
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# ---------------------------------------------------------------- portal
# Decree 43 disclosure report: a kind not updated for this many days is stale.
DISCLOSURE_STALE_DAYS = env_int("PORTAL_DISCLOSURE_STALE_DAYS", 90)

# ---------------------------------------------------------------- e-forms and dossiers
# Working hours of the receiving desks, "HH:MM-HH:MM" intervals: a dossier
# arriving outside them counts from the next working moment (procedures.calendar).
PORTAL_WORKING_HOURS = env_list("PORTAL_WORKING_HOURS", "07:00-11:30,13:30-17:00")
# The dossier code (Circular 01/2018/TT-VPCP Art. 19): {unit_code} of the
# receiving unit, {date} of submission (strftime format), {seq} within the
# unit and day. Default: 000.00.00.H30-261122-0001.
PORTAL_DOSSIER_CODE_PATTERN = env_str("PORTAL_DOSSIER_CODE_PATTERN", "{unit_code}-{date:%y%m%d}-{seq:04d}")
# Upload checks (eforms.uploads): types by content, sizes in bytes.
PORTAL_UPLOAD_ALLOWED_TYPES = env_list("PORTAL_UPLOAD_ALLOWED_TYPES", "pdf,jpeg,png,docx,xlsx")
PORTAL_UPLOAD_MAX_FILE_SIZE = env_int("PORTAL_UPLOAD_MAX_FILE_SIZE", 10 * 1024 * 1024)
PORTAL_UPLOAD_MAX_FILES_PER_FIELD = env_int("PORTAL_UPLOAD_MAX_FILES_PER_FIELD", 5)
PORTAL_UPLOAD_MAX_FILES_PER_DOSSIER = env_int("PORTAL_UPLOAD_MAX_FILES_PER_DOSSIER", 30)
PORTAL_UPLOAD_MAX_DOSSIER_SIZE = env_int("PORTAL_UPLOAD_MAX_DOSSIER_SIZE", 50 * 1024 * 1024)
# DOCX and XLSX are zips: what all their members may unpack to together
# (declared sizes, bytes), and the largest compression ratio of a member
# past 1 MB (0: no ratio cap). A zip bomb is refused before it is inflated.
PORTAL_UPLOAD_OOXML_MAX_UNCOMPRESSED = env_int("PORTAL_UPLOAD_OOXML_MAX_UNCOMPRESSED", 100 * 1024 * 1024)
PORTAL_UPLOAD_OOXML_MAX_RATIO = env_int("PORTAL_UPLOAD_OOXML_MAX_RATIO", 100)
# What one citizen may upload per day (bytes, all dossiers; 0: no quota),
# and how many unsubmitted drafts they may keep per procedure (0: no cap).
PORTAL_UPLOAD_DAILY_QUOTA_BYTES = env_int("PORTAL_UPLOAD_DAILY_QUOTA_BYTES", 200 * 1024 * 1024)
PORTAL_MAX_OPEN_DRAFTS_PER_PROCEDURE = env_int("PORTAL_MAX_OPEN_DRAFTS_PER_PROCEDURE", 3)
# A request whose Content-Length is larger is answered 413 before its body is
# read (eforms.middleware). Unset: PORTAL_UPLOAD_MAX_DOSSIER_SIZE plus 3 MB
# for the form's other fields. The Wagtail admin (/admin/) has its own limit
# for editors' documents. The proxy in front should refuse earlier still
# (nginx: client_max_body_size, see README).
PORTAL_MAX_REQUEST_BODY_SIZE = env_int("PORTAL_MAX_REQUEST_BODY_SIZE", 0) or None
PORTAL_ADMIN_MAX_REQUEST_BODY_SIZE = env_int("PORTAL_ADMIN_MAX_REQUEST_BODY_SIZE", 100 * 1024 * 1024)
# Uploads of drafts never submitted are purged after this many hours
# (manage.py purge_draft_uploads, run by a scheduler).
PORTAL_DRAFT_UPLOAD_RETENTION_HOURS = env_int("PORTAL_DRAFT_UPLOAD_RETENTION_HOURS", 72)
# Virus scanning (eforms.scanning) by ClamAV's daemon: its unix socket path
# or host:port; empty turns scanning off. Seconds to wait for an answer.
PORTAL_CLAMAV_SOCKET = env_str("PORTAL_CLAMAV_SOCKET", "")
PORTAL_CLAMAV_TIMEOUT = env_int("PORTAL_CLAMAV_TIMEOUT", 30)
# Drafts (rows and files) untouched for longer are deleted by `manage.py purge_drafts`.
PORTAL_DRAFT_RETENTION_DAYS = env_int("PORTAL_DRAFT_RETENTION_DAYS", 30)
# A supplement request's default deadline, in working days after the request.
PORTAL_SUPPLEMENT_DAYS = env_int("PORTAL_SUPPLEMENT_DAYS", 5)
# The "result ready" email carries the result files of a dossier delivered
# online when together they are at most this many bytes; otherwise none
# (the applicant downloads them from My dossiers).
PORTAL_RESULT_EMAIL_MAX_BYTES = env_int("PORTAL_RESULT_EMAIL_MAX_BYTES", 10 * 1024 * 1024)

# ---------------------------------------------------------------- signed documents and /verify/ (signing)
# Agencies' certificates from the server: JSON (or the path of a JSON file)
# mapping unit codes to {"file": "<.p12 path>", "password_env": "<variable
# holding its password>"}; the admin's uploads serve the other agencies.
PORTAL_SIGNING_CERTIFICATES = env_str("PORTAL_SIGNING_CERTIFICATES", "")
# PEM files of the roots /verify/ trusts, besides the issuers found in the
# configured certificates (comma-separated paths).
PORTAL_SIGNING_TRUST_ROOTS = env_list("PORTAL_SIGNING_TRUST_ROOTS")
# An RFC 3161 time-stamp authority (http(s) URL); empty: no time stamp.
PORTAL_SIGNING_TIMESTAMP_URL = env_str("PORTAL_SIGNING_TIMESTAMP_URL", "")
# /verify/: the largest PDF it reads, and (checks, seconds) per client address.
PORTAL_VERIFY_MAX_FILE_SIZE = env_int("PORTAL_VERIFY_MAX_FILE_SIZE", 20 * 1024 * 1024)
PORTAL_VERIFY_RATE_PER_ADDRESS = (env_int("PORTAL_VERIFY_RATE_PER_ADDRESS", 20), 600)

# ---------------------------------------------------------------- background tasks (dossier emails…)
# django-tasks: the immediate backend runs a task as it is enqueued (dev,
# tests); PORTAL_TASKS_BACKEND=database (production's default) stores tasks
# for `manage.py db_worker` (package django-tasks-db) so requests only
# enqueue. Its tables exist everywhere, so switching needs no migration.
INSTALLED_APPS.append("django_tasks_db")
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
PORTAL_TASKS_BACKEND = env_str("PORTAL_TASKS_BACKEND", "immediate")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[PORTAL_TASKS_BACKEND]}}
# A task running for longer is taken for a dead worker's and made ready again
# by `manage.py requeue_stale_tasks` (home.task_queue): keep it above the
# longest a task may really take (SMTP and gateway time-outs included).
PORTAL_TASK_STALE_MINUTES = env_int("PORTAL_TASK_STALE_MINUTES", 15)

# ---------------------------------------------------------------- messages to applicants (notifications)
# SMS backend: console (log), file (JSON lines in PORTAL_SMS_FILE_DIR: the
# default, for development and the demo), http (a gateway), or a class path.
PORTAL_SMS_BACKEND = env_str("PORTAL_SMS_BACKEND", "file")
PORTAL_SMS_FILE_DIR = Path(env_str("PORTAL_SMS_FILE_DIR", str(BASE_DIR / "sms-outbox")))
PORTAL_SMS_SENDER = env_str("PORTAL_SMS_SENDER", "DVC")
# Gateways that cannot take Vietnamese letters: SMS sent without diacritics.
PORTAL_SMS_ASCII = env_bool("PORTAL_SMS_ASCII", False)
PORTAL_SMS_HTTP_URL = env_str("PORTAL_SMS_HTTP_URL")
PORTAL_SMS_HTTP_USERNAME = env_str("PORTAL_SMS_HTTP_USERNAME")  # HTTP basic auth when set
PORTAL_SMS_HTTP_PASSWORD = env_str("PORTAL_SMS_HTTP_PASSWORD")
PORTAL_SMS_HTTP_TOKEN = env_str("PORTAL_SMS_HTTP_TOKEN")  # sent as is in PORTAL_SMS_HTTP_TOKEN_HEADER
PORTAL_SMS_HTTP_TOKEN_HEADER = env_str("PORTAL_SMS_HTTP_TOKEN_HEADER", "Authorization")
# The JSON body; {to}, {text} and {sender} are filled inside its strings.
PORTAL_SMS_HTTP_PAYLOAD = env_str("PORTAL_SMS_HTTP_PAYLOAD", '{"to": "{to}", "text": "{text}", "sender": "{sender}"}')
# Empty: any 2xx answer is a success; "path=value": the JSON answer must hold value at path (e.g. "status=ok").
PORTAL_SMS_HTTP_SUCCESS = env_str("PORTAL_SMS_HTTP_SUCCESS")
PORTAL_SMS_HTTP_ID_PATH = env_str("PORTAL_SMS_HTTP_ID_PATH", "id")  # the provider's message id in the answer
PORTAL_SMS_HTTP_TIMEOUT = env_int("PORTAL_SMS_HTTP_TIMEOUT", 10)  # seconds
# Look-up by SMS (notifications.inbound): the gateway POSTs each incoming
# message to /sms/inbound/, signed with PORTAL_SMS_INBOUND_SECRET: "hmac"
# (hex HMAC-SHA256 of the raw body in PORTAL_SMS_INBOUND_HEADER, "sha256="
# prefix allowed) or "token" (the secret itself in that header). No secret:
# every request is refused. The body is form-encoded or JSON; the FIELD_*
# settings name its fields (dotted paths in JSON). The reply goes out through
# PORTAL_SMS_BACKEND, without diacritics when PORTAL_SMS_ASCII is on or the
# field PORTAL_SMS_INBOUND_FIELD_ASCII says so (1, true, yes, ascii, gsm, gsm7).
PORTAL_SMS_INBOUND_SECRET = env_str("PORTAL_SMS_INBOUND_SECRET")
PORTAL_SMS_INBOUND_AUTH = env_str("PORTAL_SMS_INBOUND_AUTH", "hmac")
PORTAL_SMS_INBOUND_HEADER = env_str("PORTAL_SMS_INBOUND_HEADER", "X-Signature")
PORTAL_SMS_INBOUND_FORMAT = env_str("PORTAL_SMS_INBOUND_FORMAT", "form")
PORTAL_SMS_INBOUND_FIELD_SENDER = env_str("PORTAL_SMS_INBOUND_FIELD_SENDER", "from")
PORTAL_SMS_INBOUND_FIELD_TEXT = env_str("PORTAL_SMS_INBOUND_FIELD_TEXT", "text")
PORTAL_SMS_INBOUND_FIELD_ID = env_str("PORTAL_SMS_INBOUND_FIELD_ID", "id")
PORTAL_SMS_INBOUND_FIELD_ASCII = env_str("PORTAL_SMS_INBOUND_FIELD_ASCII")
# Messages answered per sender number: (count, seconds).
PORTAL_SMS_INBOUND_RATE_PER_SENDER = (env_int("PORTAL_SMS_INBOUND_RATE_COUNT", 5),
                                      env_int("PORTAL_SMS_INBOUND_RATE_SECONDS", 3600))
# robots.txt says "Disallow: /" (a staging or test deployment).
PORTAL_ROBOTS_DISALLOW_ALL = env_bool("PORTAL_ROBOTS_DISALLOW_ALL", False)
# Delivery: attempts per message, the first wait before a retry (doubled
# each time), and how long a message may stay "sending" before
# `manage.py retry_messages` takes it for a dead worker's and requeues it.
PORTAL_MESSAGE_MAX_ATTEMPTS = env_int("PORTAL_MESSAGE_MAX_ATTEMPTS", 5)
PORTAL_MESSAGE_RETRY_BASE_SECONDS = env_int("PORTAL_MESSAGE_RETRY_BASE_SECONDS", 60)
PORTAL_MESSAGE_SENDING_TIMEOUT_MINUTES = env_int("PORTAL_MESSAGE_SENDING_TIMEOUT_MINUTES", 10)

# ---------------------------------------------------------------- back office: late dossiers, scheduled jobs
# The daily scan (`manage.py flag_due_dossiers`) flags an open dossier "due
# soon" when its appointment is at most this many working days away.
PORTAL_DUE_SOON_WORKING_DAYS = env_int("PORTAL_DUE_SOON_WORKING_DAYS", 2)
# `manage.py run_scheduled`: a job still marked running after this many
# minutes is taken for a dead run's, and the next due run goes ahead.
PORTAL_SCHEDULED_STALE_MINUTES = env_int("PORTAL_SCHEDULED_STALE_MINUTES", 6 * 60)

# ---------------------------------------------------------------- payments (README, "Payments")
# VNPay 2.1.0: the merchant code and secret VNPay gives, its payment page and
# its merchant API (querydr, refund); the defaults are VNPay's sandbox.
PORTAL_VNPAY_TMN_CODE = env_str("PORTAL_VNPAY_TMN_CODE")
# Providers applicants may pay with, in this order: "vnpay", "sandbox" (the
# portal's own fake bank, development and demo only). By default VNPay once
# its merchant code is set; dev.py says "sandbox".
PORTAL_PAYMENT_PROVIDERS = env_list("PORTAL_PAYMENT_PROVIDERS", "vnpay" if PORTAL_VNPAY_TMN_CODE else "")
# A payment URL expires after this many minutes (vnp_ExpireDate).
PORTAL_PAYMENT_EXPIRE_MINUTES = env_int("PORTAL_PAYMENT_EXPIRE_MINUTES", 15)
PORTAL_VNPAY_HASH_SECRET = env_str("PORTAL_VNPAY_HASH_SECRET")
PORTAL_VNPAY_PAYMENT_URL = env_str("PORTAL_VNPAY_PAYMENT_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")
PORTAL_VNPAY_API_URL = env_str("PORTAL_VNPAY_API_URL", "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction")
PORTAL_VNPAY_TIMEOUT = env_int("PORTAL_VNPAY_TIMEOUT", 15)  # seconds, for querydr and refund
# The sandbox bank's pages (/payments/sandbox/…): 404 unless on (dev.py turns
# it on). It signs with this secret and calls the portal's IPN at this base
# URL (default WAGTAILADMIN_BASE_URL).
PORTAL_PAYMENT_SANDBOX = env_bool("PORTAL_PAYMENT_SANDBOX", False)
PORTAL_PAYMENT_SANDBOX_SECRET = env_str("PORTAL_PAYMENT_SANDBOX_SECRET", "sandbox-secret-not-for-real-money")
PORTAL_PAYMENT_SANDBOX_BASE_URL = env_str("PORTAL_PAYMENT_SANDBOX_BASE_URL")
# The browser is redirected to VNPay's page after the "Pay" form's POST: the
# public pages' form-action must allow its origin.
if "vnpay" in PORTAL_PAYMENT_PROVIDERS and PORTAL_VNPAY_PAYMENT_URL:
    _vnpay = urlsplit(PORTAL_VNPAY_PAYMENT_URL)
    if _vnpay.scheme and _vnpay.netloc:
        _csp_public["DIRECTIVES"]["form-action"].append(f"{_vnpay.scheme}://{_vnpay.netloc}")

# ---------------------------------------------------------------- the API (/api/v1/, api app)
# OAuth 2.0 client credentials (django-oauth-toolkit): each API client is a
# DOT application of one agency (api.models.ApiClient). Tokens are short-lived
# bearer tokens, stored by checksum only; client secrets are hashed. The
# login tests' stand-in identity provider (tests/oidc_provider) has its own
# settings module and its own OAUTH2_PROVIDER.
# Named, so that migrations of models that point at the application (api.ApiClient) can refer to it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "dossiers:read": "Read the agency's dossiers",
        "dossiers:write": "Act on the agency's dossiers",
        "catalogue:read": "Read the procedure catalogue",
    },
    # the scopes a client may hold are its own (api.scopes), never more than SCOPES
    "SCOPES_BACKEND_CLASS": "api.scopes.ApiClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "api.oauth.ApiClientValidator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("PORTAL_API_TOKEN_SECONDS", 600),
    # RFC 9700 (OAuth 2.0 Security BCP): tokens only in the Authorization header and not stored in clear;
    # the grants and redirects the API never uses (it takes client credentials only) closed as well.
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "PKCE_REQUIRED": True,
}
# A signed download link to a dossier file lives this many seconds.
PORTAL_API_DOWNLOAD_LINK_SECONDS = env_int("PORTAL_API_DOWNLOAD_LINK_SECONDS", 300)
# Open data (no token): "requests/seconds" per client address; a client
# with the catalogue:read scope counts by client instead, at its own limit.
PORTAL_API_OPEN_RATE = env_str("PORTAL_API_OPEN_RATE", "60/60")
PORTAL_API_CLIENT_RATE = env_str("PORTAL_API_CLIENT_RATE", "600/60")
# Cache-Control max-age of the open data answers (seconds).
PORTAL_API_OPEN_MAX_AGE = env_int("PORTAL_API_OPEN_MAX_AGE", 300)
# An Idempotency-Key is remembered this many hours.
PORTAL_API_IDEMPOTENCY_HOURS = env_int("PORTAL_API_IDEMPOTENCY_HOURS", 24)
# Webhooks (api.webhooks): the receiver's answer is awaited this many
# seconds; a worker holds a delivery this long before another may take it
# again (keep it above the timeout); a failing delivery is retried for this
# many hours after its first attempt, then parked as dead. Plain http (and
# only to loopback) for tests and development only.
PORTAL_WEBHOOK_TIMEOUT_SECONDS = env_int("PORTAL_WEBHOOK_TIMEOUT_SECONDS", 10)
PORTAL_WEBHOOK_LEASE_SECONDS = env_int("PORTAL_WEBHOOK_LEASE_SECONDS", 60)
PORTAL_WEBHOOK_RETRY_HOURS = env_int("PORTAL_WEBHOOK_RETRY_HOURS", 24)
PORTAL_WEBHOOK_ALLOW_HTTP_LOOPBACK = env_bool("PORTAL_WEBHOOK_ALLOW_HTTP_LOOPBACK", False)

# PORTAL_LOG_JSON: one JSON object per line (time, level, logger, message,
# request id) for log shippers; otherwise plain lines with the request id.
PORTAL_LOG_JSON = env_bool("PORTAL_LOG_JSON", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.observability.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "json" if PORTAL_LOG_JSON else "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # Task and page-edit chatter drowns the dev server's request log.
    "loggers": {
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "modelsearch": {"level": "WARNING"},
    },
}

# Errors to Sentry (or a compatible service) when SENTRY_DSN is set; no
# personal data is sent (send_default_pii off), and each event carries the
# request id so it can be found in the logs.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    def _tag_request_id(event, hint):
        from core.observability import current_request_id

        event.setdefault("tags", {})["request_id"] = current_request_id()
        return event

    sentry_sdk.init(
        dsn=SENTRY_DSN, send_default_pii=False, before_send=_tag_request_id,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )

# Feedback and complaints (feedback app): the answer is due this many working
# days after arrival; open ones past it are overdue.
PORTAL_FEEDBACK_DAYS = env_int("PORTAL_FEEDBACK_DAYS", 10)
# ---------------------------------------------------------------- statistics
# A statistics view built less than this many seconds ago is still served
# after the facts change (reports.facts.cached_view); 0: refresh at once.
PORTAL_STATISTICS_REFRESH_SECONDS = env_int("PORTAL_STATISTICS_REFRESH_SECONDS", 60)
# ---------------------------------------------------------------- statistics demo
# How many dossiers `load_demo` makes for the statistics' demo year (reports.demo); 0: none.
PORTAL_DEMO_STATISTICS_DOSSIERS = env_int("PORTAL_DEMO_STATISTICS_DOSSIERS", 300)
