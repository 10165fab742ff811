# The portal's image for compose.yaml (and any container platform): the
# pinned requirements, the code, compiled catalogues and collected static
# files. Configuration comes from the environment (README, deploy/README.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --home-dir /srv/portal portal
WORKDIR /srv/portal
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=portal:portal . .
# Build-time only values: collectstatic and compilemessages need settings to load.
RUN DJANGO_SECRET_KEY=build DJANGO_CACHE_URL=redis://build:6379/0 DJANGO_ALLOWED_HOSTS=build \
    python manage.py compilemessages --ignore '.venv/*' \
    && DJANGO_SECRET_KEY=build DJANGO_CACHE_URL=redis://build:6379/0 DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
USER portal
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]
