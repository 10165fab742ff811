"""Questions and answers: the rules every way in shares.

* Asking: `ask` stores the question; a signed-in asker's goes straight to
  the queue, an anonymous asker's waits until they follow the signed,
  expiring link emailed to them (`verification_token` / `verify`).
* Who sees which questions (`visible_questions`): editors (the
  `feedback.moderate_question` permission, held by Wagtail's Editors and
  Moderators) see every verified question; agency staff see the questions
  sent to their agencies (any role, every locale's copy of the agency, as
  `accounts.services.agencies_for` says); anyone else none.
* The moderation steps (`send_to_agency`, `answer`, `publish`, `reject`)
  each check the status they start from and who may take them.
* Publishing makes a `PublishedQuestion` in the default language from the
  editor's public text (`mask_personal_data` makes the first draft of it)
  and tells the asker by email, through a background task.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Locale

from accounts.services import agencies_for
from core.tasks import task
from core.text import fold
from eforms.lookup import hit, limited
from eforms.record import site_base_url
from notifications.mail import send_email
from procedures.models import Agency, ProcedurePage

from .models import PublishedQuestion, Question, QuestionStatus

logger = logging.getLogger(__name__)

#: How long the emailed link that confirms an anonymous asker's address works.
VERIFY_MAX_AGE = 60 * 60 * 48
VERIFY_SALT = "feedback.questions.verify"
#: (questions, seconds) per client address, and per email address.
RATE_PER_ADDRESS = (5, 3600)
RATE_PER_EMAIL = (3, 3600)

MODERATE = "feedback.moderate_question"


class QuestionError(Exception):
    """A step the question's status or the user's role does not allow."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# ---------------------------------------------------------------- personal data


_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Vietnamese phones: 0 or +84/84 then 9 digits, with spaces, dots or dashes between groups.
_PHONE_RE = re.compile(r"(?<![\w])(?:\+84|0084|84|0)(?:[\s.\-]?\d){9}(?![\w])")
# Identity numbers: 12 digits (citizen identity card) or 9 digits (old ID card).
_ID_RE = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")


def mask_personal_data(text: str) -> str:
    """The first pass an editor starts from: emails, phone numbers and 9- or
    12-digit ID numbers replaced by a placeholder. The editor still reads
    and edits the text (names and addresses are not found by a pattern)."""
    if not text:
        return ""
    text = _EMAIL_RE.sub(_("[email removed]"), text)
    text = _PHONE_RE.sub(_("[phone removed]"), text)
    return _ID_RE.sub(_("[number removed]"), text)


def mask_asker(text: str, question: Question) -> str:
    """`mask_personal_data`, and the asker's own name wherever it appears."""
    text = mask_personal_data(text)
    name = (question.name or "").strip()
    if len(name) >= 3:
        text = re.sub(re.escape(name), _("[name removed]"), text, flags=re.IGNORECASE)
    return text


# ---------------------------------------------------------------- who sees what


def is_editor(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(MODERATE))


def staff_agency_ids(user) -> list[int]:
    """Every locale copy's pk of the agencies `user` works for (any role)."""
    keys = agencies_for(user).values("translation_key")
    return list(Agency.objects.filter(translation_key__in=keys).values_list("pk", flat=True))


def visible_questions(user) -> QuerySet[Question]:
    questions = Question.objects.exclude(status=QuestionStatus.UNVERIFIED)
    if not user.is_authenticated or not user.is_active:
        return questions.none()
    if is_editor(user):
        return questions
    agency_ids = staff_agency_ids(user)
    if not agency_ids:
        return questions.none()
    return questions.filter(agency_id__in=agency_ids,
                            status__in=[QuestionStatus.SENT, QuestionStatus.ANSWERED, QuestionStatus.PUBLISHED])


def may_moderate_queue(user) -> bool:
    """Whether `user` has any question screen at all."""
    return is_editor(user) or bool(staff_agency_ids(user))


def may_answer(user, question: Question) -> bool:
    if question.status not in (QuestionStatus.NEW, QuestionStatus.SENT, QuestionStatus.ANSWERED):
        return False
    if is_editor(user):
        return True
    return question.status != QuestionStatus.NEW and visible_questions(user).filter(pk=question.pk).exists()


# ---------------------------------------------------------------- asking


def rate_limited(address: str, email: str) -> bool:
    return limited("question-address", address, RATE_PER_ADDRESS) or (
        bool(email) and limited("question-email", email.lower(), RATE_PER_EMAIL))


def count_attempt(address: str, email: str) -> None:
    hit("question-address", address, RATE_PER_ADDRESS)
    if email:
        hit("question-email", email.lower(), RATE_PER_EMAIL)


def default_locale_copy(obj):
    """The default language's copy of a translatable object (or itself)."""
    if obj is None:
        return None
    default = Locale.get_default()
    if obj.locale_id == default.pk:
        return obj
    return obj.get_translation_or_none(default) or obj


def ask(*, user, name: str, email: str, phone: str, title: str, body: str, procedure=None, field=None,
        language: str | None = None) -> Question:
    """Store a question. A signed-in asker's is queued at once; an
    anonymous asker's waits for the emailed link (sent after commit)."""
    procedure = default_locale_copy(procedure)
    field = default_locale_copy(field)
    if field is None and procedure is not None:
        field = procedure.field
    signed_in = user is not None and user.is_authenticated
    now = timezone.now()
    question = Question.objects.create(
        asker=user if signed_in else None, name=name, email=email, phone=phone, title=title, body=body,
        procedure=procedure, field=field, agency=procedure.agency if procedure is not None else None,
        language=(language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0],
        status=QuestionStatus.NEW if signed_in else QuestionStatus.UNVERIFIED,
        verified_at=now if signed_in else None,
    )
    if not signed_in:
        transaction.on_commit(lambda: send_verification.enqueue(question.pk, site_base_url()))
    return question


def verification_token(question: Question) -> str:
    return signing.TimestampSigner(salt=VERIFY_SALT).sign(f"{question.pk}:{question.email.lower()}")


def verify(token: str) -> Question | None:
    """The question a valid, unexpired link confirms (queued now if it
    waited); None for a bad or expired link or a question no longer there."""
    try:
        value = signing.TimestampSigner(salt=VERIFY_SALT).unsign(token, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    pk, _sep, email = value.partition(":")
    if not pk.isdigit():
        return None
    with transaction.atomic():
        question = Question.objects.select_for_update().filter(pk=int(pk)).first()
        if question is None or question.email.lower() != email:
            return None
        if question.status == QuestionStatus.UNVERIFIED:
            question.status = QuestionStatus.NEW
            question.verified_at = timezone.now()
            question.save(update_fields=["status", "verified_at"])
    return question


def purge_unverified(now=None) -> int:
    """Delete the questions still unconfirmed after the link expired."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=VERIFY_MAX_AGE)
    deleted, _by_model = Question.objects.filter(status=QuestionStatus.UNVERIFIED, created_at__lt=cutoff).delete()
    return deleted


@task()
def send_verification(question_id: int, base_url: str = "") -> bool:
    """Email the asker the link that confirms the question. Run twice (a
    requeued task), it sends the same link again: harmless, and better than
    a question that can never be confirmed."""
    question = Question.objects.filter(pk=question_id, status=QuestionStatus.UNVERIFIED).first()
    if question is None:
        return False
    with translation.override(question.language):
        link = (base_url or site_base_url()).rstrip("/") + reverse("questions_verify",
                                                                   args=[verification_token(question)])
        subject = _("Confirm your question to the public-services portal")
        body = _(
            "Hello %(name)s,\n\nYou asked a question on the public-services portal: \"%(title)s\".\n"
            "To send it, confirm your email address by opening this link within %(hours)s hours:\n\n%(link)s\n\n"
            "If you did not ask it, ignore this email: the question will not be sent."
        ) % {"name": question.name, "title": question.title, "hours": VERIFY_MAX_AGE // 3600, "link": link}
        send_email(question.email, subject, body, question.language)
    return True


# ---------------------------------------------------------------- moderation


def _locked(question: Question) -> Question:
    return Question.objects.select_for_update().get(pk=question.pk)


def send_to_agency(question: Question, agency: Agency, user) -> Question:
    if not is_editor(user):
        raise QuestionError(gettext_lazy("Only editors send questions to agencies."))
    with transaction.atomic():
        question = _locked(question)
        if question.status not in (QuestionStatus.NEW, QuestionStatus.SENT):
            raise QuestionError(gettext_lazy("Only a new question can be sent to an agency."))
        question.agency = default_locale_copy(agency)
        question.status = QuestionStatus.SENT
        question.sent_at = timezone.now()
        question.save(update_fields=["agency", "status", "sent_at"])
    return question


def answer(question: Question, text: str, user) -> Question:
    with transaction.atomic():
        question = _locked(question)
        if not may_answer(user, question):
            raise QuestionError(gettext_lazy("You cannot answer this question."))
        if not text.strip():
            raise QuestionError(gettext_lazy("Write the answer."))
        question.answer = text.strip()
        question.answered_by = user
        question.answered_at = timezone.now()
        question.status = QuestionStatus.ANSWERED
        question.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    return question


def reject(question: Question, reason: str, user) -> Question:
    if not is_editor(user):
        raise QuestionError(gettext_lazy("Only editors reject questions."))
    with transaction.atomic():
        question = _locked(question)
        if question.status in (QuestionStatus.PUBLISHED, QuestionStatus.REJECTED, QuestionStatus.UNVERIFIED):
            raise QuestionError(gettext_lazy("This question can no longer be rejected."))
        question.status = QuestionStatus.REJECTED
        question.rejection_reason = reason.strip()
        question.closed_at = timezone.now()
        question.save(update_fields=["status", "rejection_reason", "closed_at"])
    return question


def publish(question: Question, *, title: str, question_text: str, answer_text: str, user) -> PublishedQuestion:
    """Publish the editor's public version; the asker is told after commit."""
    if not is_editor(user):
        raise QuestionError(gettext_lazy("Only editors publish questions."))
    with transaction.atomic():
        question = _locked(question)
        if question.status != QuestionStatus.ANSWERED:
            raise QuestionError(gettext_lazy("Only an answered question can be published."))
        now = timezone.now()
        published = PublishedQuestion.objects.create(
            question=question, title=title.strip(), question_text=question_text.strip(),
            answer=answer_text.strip(), procedure=question.procedure, field=question.field,
            agency=question.agency, published_at=now, locale=Locale.get_default(),
        )
        question.status = QuestionStatus.PUBLISHED
        question.closed_at = now
        question.save(update_fields=["status", "closed_at"])
        transaction.on_commit(lambda: notify_answered.enqueue(question.pk, site_base_url()))
    return published


@task()
def notify_answered(question_id: int, base_url: str = "") -> bool:
    """Email the asker the answer and the link to the published Q&A, once."""
    with transaction.atomic():
        question = Question.objects.select_for_update().filter(pk=question_id).first()
        if question is None or question.notified_at is not None or not question.email:
            return False
        question.notified_at = timezone.now()
        question.save(update_fields=["notified_at"])
    published = question.publications.filter(locale=Locale.get_default()).first()
    with translation.override(question.language):
        link = ""
        if published is not None:
            link = (base_url or site_base_url()).rstrip("/") + published.get_absolute_url()
        subject = _("Your question has been answered: %(title)s") % {"title": question.title}
        body = _("Hello %(name)s,\n\nYour question \"%(title)s\" has been answered:\n\n%(answer)s\n") % {
            "name": question.name, "title": question.title, "answer": question.answer}
        if link:
            body += "\n" + _("The question and its answer are published, without your personal details, at %(link)s") % {
                "link": link}
        try:
            send_email(question.email, subject, body, question.language)
        except Exception:
            # sent at most once: a failure is logged, and the moderator sees no "told" date
            Question.objects.filter(pk=question.pk).update(notified_at=None)
            logger.exception("Question %s: could not email the asker", question.pk)
            return False
    return True


# ---------------------------------------------------------------- published questions


def published_questions(language: str | None = None) -> QuerySet[PublishedQuestion]:
    """Live published Q&As in `language`: its translations, and the default
    language's version of those not translated yet."""
    live = PublishedQuestion.objects.filter(live=True)
    default = Locale.get_default()
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    locale = Locale.objects.filter(language_code=code).first()
    if locale is None or locale.pk == default.pk:
        return live.filter(locale=default)
    translated = live.filter(locale=locale).values("translation_key")
    return live.filter(Q(locale=locale) | Q(locale=default) & ~Q(translation_key__in=translated))


def search_published(query: str, language: str | None = None) -> QuerySet[PublishedQuestion]:
    """Every folded word of `query` at the start of a word of the folded
    question and answer ("dang ky" finds "Đăng ký")."""
    results = published_questions(language)
    for word in fold(query).split()[:10]:
        results = results.filter(search_text__contains=f" {word}")
    return results


def for_procedure(procedure: ProcedurePage, language: str | None = None) -> QuerySet[PublishedQuestion]:
    return published_questions(language).filter(procedure__translation_key=procedure.translation_key)
