"""Render Django form fields as GOV.UK Frontend components."""

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()


def _kind(field: BoundField) -> str:
    widget = field.field.widget
    # First: Django's CheckboxSelectMultiple is a subclass of RadioSelect.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.MultiWidget):
        return "date"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


@register.inclusion_tag("fields/field.html")
def govuk_field(
    field: BoundField, hint: str = "", label_class: str = "govuk-label--s", width: str = ""
) -> dict[str, object]:
    return {
        "field": field,
        "kind": _kind(field),
        "hint": hint or field.help_text,
        "label_class": label_class,
        "width": width,
        "errors": field.errors,
        "hint_id": f"{field.auto_id}-hint",
        "error_id": f"{field.auto_id}-error",
    }


@register.inclusion_tag("fields/error_summary.html")
def govuk_error_summary(form: forms.Form) -> dict[str, object]:
    return {"items": form.error_summary() if form.is_bound else []}  # type: ignore[attr-defined]


@register.filter
def subwidget_value(field: BoundField, index: int) -> str:
    value = field.value()
    if isinstance(value, (list, tuple)):
        part = value[index] if index < len(value) else ""
        return "" if part is None else str(part)
    if value:
        return str(field.field.widget.decompress(value)[index] or "")
    return ""


@register.filter
def is_checked(value: object, field: BoundField) -> bool:
    current = field.value()
    if isinstance(current, (list, tuple)):
        return str(value) in [str(v) for v in current]
    return current is not None and str(value) == str(current)
