"""Forms for schemes, pathways and rounds (shape only; services check the rules)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, HiddenField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, TimeField, URLField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, URL
from wtforms.widgets import CheckboxInput, ListWidget

from portal.rounds.models import RoundState


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SchemeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    awarding_body = StringField("Awarding body", validators=[Length(max=200)])
    description = TextAreaField("What the scheme is", validators=[Length(max=5000)])
    website = URLField("Website", validators=[Optional(), URL(), Length(max=300)])


class PathwayForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    fee = DecimalField("Registration fee (pounds)", places=2,
                       validators=[InputRequired(message="Enter the fee in pounds, for example 165 or 165.50."),
                                   NumberRange(min=0, max=100000)],
                       description="In pounds, for example 165 or 165.50.")
    eligibility = TextAreaField("Eligibility guidance", validators=[Length(max=5000)])
    min_years = IntegerField("Usually for at least this many years' experience",
                             validators=[Optional(), NumberRange(min=0, max=60)],
                             description="Used to suggest a pathway. Leave empty for no lower bound.")
    max_years = IntegerField("Usually for fewer than this many years' experience",
                             validators=[Optional(), NumberRange(min=0, max=60)],
                             description="Leave empty for no upper bound.")
    level = IntegerField("Award level", validators=[InputRequired(), NumberRange(min=1, max=10)],
                         description="1 for the entry level; a mentor's level must be at least their mentee's.")
    position = IntegerField("Order in lists", validators=[Optional(), NumberRange(min=0, max=1000)])
    portfolio_sections = TextAreaField("Portfolio sections this pathway requires",
                                       validators=[Length(max=10000)],
                                       description="One section per line, in order.")


class RoundForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)],
                       description="For example: CMALT cohort 2024/25.")
    scheme_id = SelectField("Scheme", coerce=int, validators=[InputRequired()])
    pathway_ids = MultiCheckboxField("Pathways on offer", coerce=int)
    opens_on = DateField("Opens on (date)", validators=[InputRequired(message="Enter the opening date.")])
    opens_time = TimeField("Opens at (time)", validators=[InputRequired(message="Enter the opening time.")])
    closes_on = DateField("Closes on (date)", validators=[InputRequired(message="Enter the closing date.")])
    closes_time = TimeField("Closes at (time)", validators=[InputRequired(message="Enter the closing time.")],
                            description="Proposals are refused from this exact time, in UK time.")
    funded_places = IntegerField("Funded places", validators=[Optional()])
    budget = DecimalField("Funding budget (pounds)", places=2, validators=[Optional()])
    intro_required = BooleanField("Applicants must attend an intro session before submitting")
    guidance = TextAreaField("Guidance for the proposal questions", validators=[Length(max=10000)])
    limit_role_summary = IntegerField("Word limit: role summary", validators=[Optional(), NumberRange(min=1, max=10000)],
                                      description="Leave empty for no limit.")
    limit_learning_technology = IntegerField("Word limit: how learning technology features in the role",
                                             validators=[Optional(), NumberRange(min=1, max=10000)])
    limit_motivation = IntegerField("Word limit: motivation", validators=[Optional(), NumberRange(min=1, max=10000)])


class RoundStateForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])

    def target(self) -> RoundState | None:
        try:
            return RoundState(self.to.data)
        except ValueError:
            return None
