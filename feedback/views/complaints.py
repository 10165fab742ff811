"""The citizen's side of feedback and complaints (phản ánh, kiến nghị):

* `/phan-anh-kien-nghi/`: the published ones (the editor's version, no
  personal details), newest first;
* `/phan-anh-kien-nghi/gui/`: sending one (about a procedure, an agency or,
  signed in, one of one's own dossiers);
* `/phan-anh-kien-nghi/da-gui/`: the tracking code, once, after sending (kept
  in the session, never in the address);
* `/phan-anh-kien-nghi/tra-cuu/`: tracking, with the code and the email or
  phone given; "not found" and "does not match" get the same answer, and
  look-ups are rate-limited per address and per code (the status
  look-up's throttles, `eforms.lookup`).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from eforms.lookup import RATE_PER_ADDRESS, RATE_PER_CODE, client_address, hit, limited

from .. import complaints as services
from ..complaint_forms import ComplaintForm, TrackForm
from ..models import Complaint

#: Submissions per client address: (number, seconds).
RATE_SUBMIT = (5, 3600)
SESSION_KEY = "feedback.sent_code"
PAGE_SIZE = 20


@require_safe
def index(request):
    published = Complaint.objects.published().select_related("agency").order_by("-published_at", "-pk")
    page = Paginator(published, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/complaints/index.html", {"page_obj": page})


def _initial(request) -> dict:
    initial = {}
    if request.GET.get("procedure"):
        initial.update(subject="procedure", procedure_code=request.GET["procedure"][:64])
    if request.GET.get("dossier"):
        initial.update(subject="dossier", dossier_code=request.GET["dossier"][:64])
    user = request.user
    if user.is_authenticated:
        profile = getattr(user, "profile", None)  # a missing profile raises AttributeError
        initial.setdefault("name", getattr(profile, "full_name", "") or user.get_full_name())
        initial.setdefault("email", user.email)
        initial.setdefault("phone", getattr(profile, "phone", "") or "")
    return initial


def _form_page(request, form, status=200, **extra):
    return render(request, "feedback/complaints/form.html",
                  {"form": form, "feedback_days": services.feedback_days(), **extra}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def submit(request):
    if request.method != "POST":
        form = ComplaintForm(initial=_initial(request), user=request.user)
        return _form_page(request, form)
    form = ComplaintForm(request.POST, user=request.user)
    address = client_address(request)
    if limited("feedback-submit", address, RATE_SUBMIT):
        return _form_page(request, form, 429, limited=True)
    if not form.is_valid():
        return _form_page(request, form, 400)
    hit("feedback-submit", address, RATE_SUBMIT)
    data = form.cleaned_data
    complaint = services.submit(
        subject=data["subject"], kind=data["kind"], title=data["title"], body=data["body"], name=data["name"],
        email=data["email"], phone=data["phone"], procedure=form.procedure, agency=data.get("agency"),
        dossier=form.dossier, user=request.user, may_publish=data["may_publish"], language=get_language() or "vi",
    )
    request.session[SESSION_KEY] = complaint.tracking_code
    return redirect("feedback_complaint_sent")


@require_safe
def sent(request):
    code = request.session.pop(SESSION_KEY, None)
    if not code:
        return redirect("feedback_track")
    complaint = Complaint.objects.filter(tracking_code=code).first()
    return render(request, "feedback/complaints/sent.html", {"complaint": complaint})


@require_http_methods(["GET", "HEAD", "POST"])
def track(request):
    context = {"form": TrackForm(initial={"code": request.GET.get("code", "")[:20]}),
               "rate_minutes": max(1, RATE_PER_ADDRESS[1] // 60)}
    if request.method != "POST":
        return render(request, "feedback/complaints/track.html", context)
    form = TrackForm(request.POST)
    context["form"] = form
    address = client_address(request)
    if limited("feedback-address", address, RATE_PER_ADDRESS):
        context["limited"] = True
        return render(request, "feedback/complaints/track.html", context, status=429)
    if not form.is_valid():
        return render(request, "feedback/complaints/track.html", context, status=400)
    hit("feedback-address", address, RATE_PER_ADDRESS)
    code = form.cleaned_data["code"]
    if limited("feedback-code", code, RATE_PER_CODE):
        context["limited"] = True
        return render(request, "feedback/complaints/track.html", context, status=429)
    found = services.find_for_tracking(code, form.cleaned_data["contact"])
    if found is None:
        hit("feedback-code", code, RATE_PER_CODE)
    context.update(searched=True, complaint=found, form=TrackForm(initial={"code": code}))
    return render(request, "feedback/complaints/track.html", context)
