"""The test suite: SQLite unless DATABASE_URL points at PostgreSQL."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
# e-forms and dossiers: dossier files in their own temp dir, outside MEDIA_ROOT
PORTAL_PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-private-"))
# Scanning is off unless a test turns it on against the clamd it starts.
PORTAL_CLAMAV_SOCKET = ""
# SMS go to a file in a temp dir unless a test picks another backend.
PORTAL_SMS_BACKEND = "file"
PORTAL_SMS_FILE_DIR = Path(tempfile.mkdtemp(prefix="portal-test-sms-"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
WAGTAILADMIN_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["*"]
# Search statistics and page views stay in memory until a test flushes them
# (search.stats.flush) or sets an interval of its own.
SEARCH_STATS_FLUSH_SECONDS = 0
# Payments: the sandbox bank on (tests point it and VNPay at loopback servers).
PORTAL_PAYMENT_SANDBOX = True
PORTAL_PAYMENT_PROVIDERS = ["sandbox"]
PORTAL_VNPAY_TMN_CODE = ""
PORTAL_VNPAY_HASH_SECRET = ""
# The statistics' demo year stays out of `load_demo` unless a test asks for it.
PORTAL_DEMO_STATISTICS_DOSSIERS = 0
# Statistics views refresh at every change of the facts (tests of the refresh window set it).
PORTAL_STATISTICS_REFRESH_SECONDS = 0
# The page cache is off: tests expect a fresh render of every page; the page
# cache's own tests (tests/core/test_pagecache.py) turn it on.
PORTAL_PAGE_CACHE_SECONDS = 0
