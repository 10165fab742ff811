"""Template helpers for the applying pages' fields (accessible errors and
descriptions; which markup a field needs)."""

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.templatetags.account_forms import described
from eforms.file_kinds import LABELS
from eforms.models import EFormPage

register = template.Library()

GROUPED = {"radioselect", "checkboxselectmultiple"}


@register.filter
def field_kind(field) -> str:
    """"checkbox", "group" (radio buttons, checkboxes), "address", "file" or "input"."""
    widget_type = field.widget_type
    if widget_type == "checkbox":
        return "checkbox"
    if widget_type in GROUPED:
        return "group"
    if widget_type == "address":
        return "address"
    if widget_type == "multiplefile":
        return "file"
    return "input"


# The same accessible rendering as the account forms' (aria-describedby to
# the help text and error, aria-invalid).
register.filter("described", described)


@register.filter
def attached_for(attached, name):
    """The files a draft already holds for one upload field."""
    return (attached or {}).get(name, [])


@register.filter
def upload_rules_text(field) -> str:
    """"PDF, JPEG · up to 10 MB each · up to 5 files", in the active language."""
    rules = getattr(field.field, "rules", None)
    if rules is None:
        return ""
    parts = [_("Accepted: %(types)s") % {"types": ", ".join(LABELS[k] for k in rules.allowed_types)}]
    if rules.max_file_size:
        parts.append(_("up to %(size)s each") % {"size": filesizeformat(rules.max_file_size)})
    if rules.max_files:
        parts.append(_("at most %(count)s files") % {"count": rules.max_files})
    return " · ".join(parts)


@register.simple_tag
def live_eform(procedure):
    """The procedure's live e-form (None when it has none)."""
    return EFormPage.live_for(procedure) if procedure is not None else None


@register.simple_tag
def has_live_eform(procedure) -> bool:
    """Whether the procedure has a live e-form (in some language): what the
    procedure's page asks on every request, answered from the cache."""
    return procedure is not None and procedure.translation_key in EFormPage.procedures_with_live_form()
