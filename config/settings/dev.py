"""Local development: `make run`."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list

DEBUG = env_bool("DJANGO_DEBUG", True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Payments: the portal's own sandbox bank, so the level-4 journey works offline.
PORTAL_PAYMENT_SANDBOX = env_bool("PORTAL_PAYMENT_SANDBOX", True)
PORTAL_PAYMENT_PROVIDERS = env_list("PORTAL_PAYMENT_PROVIDERS", "sandbox")

# No page cache by default: a changed template shows at once (set
# PORTAL_PAGE_CACHE_SECONDS to try it).
PORTAL_PAGE_CACHE_SECONDS = env_int("PORTAL_PAGE_CACHE_SECONDS", 0)
