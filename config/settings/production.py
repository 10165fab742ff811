"""Production: every secret and host comes from the environment.

`DJANGO_SETTINGS_MODULE=config.settings.production manage.py check --deploy`
passes with no warning once DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
DJANGO_CACHE_URL are set.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")

# Rate limits and throttles count in the cache: a per-process cache would
# give each worker its own counters and multiply every limit by their number.
if not CACHE_URL.startswith(SHARED_CACHE_SCHEMES):
    raise ImproperlyConfigured(
        "DJANGO_CACHE_URL must name a cache shared by every worker in production (redis://… or db://…)."
    )
# Likewise the page cache's own, when it has one: a purge must reach every worker.
if PORTAL_PAGE_CACHE_URL and not PORTAL_PAGE_CACHE_URL.startswith(SHARED_CACHE_SCHEMES):
    raise ImproperlyConfigured(
        "PORTAL_PAGE_CACHE_URL must name a cache shared by every worker in production (redis://… or db://…)."
    )

# Keep database connections open between requests (a new PostgreSQL
# connection costs more than most pages' queries); Django checks one that
# has been idle before reusing it, so a restarted database server costs one
# failed check, not an error page.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_DB_CONN_MAX_AGE", 600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS everywhere; a proxy that terminates TLS sets X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Background work (receipt emails, search statistics) never runs inside a
# request in production: it waits in the database for `manage.py db_worker`.
PORTAL_TASKS_BACKEND = env_str("PORTAL_TASKS_BACKEND", "database")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[PORTAL_TASKS_BACKEND]}}
