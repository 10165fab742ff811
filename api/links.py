"""Short-lived signed links to a dossier's files and documents.

A dossier read through the API lists its attachments and Circular 03/2025
documents with a download link each: `/api/v1/files/<token>`, where the
token is signed (`TimestampSigner`) over the client, the kind and the file,
and lives PORTAL_API_DOWNLOAD_LINK_SECONDS. The download still needs the
same client's bearer token, and the file's dossier must still be of the
client's agency; an expired link answers 410, anything else wrong 404.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "api.download"
ATTACHMENT, DOCUMENT = "a", "d"


class LinkExpired(Exception):
    pass


class BadLink(Exception):
    pass


def make(request, client, kind: str, ident) -> tuple[str, dt.datetime]:
    token = signing.TimestampSigner(salt=SALT).sign_object({"c": client.pk, "k": kind, "i": str(ident)})
    url = request.build_absolute_uri(reverse("api_v1:api_file_download", kwargs={"token": token}))
    return url, timezone.now() + dt.timedelta(seconds=settings.PORTAL_API_DOWNLOAD_LINK_SECONDS)


def read(token: str) -> dict:
    try:
        value = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.PORTAL_API_DOWNLOAD_LINK_SECONDS)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except (signing.BadSignature, ValueError) as error:
        raise BadLink from error
    if not isinstance(value, dict) or value.get("k") not in (ATTACHMENT, DOCUMENT):
        raise BadLink
    return value
