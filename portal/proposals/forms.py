"""The proposal form and the lead's list filters (shape only; submission rules live in rules/services)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from portal.proposals.models import ANSWER_FIELDS, ProposalState


class ProposalForm(FlaskForm):
    """Every field is optional here so a draft can be saved half-written; submitting checks the rest."""

    job_title = StringField("Job title", validators=[Length(max=200)], render_kw={"autocomplete": "organization-title"})
    department = StringField("Department or school", validators=[Length(max=200)])
    role_summary = TextAreaField("Role summary", validators=[Length(max=100000)],
                                 description="What your role involves day to day.")
    learning_technology = TextAreaField("How learning technology features in your role",
                                        validators=[Length(max=100000)])
    years_experience = IntegerField("Years of experience with learning technology",
                                    validators=[Optional(), NumberRange(min=0, max=60, message="Enter a whole number of years from 0 to 60.")],
                                    render_kw={"inputmode": "numeric"})
    pathway_id = RadioField("Pathway you aim for", coerce=int, validate_choice=False)
    motivation = TextAreaField("Motivation", validators=[Length(max=100000)],
                               description="Why now, and what you hope the cohort will give you and your area.")
    submission_window = StringField("Intended submission window", validators=[Length(max=120)],
                                    description="When you expect to submit your portfolio, e.g. “June 2026” or “open submission, spring term”.")
    line_manager_name = StringField("Line manager's name", validators=[Length(max=200)])
    line_manager_email = EmailField("Line manager's email address", validators=[Length(max=254)])
    line_manager_supports = BooleanField("My line manager supports this proposal and the time it needs")
    consent = BooleanField("I agree to my answers being used to select the cohort")

    def fill(self, answers: dict) -> None:
        for name in ANSWER_FIELDS:
            if name in answers:
                getattr(self, name).data = answers[name]

    def valid_answers(self) -> dict:
        """The answers from fields that passed validation (a bad number must not cost a long statement)."""
        return {name: getattr(self, name).data for name in ANSWER_FIELDS if not getattr(self, name).errors}

    def raw_answers(self) -> dict:
        """Whatever arrived, valid or not, to keep when it cannot be saved now."""
        out = {}
        for name in ANSWER_FIELDS:
            field = getattr(self, name)
            if field.errors and name in {"years_experience", "pathway_id"}:
                continue
            out[name] = field.data
        return out


class ProposalFiltersForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search by name", validators=[Length(max=200)])
    pathway = SelectField("Pathway", coerce=str)
    state = SelectField("State", choices=[("", "Any state")] + [(s.value, s.label) for s in ProposalState])
    department = SelectField("Department", coerce=str)
