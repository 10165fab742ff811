"""Where certificates live: private storage under PORTAL_PRIVATE_MEDIA_ROOT
(the same root as dossier files, which never has a public URL), in a
`signing/` folder, with files readable by the portal's user only."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A file system storage rooted at PORTAL_PRIVATE_MEDIA_ROOT, read on
    every use (so tests and deployments can move it), with no URL."""

    def __init__(self) -> None:
        super().__init__(base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self):  # type: ignore[override]
        return settings.PORTAL_PRIVATE_MEDIA_ROOT

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Signing certificates have no URL.")


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """A callable, so migrations do not freeze a path."""
    return _storage
