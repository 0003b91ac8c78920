"""Forms of the lead's dashboard: the nudge from the at-risk list (its rules are in mentoring/nudges.py)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField


class NudgeForm(FlaskForm):
    message = TextAreaField("Message")
