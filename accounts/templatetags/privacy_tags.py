"""The privacy notice's lists, for any template (sign-up, notice, consent)."""

from django import template

from accounts import privacy

register = template.Library()


@register.simple_tag
def privacy_data_items():
    return privacy.DATA_ITEMS


@register.simple_tag
def privacy_purposes():
    return privacy.PURPOSES
