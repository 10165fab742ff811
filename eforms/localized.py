"""Names of catalogue objects in the visitor's language."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from wagtail.models import Locale


def localized_attr(obj, attr: str) -> str:
    """The title in the active language. Dossiers point at the default
    language's copies, so in Vietnamese this costs no query."""
    if obj is None:
        return ""
    if (translation.get_language() or "").split("-")[0] == settings.LANGUAGE_CODE:
        return getattr(obj, attr)
    try:
        translated = obj.get_translation_or_none(Locale.get_active())
    except Locale.DoesNotExist:
        translated = None
    return getattr(translated or obj, attr)
