"""Virus scanning of uploads by ClamAV's daemon (clamd), when
`PORTAL_CLAMAV_SOCKET` names its unix socket or host:port.

A file is streamed to clamd (INSTREAM) at upload time, so an applicant
whose file carries a virus is told on the same form, with the rest of the
form kept. When clamd cannot be reached the upload is kept as "pending"
and `manage.py rescan_pending_uploads` (scheduled) checks it later; until a
file is found clean, staff cannot download it. Nobody downloads a file in
which a virus was found. Anything but clamd's explicit "OK" leaves a file
not clean: the scanner failing never lets a file through.

Files stored while scanning is off are "not_required" and stay
downloadable while it stays off; once it is on, they wait for the rescan
like pending ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING

from clamav_client import get_scanner
from clamav_client.clamd import BufferTooLongError, ClamdError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from eforms.access import STAFF
from eforms.models.attachments import Attachment, ScanStatus

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from eforms.uploads import CheckedFile

logger = logging.getLogger(__name__)

#: what the rescan picks up: never scanned, or not conclusively
UNSETTLED = (ScanStatus.PENDING, ScanStatus.ERROR, ScanStatus.NOT_REQUIRED)


@dataclass(frozen=True)
class Verdict:
    status: str
    detail: str = ""
    at: datetime | None = None

    @property
    def reached_scanner(self) -> bool:
        return self.status in (ScanStatus.CLEAN, ScanStatus.INFECTED, ScanStatus.ERROR)


def enabled() -> bool:
    return bool(settings.PORTAL_CLAMAV_SOCKET)


def scan(stream: IO[bytes]) -> Verdict:
    """Stream a file to clamd. PENDING when clamd cannot be reached (try
    again later), ERROR when it answered but could not check the file."""
    if not enabled():
        return Verdict(ScanStatus.NOT_REQUIRED)
    address = settings.PORTAL_CLAMAV_SOCKET
    stream.seek(0)
    try:
        client = get_scanner(
            {"backend": "clamd", "address": address, "timeout": float(settings.PORTAL_CLAMAV_TIMEOUT)}
        ).client
        report = client.instream(stream)
    except BufferTooLongError as error:
        logger.error("clamd refused a file as too large (StreamMaxLength): %s", error)
        return Verdict(ScanStatus.ERROR, str(error)[:255], timezone.now())
    except (ClamdError, OSError, ValueError) as error:
        logger.warning("clamd at %s could not be reached: %s", address, error)
        return Verdict(ScanStatus.PENDING, str(error)[:255])
    finally:
        stream.seek(0)
    state, name = report.get("stream", (None, None))
    now = timezone.now()
    if state == "OK":
        return Verdict(ScanStatus.CLEAN, "", now)
    if state == "FOUND":
        return Verdict(ScanStatus.INFECTED, (name or "")[:255], now)
    logger.error("clamd could not check a file: %r", report)
    return Verdict(ScanStatus.ERROR, str(name or report)[:255], now)


def infected_message(name: str) -> str:
    return _(
        "“%(name)s” contains a virus or malware and was not accepted. Check your device with an up-to-date "
        "antivirus program, then upload a clean copy of the document."
    ) % {"name": name}


def scan_checked(checked: CheckedFile) -> None:
    """Scan an upload that passed the content checks, keeping the verdict
    for `record()`; a virus is a ValidationError like any other refusal."""
    checked.scan = scan(checked.upload)
    if checked.scan.status == ScanStatus.INFECTED:
        logger.warning("Upload refused: %s found in a file with SHA-256 %s", checked.scan.detail, checked.sha256)
        raise ValidationError(infected_message(checked.original_name), code="infected")


def record(attachment: Attachment, checked: CheckedFile) -> None:
    """Set the attachment's scan fields (before it is saved); a file that
    did not go through `check_uploads` is scanned here."""
    verdict = checked.scan if checked.scan is not None else scan(checked.upload)
    _apply(attachment, verdict)


def _apply(attachment: Attachment, verdict: Verdict) -> None:
    attachment.scan_status = verdict.status
    attachment.scanned_at = verdict.at
    attachment.scan_result = verdict.detail


def rescan(attachment: Attachment) -> Verdict:
    """Scan a stored file again and save the verdict, unless clamd could
    not be reached (the file keeps its status). FileNotFoundError when the
    file is gone."""
    with attachment.file.open("rb") as handle:
        verdict = scan(handle)
    if verdict.reached_scanner:
        _apply(attachment, verdict)
        attachment.save(update_fields=["scan_status", "scanned_at", "scan_result"])
        if verdict.status == ScanStatus.INFECTED:
            logger.warning("Stored file %s (attachment %s) holds %s", attachment.sha256, attachment.pk, verdict.detail)
    return verdict


def refused_download(request: HttpRequest, attachment: Attachment, access: str) -> HttpResponse | None:
    """A page instead of the file when it must not be downloaded: a virus
    was found (by anyone), or scanning is on and the file is not known
    clean (by staff; applicants may fetch back what they uploaded)."""
    infected = attachment.scan_status == ScanStatus.INFECTED
    if not infected and not (access == STAFF and enabled() and attachment.scan_status != ScanStatus.CLEAN):
        return None
    return render(request, "eforms/attachment_not_scanned.html", {"attachment": attachment, "infected": infected},
                  status=403)
