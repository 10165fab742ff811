"""Where certificates live: the private store (`STORAGES["private_keys"]`:
under PORTAL_PRIVATE_MEDIA_ROOT, the same root as dossier files, which never
has a public URL, with files readable by the portal's user only; or the
private bucket), in a `signing/` folder."""

from __future__ import annotations

from core.storage import StorageAlias

_storage = StorageAlias("private_keys")


def private_storage() -> StorageAlias:
    """A callable, so migrations do not freeze a path."""
    return _storage
