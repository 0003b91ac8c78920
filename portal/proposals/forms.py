"""The proposal form and the lead's list filters (shape only; submission rules live in rules/services)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from portal.proposals.models import ANSWER_FIELDS, ProposalState
from portal.rounds.guidance import LEADERSHIP_QUESTION
from portal.web.csrf import SERVED_FIELD
from portal.web.fields import LineField, WholeNumberField

def yes_or_no(value) -> bool | None:
    """A yes/no answer that may be left unanswered (None), as posted ("True"/"False") or stored."""
    if value in (None, "", "None"):
        return None
    return value is True or value in ("True", "true", "yes")


NOT_ON_OFFER = "That pathway is not on offer in this round, so your choice was not changed. Choose one of the pathways listed."


class ProposalForm(FlaskForm):
    """Every field is optional here so a draft can be saved half-written; submitting checks the rest."""

    job_title = LineField("Job title", validators=[Length(max=200)], render_kw={"autocomplete": "organization-title"})
    department = LineField("Department or school", validators=[Length(max=200)])
    role_summary = TextAreaField("Role summary", validators=[Length(max=100000)],
                                 description="What your role involves day to day.")
    learning_technology = TextAreaField("How learning technology features in your role",
                                        validators=[Length(max=100000)])
    years_experience = WholeNumberField("Years of experience with learning technology", [Optional()],
                                        minimum=0, maximum=60, message="Enter a whole number of years from 0 to 60.")
    leads_learning_technology = RadioField(LEADERSHIP_QUESTION, choices=[(True, "Yes"), (False, "No")],
                                           coerce=yes_or_no, validate_choice=False,
                                           description="Senior CMALT asks for them as well as experience: for "
                                                       "example leading a team or service, shaping strategy, or "
                                                       "research.")
    pathway_id = RadioField("Pathway you aim for", coerce=int, validate_choice=False)
    motivation = TextAreaField("Motivation", validators=[Length(max=100000)],
                               description="Why now, and what you hope the cohort will give you and your area.")
    submission_window = LineField("Intended submission window", validators=[Length(max=120)],
                                    description="When you expect to submit your portfolio, e.g. “June 2026” or “open submission, spring term”.")
    line_manager_name = LineField("Line manager's name", validators=[Length(max=200)])
    line_manager_email = EmailField("Line manager's email address", validators=[Length(max=254)])
    line_manager_supports = BooleanField("My line manager supports this proposal and the time it needs")
    consent = BooleanField("I agree to my answers being used to select the cohort")
    # Which person and proposal the page was served for (portal.web.csrf.served_stamp); the view sets it.
    served_for = HiddenField(name=SERVED_FIELD)

    def validate_pathway_id(self, field) -> None:
        if field.raw_data and field.data is not None and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(NOT_ON_OFFER)

    def _sent(self, name: str) -> bool:
        """Whether the post carried this answer: a field left out of it keeps what was there before.

        Browsers leave an unticked box out of the post, so a box counts as sent "no" when the whole form
        came (it carries the page's stamp field).
        """
        field = getattr(self, name)
        return bool(field.raw_data) or (isinstance(field, BooleanField) and bool(self.served_for.raw_data))

    def fill(self, answers: dict) -> None:
        for name in ANSWER_FIELDS:
            if name in answers:
                getattr(self, name).data = answers[name]

    def valid_answers(self) -> dict:
        """The answers sent that passed validation (a bad number must not cost a long statement)."""
        return {name: getattr(self, name).data for name in ANSWER_FIELDS
                if self._sent(name) and not getattr(self, name).errors}

    def raw_answers(self) -> dict:
        """The answers to keep when they cannot be saved now: those sent that pass the form's own checks
        (lengths, numbers, the pathways on offer), so kept text is never larger than a saved answer."""
        return self.valid_answers()


class ProposalFiltersForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search by name", validators=[Length(max=200)])
    pathway = SelectField("Pathway", coerce=str)
    state = SelectField("State", choices=[("", "Any state")] + [(s.value, s.label) for s in ProposalState])
    department = SelectField("Department", coerce=str)
