"""Panel forms: shape only; the services check the rules."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

# Whole numbers in a text box (inputmode numeric): a number box cannot show back what was typed wrongly.
NUMBER = dict(widget=TextInput(), render_kw={"inputmode": "numeric"})

from portal.panel.models import Aggregate, Outcome


class OptionalRadioField(RadioField):
    """A radio group that may be left unanswered (a score not given yet), but never answered wrongly."""

    def pre_validate(self, form):
        if self.data in (None, "", "None"):
            self.data = None
            return
        super().pre_validate(form)


class ButtonForm(FlaskForm):
    """A CSRF-only form for buttons."""


class SettingsForm(FlaskForm):
    aggregate = RadioField("Aggregate across reviewers", choices=[(a.value, a.label) for a in Aggregate],
                           default=Aggregate.MEAN.value, validators=[InputRequired()])
    reviewers_per_proposal = IntegerField(
        "Reviewers per proposal", validators=[Optional(), NumberRange(min=1, max=50)], **NUMBER,
        description="Leave empty to give every proposal to every panel member.")
    same_department_conflict = BooleanField("Treat an applicant in a panel member's department as a conflict")
    scoring_deadline = DateTimeLocalField("Scoring deadline (UK time)", format="%Y-%m-%dT%H:%M",
                                          validators=[Optional()])
    offer_days = IntegerField("Days to accept a place offered from the waitlist", default=14, **NUMBER,
                              validators=[InputRequired(), NumberRange(min=1, max=90)])


class MembersForm(FlaskForm):
    members = SelectMultipleField("Panel members", coerce=int, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput(), validate_choice=True)


class CriterionForm(FlaskForm):
    name = StringField("Criterion", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("What the panel looks for", validators=[Length(max=2000)])
    weight = IntegerField("Weight", default=1, validators=[InputRequired(), NumberRange(min=0, max=100)], **NUMBER)
    counted_in_total = BooleanField("Count this criterion in the total", default=True)
    label_1 = StringField("Label for 1", validators=[Length(max=120)])
    label_2 = StringField("Label for 2", validators=[Length(max=120)])
    label_3 = StringField("Label for 3", validators=[Length(max=120)])
    label_4 = StringField("Label for 4", validators=[Length(max=120)])
    label_5 = StringField("Label for 5", validators=[Length(max=120)])

    def labels(self) -> list[str]:
        return [self.label_1.data, self.label_2.data, self.label_3.data, self.label_4.data, self.label_5.data]


class ConflictForm(FlaskForm):
    reason = StringField("Reason (optional)", validators=[Length(max=500)])


class AbstainForm(FlaskForm):
    reason = StringField("Why you abstain (only the lead sees this)", validators=[DataRequired(), Length(max=500)])


class DecisionForm(FlaskForm):
    outcome = RadioField("Decision", choices=[(o.value, o.label) for o in Outcome], validators=[InputRequired()])
    waitlist_position = IntegerField("Waitlist position", validators=[Optional(), NumberRange(min=1, max=999)], **NUMBER,
                                     description="For waitlisted proposals; leave empty to add to the end.")
    feedback = TextAreaField("Feedback for the applicant", validators=[Length(max=5000)])
    confirm = BooleanField("I know this goes over the funded places or budget; select anyway")


class AssignForm(FlaskForm):
    user_id = SelectField("Panel member", coerce=int)


def score_form_class(criteria):
    """A form with one 1–5 choice per criterion (named criterion_<id>) and a comment."""

    class ScoreForm(FlaskForm):
        comment = TextAreaField("Comments for the panel", validators=[Length(max=5000)])

        def values(self) -> dict[int, int | None]:
            out = {}
            for c in criteria:
                raw = self[f"criterion_{c.id}"].data
                out[c.id] = int(raw) if raw not in (None, "", "None") else None
            return out

    for c in criteria:
        choices = [(str(v), f"{v} – {c.label_for(v)}" if c.label_for(v) != str(v) else str(v)) for v in range(1, 6)]
        setattr(ScoreForm, f"criterion_{c.id}", OptionalRadioField(c.name, choices=choices))
    return ScoreForm
