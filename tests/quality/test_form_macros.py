"""The shared field() macro renders markup the Nu Html Checker accepts."""
from __future__ import annotations

import re

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired, Optional


class _Form(FlaskForm):
    plain = SelectField("Plain", choices=[("1", "One"), ("2", "Two")], validators=[InputRequired()])
    placeholder = SelectField("With placeholder", choices=[("", "Choose one"), ("2", "Two")],
                              validators=[InputRequired()])
    flat = SelectField("Flat", choices=["a", "b"], validators=[InputRequired()])
    grouped = SelectField("Grouped", choices={"A": [("1", "x")]}, validators=[InputRequired()])
    optional = SelectField("Optional", choices=[("1", "One")], validators=[Optional()])


def test_required_select_keeps_required_only_with_an_empty_first_option(app):
    """HTML allows `required` on a single select only when its first option is an empty placeholder."""
    with app.test_request_context():
        html = render_template_string(
            '{% from "macros/forms.html" import field %}'
            "{% for name in ['plain', 'placeholder', 'flat', 'grouped', 'optional'] %}{{ field(form[name]) }}"
            "{% endfor %}", form=_Form(meta={"csrf": False}))
    selects = {ident: attrs for attrs, ident in re.findall(r'<select([^>]*\bid="(\w+)"[^>]*)>', html)}
    assert "required" not in selects["plain"]
    assert "required" in selects["placeholder"]
    assert "required" not in selects["flat"]
    assert "required" in selects["grouped"]  # grouped choices are left as they are
    assert "required" not in selects["optional"]
