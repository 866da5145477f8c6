"""The crispy-forms NHS.UK pack renders labels, hints, inline errors, the error summary,
radios, checkboxes and day / month / year dates, and keeps what was typed."""

import datetime

import pytest
from crispy_forms.helper import FormHelper
from django import forms
from django.template import Context, Template

from pathway.core.forms import NHSDateField


class ExampleForm(forms.Form):
    name = forms.CharField(label="Full name", help_text="As on their GP record")
    body_part = forms.ChoiceField(
        label="Where is the pain?",
        choices=[("back", "Back"), ("neck", "Neck")],
        widget=forms.RadioSelect,
    )
    symptoms = forms.MultipleChoiceField(
        label="Symptoms",
        choices=[("leg", "Leg pain"), ("arm", "Arm pain")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    date_of_birth = NHSDateField(label="Date of birth", past_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False


def render(form):
    template = Template(
        '{% load crispy_forms_tags %}{% include "nhsuk/error_summary.html" %}{% crispy form %}'
    )
    return template.render(Context({"form": form}))


def test_valid_form_gives_a_date():
    form = ExampleForm(
        {
            "name": "Ann",
            "body_part": "back",
            "date_of_birth_day": "3",
            "date_of_birth_month": "12",
            "date_of_birth_year": "1970",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(1970, 12, 3)


def test_errors_link_from_the_summary_to_each_field():
    page = render(ExampleForm({"name": "", "date_of_birth_day": "31"}))

    assert "There is a problem" in page
    assert 'href="#id_name"' in page
    assert 'href="#id_body_part_0"' in page
    assert 'href="#id_date_of_birth_day"' in page
    assert 'id="id_body_part_0"' in page
    assert 'id="id_date_of_birth_day"' in page


def test_inline_error_is_described_by_the_input():
    page = render(ExampleForm({"name": ""}))

    assert 'class="nhsuk-error-message" id="id_name-error"' in page
    assert 'aria-describedby="id_name-hint id_name-error"' in page
    assert "nhsuk-input--error" in page
    assert "nhsuk-form-group--error" in page


def test_what_was_typed_is_kept_on_error():
    page = render(
        ExampleForm(
            {
                "name": "Ann <b>",
                "body_part": "neck",
                "symptoms": ["arm"],
                "date_of_birth_day": "30",
                "date_of_birth_month": "2",
                "date_of_birth_year": "1970",
            }
        )
    )

    assert 'value="Ann &lt;b&gt;"' in page
    assert 'value="neck" checked' in page
    assert 'value="arm" checked' in page
    assert 'name="date_of_birth_day" type="text" inputmode="numeric" value="30"' in page
    assert "Date of birth must be a real date" in page


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter date of birth"),
        ("1", "", "1970", "Date of birth must include a month"),
        ("", "", "1970", "Date of birth must include a day and a month"),
        ("x", "1", "1970", "Date of birth must be a real date"),
        ("1", "1", "70", "Date of birth must be a real date"),
        ("1", "1", "2999", "Date of birth must be in the past"),
        # Any input becomes a date or a field error: none of these may raise.
        ("999999999999999", "1", "1970", "Date of birth must be a real date"),
        ("1", "999999999999999", "1970", "Date of birth must be a real date"),
        ("1", "1", "99999999999999999999", "Date of birth must be a real date"),
        ("1", "1", "0000", "Date of birth must be a real date"),
        ("１", "1", "1970", "Date of birth must be a real date"),
        ("-1", "1", "1970", "Date of birth must be a real date"),
        ("31", "12", "1899", "Date of birth must be on or after 1 January 1900"),
    ],
)
def test_date_of_birth_errors_say_what_is_wrong(day, month, year, message):
    form = ExampleForm(
        {
            "name": "Ann",
            "body_part": "back",
            "date_of_birth_day": day,
            "date_of_birth_month": month,
            "date_of_birth_year": year,
        }
    )

    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_an_overflowing_date_part_is_kept_and_shown_with_its_error():
    form = ExampleForm(
        {
            "name": "Ann",
            "body_part": "back",
            "date_of_birth_day": "999999999999999",
            "date_of_birth_month": "1",
            "date_of_birth_year": "1970",
        }
    )

    page = render(form)

    assert form.errors["date_of_birth"] == ["Date of birth must be a real date"]
    assert (
        'name="date_of_birth_day" type="text" inputmode="numeric" value="999999999999999"' in page
    )


class EveryWidgetForm(forms.Form):
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    several = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y"), ("z", "Z")], widget=forms.CheckboxSelectMultiple
    )
    agreed = forms.BooleanField(required=False)
    when = NHSDateField(label="When", required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    pick = forms.ChoiceField(choices=[("p", "P"), ("q", "Q")])
    text = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("hidden", "hidden"),
        ("one", "radios"),
        ("several", "checkboxes"),
        ("agreed", "checkbox"),
        ("when", "date"),
        ("notes", "textarea"),
        ("pick", "select"),
        ("text", "input"),
    ],
)
def test_each_widget_is_rendered_as_its_own_kind(name, kind):
    from pathway.core.templatetags.nhsuk import widget_kind

    assert widget_kind(EveryWidgetForm()[name]) == kind


def test_a_multiple_choice_renders_checkboxes_and_keeps_every_answer():
    page = render(EveryWidgetForm({"several": ["x", "z"], "pick": "q"}))

    assert page.count('name="several" type="checkbox"') == 3
    assert 'name="several" type="radio"' not in page
    assert 'value="x" checked' in page
    assert 'value="z" checked' in page
    assert 'value="y" checked' not in page
    assert 'class="nhsuk-checkboxes' in page
    assert page.count('name="one" type="radio"') == 2


def test_a_multiple_choice_posts_several_answers():
    form = EveryWidgetForm({"several": ["x", "y", "z"], "one": "a", "pick": "p"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["several"] == ["x", "y", "z"]
