"""Who may see a dossier and its files (DESIGN.md, "Cross-cutting rules"):
the applicant sees their own; staff see their agency's submitted dossiers
(every role, through `accounts.services.agencies_for`); nobody else.
Views answer anyone else with 404, so a dossier's existence is not revealed."""

from __future__ import annotations

from accounts.services import agencies_for
from eforms.models import Attachment, Dossier, DossierStatus

APPLICANT = "applicant"
STAFF = "staff"


def is_agency_staff_for(user, dossier: Dossier) -> bool:
    """Staff (any role) of the dossier's receiving agency; drafts are the applicant's alone."""
    if dossier.status == DossierStatus.DRAFT or dossier.agency_id is None:
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    return agencies_for(user).filter(translation_key=dossier.agency.translation_key).exists()


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
    return dossier_access(user, attachment.dossier)
