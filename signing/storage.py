"""Where certificates live: private storage under PORTAL_PRIVATE_MEDIA_ROOT
(the same root as dossier files, which never has a public URL), in a
`signing/` folder, with files readable by the portal's user only."""

from __future__ import annotations

from core.storage import PrivateStorage

_storage = PrivateStorage(owner_only=True)


def private_storage() -> PrivateStorage:
    """A callable, so migrations do not freeze a path."""
    return _storage
