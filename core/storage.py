"""Private file storage: dossier files, issued documents, receipts and
signing certificates never have a public URL (each app serves its files
through a view that checks who asks).

Where they live is `STORAGES["private"]` (and `STORAGES["private_keys"]`
for certificates): `PrivateStorage` under PORTAL_PRIVATE_MEDIA_ROOT by
default, `core.s3.PrivateS3Storage` when PORTAL_S3_PRIVATE_BUCKET (or
PORTAL_S3_BUCKET) is set (config/settings/base.py). Models name them
through `StorageAlias`, so a field follows the setting rather than the
storage that existed when the model was imported.
"""

from __future__ import annotations

import os
import weakref

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


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


_aliases: weakref.WeakSet[StorageAlias] = weakref.WeakSet()


class StorageAlias(LazyObject):
    """The storage `STORAGES[alias]` names, looked up on first use (like
    Django's `default_storage`) and again after STORAGES changes."""

    def __init__(self, alias: str) -> None:
        self.__dict__["alias"] = alias
        super().__init__()
        _aliases.add(self)

    def _setup(self) -> None:
        self._wrapped = storages[self.__dict__["alias"]]

    def __reduce__(self):
        return (StorageAlias, (self.__dict__["alias"],))

    def __copy__(self):
        return self  # one storage per alias, as Django's storages handler keeps

    def __deepcopy__(self, memo):
        return self


@receiver(setting_changed, dispatch_uid="core.storage.storages_changed")
def _storages_changed(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        for alias in list(_aliases):
            alias._wrapped = empty


def is_local(storage) -> bool:
    """Whether `storage` keeps its files on this machine's disk (it has a
    folder to check and paths); object storage has neither."""
    return isinstance(storage, FileSystemStorage)
