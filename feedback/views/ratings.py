"""The applicant's rating of a returned dossier: the section on My dossiers
(`feedback.sections`) and the rating page
at `/ho-so-cua-toi/<code>/danh-gia/`. Another user's dossier is a 404
(as everywhere in My dossiers); a second rating is refused with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from eforms.views.my_dossiers import owned_dossier

from .. import ratings as services
from ..rating_forms import RatingForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request, code: str):
    dossier = owned_dossier(request, code)  # 404 for anyone but its applicant
    back = reverse("my_dossier", args=[dossier.code])
    problem = services.refusal(request.user, dossier)
    if problem:
        messages.error(request, problem)
        return redirect(back)
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rate(dossier, request.user, **form.cleaned_data)
            except services.RatingRefused as error:
                messages.error(request, str(error))
                return redirect(back)
            messages.success(request, _("Thank you: your rating has been recorded."))
            return redirect(back)
        return render(request, "feedback/ratings/form.html", {"form": form, "dossier": dossier}, status=400)
    return render(request, "feedback/ratings/form.html", {"form": form, "dossier": dossier})
