"""Questions and answers (hỏi đáp).

A `Question` is what a citizen asked, with who asked it: private, seen by
editors and by the staff of the agency it was sent to
(`feedback.questions.visible_questions`). Its life:
unverified (an anonymous asker has not yet followed the emailed link) →
new → sent to the agency concerned → answered → published, or rejected.

A `PublishedQuestion` is the public version an editor publishes: the
question as edited by the editor (personal details removed), the answer,
and the procedure, field and agency it is about. It is a translatable
snippet (wagtail-localize translates it like the catalogue's agencies);
it never holds the asker's name, email or phone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from core.search_fields import folded_search_fields
from core.text import fold


class QuestionStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Email not verified yet")
    NEW = "new", _("New")
    SENT = "sent", _("Sent to the agency")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Question(models.Model):
    """One question as asked, with its asker's contact details (private)."""

    asker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    name = models.CharField(_("full name"), max_length=120)
    email = models.EmailField(_("email address"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    procedure = models.ForeignKey("procedures.ProcedurePage", verbose_name=_("procedure"),
                                  on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    field = models.ForeignKey("procedures.Field", verbose_name=_("field"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    agency = models.ForeignKey("procedures.Agency", verbose_name=_("agency concerned"), on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+")
    title = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("question"), max_length=4000)
    language = models.CharField(_("language"), max_length=8, default="vi")
    status = models.CharField(_("status"), max_length=16, choices=QuestionStatus.choices,
                              default=QuestionStatus.UNVERIFIED, db_index=True)
    answer = models.TextField(_("answer"), blank=True, max_length=8000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"),
                                    on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True, db_index=True)
    verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent to the agency at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("published or rejected at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("asker told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at"]
        permissions = [("moderate_question", _("Can moderate and publish questions"))]
        indexes = [models.Index(fields=["agency", "status"], name="feedback_question_agency_st")]

    def __str__(self) -> str:
        return self.title


class PublishedQuestion(TranslatableMixin, index.Indexed, models.Model):
    """The public version of a question and its answer."""

    question = models.ForeignKey(Question, verbose_name=_("question asked"), on_delete=models.SET_NULL,
                                 null=True, blank=True, editable=False, related_name="publications")
    title = models.CharField(_("subject"), max_length=200)
    question_text = models.TextField(_("question (public version)"),
                                     help_text=_("Without the asker's name, email, phone, ID number or address."))
    answer = models.TextField(_("answer"))
    procedure = models.ForeignKey("procedures.ProcedurePage", verbose_name=_("procedure"),
                                  on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    field = models.ForeignKey("procedures.Field", verbose_name=_("field"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    agency = models.ForeignKey("procedures.Agency", verbose_name=_("answering agency"),
                               on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    live = models.BooleanField(_("shown on the portal"), default=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now, db_index=True)
    #: question and answer folded (core.text.fold), for the plain search
    search_text = models.TextField(editable=False, blank=True)

    panels = [FieldPanel("title"), FieldPanel("question_text"), FieldPanel("answer"), FieldPanel("procedure"),
              FieldPanel("field"), FieldPanel("agency"), FieldPanel("live")]
    search_fields = folded_search_fields([
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("question_text"),
        index.SearchField("answer"),
        index.FilterField("live"),
        index.FilterField("locale_id"),
        index.FilterField("procedure"),
    ])
    # What it is about, and when, is the same in every language; only the texts are translated.
    override_translatable_fields = [
        SynchronizedField("procedure", overridable=False),
        SynchronizedField("field", overridable=False),
        SynchronizedField("agency", overridable=False),
        SynchronizedField("live", overridable=False),
        SynchronizedField("published_at", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("published question")
        verbose_name_plural = _("published questions")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # padded with spaces, so a search matches from the start of a word
        self.search_text = f" {fold(f'{self.title} {self.question_text} {self.answer}')} "
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("questions_detail", args=[self.translation_key])
