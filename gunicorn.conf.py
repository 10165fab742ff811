"""gunicorn's settings for the portal (`gunicorn -c gunicorn.conf.py config.wsgi`).

Every value can be changed from the environment, so the same file serves a
laptop, one server and a pool of servers behind a load balancer
(deploy/README.md).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the portal's pages are short database-bound requests. Two per
# core plus one is gunicorn's own advice; WEB_CONCURRENCY is the common name.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Uploads of a dossier's files are the slowest requests; the proxy in front
# buffers the body (see the README's request body limit).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# The application is loaded once in the master and forked: a worker recycled
# after max_requests is serving again in milliseconds instead of the seconds
# an import of Django and Wagtail takes. A deploy restarts the master (HUP
# would fork the old code again).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in ("0", "false", "no")
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The addresses of the proxies whose X-Forwarded-* headers are believed
# (the portal's own PORTAL_TRUSTED_PROXY_COUNT decides the client address).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The request id (core.observability) is in the response headers.
access_log_format = '%(h)s %({x-request-id}o)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "portal"


def when_ready(server):
    """With preload_app the master has imported the portal before forking:
    no database connection it may have opened is handed to the workers."""
    if preload_app:
        from django.db import connections

        connections.close_all()
