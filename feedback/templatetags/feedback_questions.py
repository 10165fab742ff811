"""`{% procedure_questions page %}`: the published questions about a
procedure, on its page (the procedures app does not import feedback)."""

from django import template
from django.utils import translation

from feedback.questions import for_procedure

register = template.Library()

#: How many are listed on the procedure's page; the rest are behind a link.
SHOWN = 5


@register.inclusion_tag("feedback/questions/includes/procedure_questions.html")
def procedure_questions(procedure):
    language = (translation.get_language() or "").split("-")[0]
    questions = list(for_procedure(procedure, language).select_related("locale")[: SHOWN + 1])
    return {
        "procedure": procedure,
        "LANGUAGE_CODE": language,
        "items": [{"object": q, "url": q.get_absolute_url(), "lang": q.locale.language_code}
                  for q in questions[:SHOWN]],
        "more": len(questions) > SHOWN,
    }
