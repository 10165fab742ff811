"""Who may see a dossier and its files (DESIGN.md, "Cross-cutting rules"):
the applicant sees their own; staff see their agency's submitted dossiers
(every role, through `accounts.services.agencies_for`); nobody else.
Views answer anyone else with 404, so a dossier's existence is not revealed."""

from __future__ import annotations

from accounts.services import agencies_for
from eforms.models import Attachment, AttachmentRole, Dossier, DossierStatus, ResultDelivery

APPLICANT = "applicant"
STAFF = "staff"


def is_agency_staff_for(user, dossier: Dossier) -> bool:
    """Staff (any role) of the dossier's receiving agency, or of the agency
    it is with for co-handling while it is there; drafts are the applicant's alone."""
    if dossier.status == DossierStatus.DRAFT or dossier.agency_id is None:
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    keys = [dossier.agency.translation_key]
    if dossier.co_handling_agency_id is not None:
        keys.append(dossier.co_handling_agency.translation_key)
    return agencies_for(user).filter(translation_key__in=keys).exists()


def result_released(attachment: Attachment) -> bool:
    """A result file reaches the applicant once issued (attached to the
    completing event) and only when the result is delivered online."""
    return attachment.event_id is not None and attachment.dossier.result_delivery == ResultDelivery.ONLINE


def dossier_access(user, dossier: Dossier) -> str | None:
    """"applicant", "staff" or None."""
    if dossier.is_applicant(user):
        return APPLICANT
    if is_agency_staff_for(user, dossier):
        return STAFF
    return None


def attachment_access(user, attachment: Attachment) -> str | None:
    """A draft upload (no dossier yet) is its uploader's only."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if attachment.dossier_id is None:
        return APPLICANT if attachment.uploaded_by_id == user.pk else None
    access = dossier_access(user, attachment.dossier)
    if access == APPLICANT and attachment.role == AttachmentRole.RESULT and not result_released(attachment):
        return None
    return access
