"""Files on S3-compatible object storage (AWS S3, MinIO, Ceph, the cloud
providers' "S3-compatible" services) through django-storages, chosen by the
PORTAL_S3_* settings (config/settings/base.py; README, "Files on object
storage"). Imported only when they are set.

Public media (Wagtail images and documents, form templates) use
`storages.backends.s3.S3Storage` as it is, with plain URLs under a prefix the
bucket policy (or a CDN in front) makes readable. The private store uses
`PrivateS3Storage`: its objects are written with no ACL (the bucket's
default, private), and it refuses to make any URL, signed or not, so a
dossier file only ever leaves through the portal's permission-checked
download views (`storage.open()` → `FileResponse`).
"""

from __future__ import annotations

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    def __init__(self, **options) -> None:
        options.update(default_acl=None, querystring_auth=True, custom_domain=None)
        super().__init__(**options)

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no public URL; serve them through a view that checks access.")
