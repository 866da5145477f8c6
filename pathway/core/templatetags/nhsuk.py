"""Template helpers for the NHS.UK crispy-forms pack (templates/nhsuk/)."""

from django import forms, template

register = template.Library()


@register.filter
def widget_kind(bound_field):
    widget = bound_field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    # CheckboxSelectMultiple is a subclass of RadioSelect: it must be asked about first, or
    # a multiple choice renders as radios and only one answer can be given.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if getattr(widget, "is_nhsuk_date", False):
        return "date"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


@register.filter
def error_anchor(bound_field):
    """The element an error-summary link should move focus to."""
    kind = widget_kind(bound_field)
    if kind in {"radios", "checkboxes"}:
        return f"{bound_field.auto_id}_0"
    if kind == "date":
        return f"{bound_field.auto_id}_day"
    return bound_field.id_for_label


def _described_by(bound_field):
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def nhsuk_widget(bound_field, base_class):
    """Render the field's own widget with NHS.UK classes and accessible descriptions."""
    attrs = {}
    existing = bound_field.field.widget.attrs.get("class", "")
    classes = [base_class, existing]
    if bound_field.errors:
        classes.append(f"{base_class}--error")
    attrs["class"] = " ".join(c for c in classes if c)
    described_by = _described_by(bound_field)
    if described_by:
        attrs["aria-describedby"] = described_by
    return bound_field.as_widget(attrs=attrs)


@register.filter
def described_by(bound_field):
    return _described_by(bound_field)


@register.filter
def is_checked(bound_field, choice_value):
    value = bound_field.value()
    values = value if isinstance(value, list | tuple) else [value]
    return str(choice_value) in {str(v) for v in values if v is not None}


@register.filter
def date_parts(bound_field):
    """[(part, label, value, width)] for day / month / year, keeping what the user typed."""
    widget = bound_field.field.widget
    values = (
        widget.decompress(bound_field.value())
        if not bound_field.form.is_bound
        else [
            bound_field.form.data.get(f"{bound_field.html_name}_{part}", "")
            for part in ("day", "month", "year")
        ]
    )
    labels = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))
    return [
        (part, label, values[index] or "", width)
        for index, (part, label, width) in enumerate(labels)
    ]
