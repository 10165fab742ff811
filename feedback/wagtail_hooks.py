"""The feedback app's admin screens and menus."""

from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from feedback import admin_questions
from feedback.models import PublishedQuestion
from feedback.questions import may_moderate_queue

# ---------------------------------------------------------------- feedback and complaints, ratings


@hooks.register("register_admin_urls")
def register_complaints_and_ratings_urls():
    """/admin/feedback/complaints/… and /admin/feedback/ratings/…"""
    from .views import complaints_admin, ratings_admin

    return [*complaints_admin.admin_urls(), *ratings_admin.admin_urls()]


class ComplaintsMenuItem(MenuItem):
    def is_shown(self, request):
        from .complaints import has_scope

        return has_scope(request.user)


class RatingsMenuItem(MenuItem):
    def is_shown(self, request):
        from .ratings import has_scope

        return has_scope(request.user)


@hooks.register("register_admin_menu_item")
def register_complaints_menu():
    return ComplaintsMenuItem(_("Feedback and complaints"), reverse("complaints_admin:index"),
                              name="feedback_complaints", icon_name="mail", order=180)


@hooks.register("register_admin_menu_item")
def register_ratings_menu():
    return RatingsMenuItem(_("Ratings"), reverse("ratings_admin:index"), name="feedback_ratings", icon_name="pick",
                           order=181)


@hooks.register("register_permissions")
def register_route_complaint_permission():
    """So administrators can give it to a group (Settings → Groups)."""
    return Permission.objects.filter(content_type__app_label="feedback", codename="route_complaint")
# ---------------------------------------------------------------- questions and answers


@hooks.register("register_admin_urls")
def register_question_urls():
    """The moderation queue (/admin/questions/…)."""
    return admin_questions.admin_urls()


class QuestionsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_moderate_queue(request.user)


@hooks.register("register_admin_menu_item")
def register_questions_menu_item():
    return QuestionsMenuItem(_("Questions and answers"), reverse("feedback_questions:queue"),
                             name="feedback_questions", icon_name="help", order=170)


class PublishedQuestionViewSet(SnippetViewSet):
    """Published questions as snippets: editors correct or hide them, and
    wagtail-localize translates them like the catalogue's agencies."""

    model = PublishedQuestion
    icon = "help"
    menu_label = _("Published questions")
    list_display = ["title", "published_at", "live"]
    list_filter = ["live"]


register_snippet(PublishedQuestionViewSet)
