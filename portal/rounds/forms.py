"""Forms for schemes, pathways and rounds (shape only; services check the rules)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, URL
from wtforms.widgets import CheckboxInput, ListWidget

from portal.rounds.models import MAX_BUDGET_PENCE, MAX_FEE_PENCE, MAX_FUNDED_PLACES, RoundState
from portal.web.fields import (CHOOSE_OFFERED, ChoiceField, LineField, PenceField, RealDateField, RealTimeField,
                               URLLineField, WholeNumberField)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        # Every ticked value must be one offered; an unknown id would be silently dropped or a foreign-key error.
        super().__init__(label, validators, validate_choice=True, invalid_choice_message=CHOOSE_OFFERED, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(CHOOSE_OFFERED) from None


class SchemeForm(FlaskForm):
    name = LineField("Name", validators=[DataRequired(), Length(max=120)])
    awarding_body = LineField("Awarding body", validators=[Length(max=200)])
    description = TextAreaField("What the scheme is", validators=[Length(max=5000)])
    website = URLLineField("Website", validators=[Optional(), URL(), Length(max=300)])


class PathwayForm(FlaskForm):
    name = LineField("Name", validators=[DataRequired(), Length(max=120)])
    fee = PenceField("Registration fee (pounds)", maximum_pence=MAX_FEE_PENCE,
                     validators=[InputRequired(message="Enter the fee in pounds, for example 165 or 165.50.")],
                     description="In pounds, for example 165 or 165.50.")
    eligibility = TextAreaField("Eligibility guidance", validators=[Length(max=5000)])
    min_years = WholeNumberField("Usually for at least this many years' experience", [Optional()],
                                 minimum=0, maximum=60,
                                 description="Used to suggest a pathway. Leave empty for no lower bound.")
    max_years = WholeNumberField("Usually for fewer than this many years' experience", [Optional()],
                                 minimum=0, maximum=60, description="Leave empty for no upper bound.")
    level = WholeNumberField("Award level", [InputRequired()], minimum=1, maximum=10,
                             description="1 for the entry level; a mentor's level must be at least their mentee's.")
    position = WholeNumberField("Order in lists", [Optional()], minimum=0, maximum=1000)
    portfolio_sections = TextAreaField("Portfolio sections this pathway requires",
                                       validators=[Length(max=10000)],
                                       description="One section per line, in order.")


class RoundForm(FlaskForm):
    name = LineField("Name", validators=[DataRequired(), Length(max=200)],
                     description="For example: CMALT cohort 2024/25.")
    scheme_id = ChoiceField("Scheme", coerce=int, validators=[InputRequired()])
    pathway_ids = MultiCheckboxField("Pathways on offer", coerce=int)
    opens_on = RealDateField("Opens on (date)", validators=[InputRequired(message="Enter the opening date.")])
    opens_time = RealTimeField("Opens at (time)", validators=[InputRequired(message="Enter the opening time.")])
    closes_on = RealDateField("Closes on (date)", validators=[InputRequired(message="Enter the closing date.")])
    closes_time = RealTimeField("Closes at (time)", validators=[InputRequired(message="Enter the closing time.")],
                                description="Proposals are refused from this exact time, in UK time.")
    funded_places = WholeNumberField("Funded places", [Optional()], minimum=0, maximum=MAX_FUNDED_PLACES)
    budget = PenceField("Funding budget (pounds)", [Optional()], maximum_pence=MAX_BUDGET_PENCE)
    intro_required = BooleanField("Applicants must attend an intro session before submitting")
    guidance = TextAreaField("Guidance for the proposal questions", validators=[Length(max=10000)])
    limit_role_summary = WholeNumberField("Word limit: role summary", [Optional()], minimum=1, maximum=10000,
                                          description="Leave empty for no limit.")
    limit_learning_technology = WholeNumberField("Word limit: how learning technology features in the role",
                                                 [Optional()], minimum=1, maximum=10000)
    limit_motivation = WholeNumberField("Word limit: motivation", [Optional()], minimum=1, maximum=10000)


class RoundStateForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])

    def target(self) -> RoundState | None:
        try:
            return RoundState(self.to.data)
        except ValueError:
            return None


class CloseRoundForm(FlaskForm):
    """The close-early confirmation page's button: nothing to fill in, only the CSRF token."""
