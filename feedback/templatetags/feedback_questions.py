"""`{% procedure_questions page %}`: the published questions about a
procedure, on its page (the procedures app does not import feedback)."""

from django import template
from django.utils import translation

from core import pages as page_cache
from feedback.questions import for_procedure

register = template.Library()

#: How many are listed on the procedure's page; the rest are behind a link.
SHOWN = 5


def procedure_question_links(procedure, language: str) -> dict:
    """{"items": [{title, url, lang}], "more": bool}: the first questions
    about `procedure` in `language`, from the content cache (`core.pages`:
    a published question saved or deleted refreshes it)."""

    def build():
        with translation.override(language):
            questions = list(for_procedure(procedure, language).select_related("locale")[: SHOWN + 1])
            return {
                "items": [{"title": q.title, "url": q.get_absolute_url(), "lang": q.locale.language_code}
                          for q in questions[:SHOWN]],
                "more": len(questions) > SHOWN,
            }

    return page_cache.cached(f"feedback.procedure-questions.{procedure.translation_key}.{language}", build)


@register.inclusion_tag("feedback/questions/includes/procedure_questions.html")
def procedure_questions(procedure):
    language = (translation.get_language() or "").split("-")[0]
    return {"procedure": procedure, "LANGUAGE_CODE": language, **procedure_question_links(procedure, language)}
