"""Form pieces shared by every form of the service."""

import datetime

from django import forms
from django.utils import timezone

from pathway.clinical import InvalidAnswers, dates, nhs_number


class NHSDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the NHS.UK date input pattern asks for."""

    is_nhsuk_date = True

    def __init__(self, attrs=None):
        part = forms.TextInput(attrs={"inputmode": "numeric"})
        super().__init__({"day": part, "month": part, "year": part}, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]


class NHSDateField(forms.Field):
    """A date typed as day / month / year, with the NHS.UK error messages.

    Any input becomes either a date or a field error, never an exception. Every date must
    also be plausible (pathway.clinical.dates): from `earliest` to `latest`, which may be
    dates or functions of today. `past_only` refuses today-or-later dates when the date must
    already have happened (a date of birth); `not_future` allows today.
    """

    widget = NHSDateWidget

    def __init__(
        self,
        *,
        not_future=False,
        past_only=False,
        earliest=dates.EARLIEST,
        latest=dates.LATEST,
        **kwargs,
    ):
        self.not_future = not_future
        self.past_only = past_only
        self.earliest = earliest
        self.latest = latest
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value or not any(value):
            return None
        if not isinstance(value, list | tuple) or len(value) != 3:
            raise forms.ValidationError(f"{self.label or 'Date'} must be a real date")
        day, month, year = (str(v).strip() for v in value)
        label = self.label or "Date"
        missing = [name for name, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(f"{label} must include a {' and a '.join(missing)}")
        # ASCII digits only and no longer than a date part can be, so nothing can overflow.
        parts = (day, month, year)
        if not all(part.isascii() and part.isdecimal() for part in parts) or (
            len(day) > 2 or len(month) > 2 or len(year) != 4
        ):
            raise forms.ValidationError(f"{label} must be a real date")
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise forms.ValidationError(f"{label} must be a real date") from None

    def validate(self, value):
        if value is None:
            if self.required:
                raise forms.ValidationError(f"Enter {(self.label or 'the date').lower()}")
            return
        today = timezone.localdate()
        label = self.label or "Date"
        if self.past_only and value >= today:
            raise forms.ValidationError(f"{label} must be in the past")
        if self.not_future and value > today:
            raise forms.ValidationError(f"{label} must be today or in the past")
        problem = dates.date_problem(
            value,
            label=label,
            earliest=_on(self.earliest, today),
            latest=_on(self.latest, today),
        )
        if problem:
            raise forms.ValidationError(problem)

    def widget_attrs(self, widget):
        return {}


def _on(bound, today):
    """A range bound given as a date or as a function of today."""
    return bound(today) if callable(bound) else bound


class NHSNumberField(forms.CharField):
    """An NHS number as people type it (spaces allowed), checked and stored as 10 digits.

    One definition for every form that asks for one, so the wording and the check are the same
    on the referral and the audit search."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "NHS number")
        kwargs.setdefault("help_text", "10 digits, for example 999 123 4567")
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "class": "nhsuk-input--width-10",
                    "inputmode": "numeric",
                    "autocomplete": "off",
                }
            ),
        )
        kwargs.setdefault("error_messages", {"required": "Enter the NHS number"})
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return nhs_number.normalise(value)
        except InvalidAnswers as error:
            raise forms.ValidationError(str(error)) from None


class RowChoiceField(forms.TypedChoiceField):
    """A choice among rows the view has already loaded (an area's practices or services),
    cleaned to the row itself: the list shown is the list checked, with no query of its own.
    The form gives it the rows with `offer(rows)`."""

    def __init__(self, *, empty_label=None, **kwargs):
        self.empty_label = empty_label
        self.rows = {}
        super().__init__(empty_value=None, choices=(), **kwargs)

    def offer(self, rows, label=str):
        self.rows = {str(row.pk): row for row in rows}
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = empty + [(key, label(row)) for key, row in self.rows.items()]

    def _coerce(self, value):
        # After the choice is validated: the row itself, or None when none was chosen.
        if value == self.empty_value or value in self.empty_values:
            return self.empty_value
        return self.rows[value]

    def prepare_value(self, value):
        return str(value.pk) if hasattr(value, "pk") else value
