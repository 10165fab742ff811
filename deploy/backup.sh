#!/bin/sh
# Back up the portal: the PostgreSQL database (pg_dump, custom format) and
# both file stores (public media and dossier files), with checksums, into
# one folder per run. Run it from cron or a systemd timer with the same
# environment as the portal (deploy/README.md, "Backups").
#   DATABASE_URL=postgres://… DJANGO_MEDIA_ROOT=… PORTAL_PRIVATE_MEDIA_ROOT=… \
#     BACKUP_DIR=/var/backups/portal deploy/backup.sh
# A store kept in object storage (PORTAL_S3_BUCKET, PORTAL_S3_PRIVATE_BUCKET)
# has no folder to archive: the bucket's versioning (and a copy of the bucket
# elsewhere) keeps it, and this script takes the database alone for it.
set -eu
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
media_bucket=${PORTAL_S3_BUCKET:-}
private_bucket=${PORTAL_S3_PRIVATE_BUCKET:-$media_bucket}
[ -n "$media_bucket" ] || : "${DJANGO_MEDIA_ROOT:?DJANGO_MEDIA_ROOT must name the public media folder}"
[ -n "$private_bucket" ] || : "${PORTAL_PRIVATE_MEDIA_ROOT:?PORTAL_PRIVATE_MEDIA_ROOT must name the dossier files folder}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/portal}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/$stamp"
mkdir -p "$target"
umask 077
# The database first: a file the dump names but the archive lacks is worse
# than a stray file the dump does not name.
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$target/database.dump"
files=database.dump
if [ -n "$media_bucket" ]; then
  echo "public media: in bucket $media_bucket (kept by its versioning), not archived" >&2
else
  tar -C "$DJANGO_MEDIA_ROOT" -czf "$target/media.tar.gz" .
  files="$files media.tar.gz"
fi
if [ -n "$private_bucket" ]; then
  echo "dossier files: in bucket $private_bucket (kept by its versioning), not archived" >&2
else
  tar -C "$PORTAL_PRIVATE_MEDIA_ROOT" -czf "$target/private-media.tar.gz" .
  files="$files private-media.tar.gz"
fi
# shellcheck disable=SC2086 # the names have no spaces
(cd "$target" && sha256sum $files > SHA256SUMS)
echo "$target"
