"""Private file storage: dossier files, issued documents, receipts and
signing certificates live under PORTAL_PRIVATE_MEDIA_ROOT, never under
MEDIA_ROOT, and have no public URL (each app serves its files through a
view that checks who asks)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A file system storage rooted at PORTAL_PRIVATE_MEDIA_ROOT, read on
    every use (so tests and deployments can move it), with no URL.
    `owner_only` makes files and folders readable by the portal's user only
    (private keys)."""

    def __init__(self, *, owner_only: bool = False) -> None:
        modes = {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700} if owner_only else {}
        super().__init__(base_url=None, **modes)

    @property
    def base_location(self):  # type: ignore[override]
        return settings.PORTAL_PRIVATE_MEDIA_ROOT

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a view that checks access.")
