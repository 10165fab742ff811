"""Template filters for masked personal data: `{{ profile.id_number|mask_id }}`."""

from django import template

from accounts import masking

register = template.Library()

register.filter("mask_id", masking.mask_id_number)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_date", masking.mask_date)
register.filter("mask_email", masking.mask_email)


@register.simple_tag(takes_context=True)
def personal(context, owner, field, value):
    """`{% personal profile.user "id_number" profile.id_number %}`: whole for
    the signed-in owner, masked for anyone else."""
    request = context.get("request")
    return masking.for_viewer(getattr(request, "user", None), owner, field, value)


@register.filter
def verified(profile, field_name: str) -> bool:
    """`{% if profile|verified:"id_number" %}`."""
    return bool(profile) and profile.is_verified(field_name)
