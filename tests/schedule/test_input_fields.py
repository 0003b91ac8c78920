"""The shared field types of portal/web/fields.py, through real WTForms forms on a real request, and the one-line
rule for the names that end up in calendars (a person's name is in their personal feed and invitations)."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms.validators import DataRequired, InputRequired, Optional

from portal.auth.models import User
from portal.extensions import db
from portal.web.fields import (CHOOSE_OFFERED, ONE_LINE, ChoiceField, FilterForm, LineField, PenceField,
                               RealDateField, RealDateTimeField, RealTimeField, WholeNumberField, optional_int)


class Sample(FlaskForm):
    class Meta:
        csrf = False

    title = LineField("Title", [DataRequired()])
    count = WholeNumberField("Count", [InputRequired()], minimum=1, maximum=2147483647)
    spare = WholeNumberField("Spare", [Optional()], minimum=0, maximum=10)
    money = PenceField("Money", [Optional()], maximum_pence=100_000_000)
    day = RealDateField("Day", [DataRequired()])
    at = RealTimeField("At", [DataRequired()])
    when = RealDateTimeField("When", [Optional()], format="%Y-%m-%dT%H:%M")
    pick = ChoiceField("Pick", coerce=optional_int, choices=[("", "None"), ("1", "One"), ("2", "Two")])


GOOD = {"title": "Workshop", "count": "3", "spare": "", "money": "165.50", "day": "2030-03-14", "at": "14:00",
        "when": "", "pick": "2"}


def _form(app, **overrides) -> Sample:
    with app.test_request_context(method="POST"):
        form = Sample(formdata=MultiDict({**GOOD, **overrides}))
        form.validate()
        return form


def test_good_input_becomes_typed_values(app):
    form = _form(app)
    assert not form.errors
    assert (form.count.data, form.spare.data, form.money.data, form.pick.data) == (3, None, 16550, 2)
    assert form.day.data == date(2030, 3, 14) and form.at.data == time(14, 0)
    assert _form(app, when="2030-03-14T09:30").when.data == datetime(2030, 3, 14, 9, 30)


@pytest.mark.parametrize("name,value,message", [
    ("title", "One\r\nTwo", ONE_LINE), ("title", "Bell\x07", ONE_LINE), ("title", "Sep\u2028arator", ONE_LINE),
    ("count", "2147483648", "Enter a whole number from 1 to 2147483647."),
    ("count", "99999999999999999999", "Enter a whole number from 1 to 2147483647."),
    ("count", "1e3", "Enter a whole number from 1 to 2147483647."),
    ("count", "1_000", "Enter a whole number from 1 to 2147483647."),
    ("count", "abc", "Enter a whole number from 1 to 2147483647."),
    ("spare", "11", "Enter a whole number from 0 to 10."),
    ("money", "nan", "Enter an amount in pounds from 0 to 1000000, for example 165 or 165.50."),
    ("money", "1e30", "Enter an amount in pounds from 0 to 1000000, for example 165 or 165.50."),
    ("money", "1000000.01", "Enter an amount in pounds from 0 to 1000000, for example 165 or 165.50."),
    ("day", "2030-02-30", "That is not a real date. Enter one such as 2025-03-14."),
    ("day", "1066-10-14", "Enter a date between 1990 and 2100."),
    ("at", "25:99", "That is not a real time. Enter one such as 14:00."),
    ("when", "2030-02-30T10:00", "That is not a real date and time. Enter one such as 2025-03-14 14:00."),
    ("pick", "3", CHOOSE_OFFERED), ("pick", "abc", CHOOSE_OFFERED),
])
def test_bad_input_gets_its_own_message_and_is_shown_back(app, name, value, message):
    form = _form(app, **{name: value})
    assert form.errors == {name: [message]}
    if name != "pick":  # a select cannot show back a value it does not offer
        assert form[name]._value() == value


def test_blank_required_input_is_asked_for_not_called_unreal(app):
    form = _form(app, day="", count="", at="")
    assert form.errors == {"day": ["This field is required."], "count": ["This field is required."],
                           "at": ["This field is required."]}


def test_a_filter_form_ignores_only_the_filter_that_fails(app):
    class Filters(FilterForm):
        pick = ChoiceField("Pick", choices=[("", "Any"), ("a", "A")], default="")
        q = LineField("Search")

    with app.test_request_context("/?pick=bogus&q=ok"):
        filters = Filters(MultiDict({"pick": "bogus", "q": "ok"}))
        assert filters.value("pick", "") == "" and filters.value("q") == "ok"
        assert filters.pick.errors == [CHOOSE_OFFERED]
    with app.test_request_context("/"):
        filters = Filters(MultiDict())
        assert filters.value("pick", "") == "" and not filters.errors


@pytest.mark.parametrize("field", ["name", "job_title", "department"])
def test_a_name_on_sign_up_must_be_one_line(client, field):
    data = {"name": "Kim Park", "email": "kim@example.ac.uk", "job_title": "Lecturer", "department": "Law",
            "password": "a long enough passphrase", "confirm": "a long enough passphrase"}
    data[field] = "Kim\r\nPark"
    response = client.post("/auth/sign-up", data=data)
    assert response.status_code in (400, 422)
    assert ONE_LINE in response.get_data(as_text=True) and 'value="kim@example.ac.uk"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_choice_field_renders_as_a_select_in_the_field_macro(app):
    """HTML allows `required` on a single select only when its first option is an empty placeholder."""
    class Form(FlaskForm):
        plain = ChoiceField("Plain", choices=[("1", "One")], validators=[InputRequired()])

    with app.test_request_context():
        html = render_template_string('{% from "macros/forms.html" import field %}{{ field(form.plain) }}',
                                      form=Form(meta={"csrf": False}))
    assert "<select" in html and "required" not in html.split("<select", 1)[1].split(">", 1)[0]
