#!/bin/sh
# Back up the portal: the PostgreSQL database (pg_dump, custom format) and
# both file stores (public media and dossier files), with checksums, into
# one folder per run. Run it from cron or a systemd timer with the same
# environment as the portal (deploy/README.md, "Backups").
#   DATABASE_URL=postgres://… DJANGO_MEDIA_ROOT=… PORTAL_PRIVATE_MEDIA_ROOT=… \
#     BACKUP_DIR=/var/backups/portal deploy/backup.sh
set -eu
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
: "${DJANGO_MEDIA_ROOT:?DJANGO_MEDIA_ROOT must name the public media folder}"
: "${PORTAL_PRIVATE_MEDIA_ROOT:?PORTAL_PRIVATE_MEDIA_ROOT must name the dossier files folder}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/portal}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/$stamp"
mkdir -p "$target"
umask 077
# The database first: a file the dump names but the archive lacks is worse
# than a stray file the dump does not name.
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$target/database.dump"
tar -C "$DJANGO_MEDIA_ROOT" -czf "$target/media.tar.gz" .
tar -C "$PORTAL_PRIVATE_MEDIA_ROOT" -czf "$target/private-media.tar.gz" .
(cd "$target" && sha256sum database.dump media.tar.gz private-media.tar.gz > SHA256SUMS)
echo "$target"
