"""The moderation queue of questions in the Wagtail admin
(/admin/questions/…).

Editors see every verified question and take every step: send to the
agency concerned, answer, publish a public version, reject. Agency staff
see only the questions sent to their agencies and write the answer
(`feedback.questions.visible_questions` is the one filter; a question
outside it is a 404 on every view).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from eforms.localized import localized_attr

from . import questions as service
from .forms_questions import AnswerForm, PublishForm, RejectForm, SendForm
from .models import QuestionStatus

NAMESPACE = "feedback_questions"
QUEUE_TITLE = gettext_lazy("Questions and answers")


class QueueMixin(WagtailAdminTemplateMixin):
    header_icon = "help"

    def dispatch(self, request, *args, **kwargs):
        if not service.may_moderate_queue(request.user):
            raise PermissionDenied
        self.editor = service.is_editor(request.user)
        return super().dispatch(request, *args, **kwargs)


class QueueView(QueueMixin, TemplateView):
    template_name = "feedback/questions/admin/queue.html"
    page_title = QUEUE_TITLE

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = service.visible_questions(self.request.user)
        status = self.request.GET.get("status", "")
        statuses = [s for s in QuestionStatus if s != QuestionStatus.UNVERIFIED]
        if status not in {s.value for s in statuses}:
            status = QuestionStatus.NEW if self.editor else QuestionStatus.SENT
        counts = {row["status"]: row["n"] for row in visible.values("status").annotate(n=Count("pk"))}
        page_obj = Paginator(visible.filter(status=status).select_related("procedure", "agency", "field")
                             .order_by("created_at"), 50).get_page(self.request.GET.get("page"))
        context.update(
            status=status, page_obj=page_obj, editor=self.editor,
            tabs=[{"value": s.value, "label": s.label, "count": counts.get(s.value, 0)} for s in statuses],
        )
        return context


class QuestionView(QueueMixin, TemplateView):
    """One question: what was asked, by whom (staff and editors only), and
    the forms of the steps the user may take from its status."""

    template_name = "feedback/questions/admin/question.html"

    def dispatch(self, request, *args, **kwargs):
        if not service.may_moderate_queue(request.user):
            raise PermissionDenied
        self.editor = service.is_editor(request.user)
        self.question = get_object_or_404(
            service.visible_questions(request.user).select_related("procedure", "field", "agency", "answered_by"),
            pk=kwargs["pk"])
        return super(QueueMixin, self).dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.question.title

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse(f"{NAMESPACE}:queue"), "label": QUEUE_TITLE},
                {"url": "", "label": self.question.title}]

    def forms(self, data=None, action=None):
        q = self.question
        user = self.request.user
        forms = {}
        if self.editor and q.status in (QuestionStatus.NEW, QuestionStatus.SENT):
            forms["send"] = SendForm(data if action == "send" else None, prefix="send",
                                     initial={"agency": q.agency_id})
        if service.may_answer(user, q):
            forms["answer"] = AnswerForm(data if action == "answer" else None, prefix="answer",
                                         initial={"answer": q.answer})
        if self.editor and q.status == QuestionStatus.ANSWERED:
            forms["publish"] = PublishForm(data if action == "publish" else None, prefix="publish", initial={
                "title": service.mask_asker(q.title, q),
                "question_text": service.mask_asker(q.body, q),
                "answer": service.mask_asker(q.answer, q),
            })
        if self.editor and q.status in (QuestionStatus.NEW, QuestionStatus.SENT, QuestionStatus.ANSWERED):
            forms["reject"] = RejectForm(data if action == "reject" else None, prefix="reject")
        return forms

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(forms=self.forms()))

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        forms = self.forms(request.POST, action)
        form = forms.get(action)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            c = form.cleaned_data
            user = request.user
            try:
                if action == "send":
                    service.send_to_agency(self.question, c["agency"], user)
                    messages.success(request, _("The question was sent to %(agency)s.") % {"agency": c["agency"]})
                elif action == "answer":
                    service.answer(self.question, c["answer"], user)
                    messages.success(request, _("The answer was saved. An editor publishes it."))
                elif action == "publish":
                    service.publish(self.question, title=c["title"], question_text=c["question_text"],
                                    answer_text=c["answer"], user=user)
                    messages.success(request, _("The question and its answer are published; the asker is told."))
                elif action == "reject":
                    service.reject(self.question, c["reason"], user)
                    messages.success(request, _("The question was rejected."))
            except service.QuestionError as error:
                form.add_error(None, error.message)
            else:
                return redirect(f"{NAMESPACE}:question", pk=self.question.pk)
        return self.render_to_response(self.get_context_data(forms=forms, failed=action), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = self.question
        context.update(
            question=q, editor=self.editor,
            procedure_title=localized_attr(q.procedure, "title") if q.procedure else "",
            publications=list(q.publications.select_related("locale")),
        )
        return context


urlpatterns = [
    path("", QueueView.as_view(), name="queue"),
    path("<int:pk>/", QuestionView.as_view(), name="question"),
]


def admin_urls():
    return [path("questions/", include((urlpatterns, NAMESPACE), namespace=NAMESPACE))]
