#!/bin/sh
# Restore a backup made by deploy/backup.sh into a new, empty database and
# two empty folders, then check it: `manage.py check_dossier CODE` finds a
# dossier by its code and reads its files back against their checksums.
#   deploy/restore.sh BACKUP_FOLDER DATABASE_URL MEDIA_ROOT PRIVATE_MEDIA_ROOT [DOSSIER_CODE]
# The database must exist and be empty (createdb it first); the portal's
# other settings come from the environment as usual. A store kept in object
# storage has no archive in the backup: with PORTAL_S3_* set, the check reads
# the files from the bucket (restore its objects to the dump's moment from
# the bucket's versions first, deploy/README.md "Backups").
set -eu
backup=$1 database=$2 media=$3 private=$4 code=${5:-}
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$database" "$backup/database.dump"
mkdir -p "$media" "$private"
if [ -f "$backup/media.tar.gz" ]; then tar -C "$media" -xzf "$backup/media.tar.gz"; fi
if [ -f "$backup/private-media.tar.gz" ]; then tar -C "$private" -xzf "$backup/private-media.tar.gz"; fi
if [ -n "$code" ]; then
  DATABASE_URL=$database DJANGO_MEDIA_ROOT=$media PORTAL_PRIVATE_MEDIA_ROOT=$private \
    python manage.py check_dossier "$code"
fi
