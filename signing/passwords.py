"""The passwords of uploaded PKCS#12 files, encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key
derived from SECRET_KEY by HMAC with a purpose of its own. The trade-off:
a copy of the database alone does not open the certificates, but whoever
holds both the database (or the private files) and SECRET_KEY does; and
rotating SECRET_KEY needs the old key in SECRET_KEY_FALLBACKS until every
certificate has been uploaded again. Where that is not good enough, keep
certificates out of the database: `PORTAL_SIGNING_CERTIFICATES` names the
file and the environment variable that holds its password.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

PURPOSE = "signing.AgencyCertificate.password"


def _fernet(secret: str) -> Fernet:
    key = salted_hmac(PURPOSE, "fernet-key", secret=secret, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret) for secret in secrets])


def encrypt(password: str) -> str:
    return _keys().encrypt(password.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str | None:
    """The password, or None when no key in use opens it (SECRET_KEY changed)."""
    if not token:
        return ""
    try:
        return _keys().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None
