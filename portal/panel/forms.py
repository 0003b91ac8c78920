"""Panel forms: shape only; the services check the rules."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.panel.models import Aggregate, Outcome
from portal.web.fields import CHOOSE_OFFERED, ChoiceField, LineField, RealDateTimeField, WholeNumberField


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
    reviewers_per_proposal = WholeNumberField(
        "Reviewers per proposal", [Optional()], minimum=1, maximum=50,
        description="Leave empty to give every proposal to every panel member.")
    same_department_conflict = BooleanField("Treat an applicant in a panel member's department as a conflict")
    scoring_deadline = RealDateTimeField("Scoring deadline (UK time)", format="%Y-%m-%dT%H:%M",
                                         validators=[Optional()])
    offer_days = WholeNumberField("Days to accept a place offered from the waitlist", [InputRequired()],
                                  minimum=1, maximum=90, default=14)


class MembersForm(FlaskForm):
    members = SelectMultipleField("Panel members", coerce=int, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput(), validate_choice=True,
                                  invalid_choice_message=CHOOSE_OFFERED)


class CriterionForm(FlaskForm):
    name = LineField("Criterion", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("What the panel looks for", validators=[Length(max=2000)])
    weight = WholeNumberField("Weight", [InputRequired()], minimum=0, maximum=100, default=1)
    counted_in_total = BooleanField("Count this criterion in the total", default=True)
    label_1 = LineField("Label for 1", validators=[Length(max=120)])
    label_2 = LineField("Label for 2", validators=[Length(max=120)])
    label_3 = LineField("Label for 3", validators=[Length(max=120)])
    label_4 = LineField("Label for 4", validators=[Length(max=120)])
    label_5 = LineField("Label for 5", validators=[Length(max=120)])

    def labels(self) -> list[str]:
        return [self.label_1.data, self.label_2.data, self.label_3.data, self.label_4.data, self.label_5.data]


class ConflictForm(FlaskForm):
    reason = LineField("Reason (optional)", validators=[Length(max=500)])


class AbstainForm(FlaskForm):
    reason = LineField("Why you abstain (only the lead sees this)", validators=[DataRequired(), Length(max=500)])


class DecisionForm(FlaskForm):
    outcome = RadioField("Decision", choices=[(o.value, o.label) for o in Outcome], validators=[InputRequired()])
    waitlist_position = WholeNumberField("Waitlist position", [Optional()], minimum=1, maximum=999,
                                         description="For waitlisted proposals; leave empty to add to the end.")
    feedback = TextAreaField("Feedback for the applicant", validators=[Length(max=5000)])
    confirm = BooleanField("I know this goes over the funded places or budget; select anyway")


class ReleaseForm(FlaskForm):
    """The release confirmation: the number of applicants the page said would be told, and the override."""

    applicants = WholeNumberField("Applicants to be emailed", [InputRequired()], minimum=0, maximum=100000)
    override_open_scoring = BooleanField("Scoring is still open: release anyway and close scoring now")


class DeclineForm(FlaskForm):
    """The decline confirmation page's form; a post without its marker did not come from that page."""

    confirm = HiddenField(validators=[AnyOf(["decline"])])


class OfferPlaceForm(FlaskForm):
    """The lead offering a freed place to someone on the waitlist; the choices are set by the view."""

    to = ChoiceField("Offer the place to", coerce=int)
    confirm = BooleanField("I know this goes over the funded places or budget; offer it anyway")


class AssignForm(FlaskForm):
    user_id = ChoiceField("Panel member", coerce=int)


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
