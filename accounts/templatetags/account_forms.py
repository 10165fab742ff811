"""Accessible rendering of form fields: each input is described by its help
text and its error message (WCAG 2.2: 1.3.1, 3.3.1)."""

from django import template

register = template.Library()


@register.filter
def described(field):
    """Render a bound field's widget with aria-describedby pointing at its
    help text and error, and aria-invalid when it has an error."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field) -> bool:
    return field.widget_type == "checkbox"


@register.filter
def is_choice_list(field) -> bool:
    return field.widget_type in {"radioselect", "checkboxselectmultiple"}
