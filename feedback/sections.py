"""What feedback adds to a dossier's pages (`eforms.extensions`, registered
in `feedback.apps`): on the applicant's page, once the result is handed
over, the invitation to rate the service, or the rating given."""

from __future__ import annotations

from django.urls import reverse

from eforms.extensions import Section
from eforms.models import DossierStatus

from .models import Rating


def rating_section(request, dossier) -> Section | None:
    if dossier.status != DossierStatus.RETURNED or not dossier.is_applicant(request.user):
        return None
    rating = Rating.objects.filter(dossier=dossier).first()
    return Section("feedback/ratings/applicant_section.html", {
        "dossier": dossier, "rating": rating,
        "rate_url": reverse("dossier_rating", args=[dossier.code]) if rating is None else "",
    })
