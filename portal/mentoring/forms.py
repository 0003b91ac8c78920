"""Mentoring forms: shape only; the rules live in services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (DateField, DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField,
                     URLField)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from portal.mentoring.models import Outcome, SectionStatus

AWARD_CHOICES = [("1", "Associate CMALT (or equivalent)"), ("2", "CMALT (or equivalent)"),
                 ("3", "Senior CMALT (or equivalent)")]
AWARD_NAMES = {"1": "Associate CMALT", "2": "CMALT", "3": "Senior CMALT"}


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""


class MentorProfileForm(FlaskForm):
    award_level = SelectField("Award you hold", choices=AWARD_CHOICES, validators=[InputRequired()])
    award_year = IntegerField("Year awarded", validators=[Optional(), NumberRange(1990, 2100)])
    department = StringField("Department", validators=[Length(max=200)],
                             description="Leave empty to use the department on your account.")
    campus = StringField("Campus", validators=[Length(max=120)],
                         description="Leave empty to use the campus on your account.")
    specialist_areas = StringField("Specialist areas", validators=[Length(max=600)],
                                   description="Separate with commas, e.g. accessibility, assessment.",
                                   render_kw={"list": "mentoring-area-suggestions"})
    capacity = IntegerField("How many mentees this year", default=1, validators=[InputRequired(), NumberRange(0, 20)])
    availability_notes = TextAreaField("Availability notes", validators=[Length(max=2000)])
    close_collaborators = TextAreaField(
        "Close collaborators", validators=[Length(max=2000)],
        description="Email addresses of colleagues you work closely with (one per line); you will not be matched "
                    "with them.")


class MenteeAreasForm(FlaskForm):
    class Meta:
        # Several of these forms can share a page (one per cohort), so each has a prefix; the
        # app-wide CSRFProtect still checks the plain csrf_token field on every post.
        csrf = False

    areas = StringField("Specialist areas you would like your mentor to share", validators=[Length(max=600)],
                        description="Separate with commas, e.g. accessibility, assessment.",
                        render_kw={"list": "mentoring-area-suggestions"})


class SwapForm(FlaskForm):
    mentor = SelectField("Mentor", coerce=int, validators=[InputRequired()])


class EndPairingForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=300)],
                         description="For example: the pair reports it is not working.")


class ConcernForm(FlaskForm):
    concern = TextAreaField("What is not working?", validators=[DataRequired(), Length(max=2000)],
                            description="The programme lead reads this and may find a new mentor.")


class SectionForm(FlaskForm):
    status = SelectField("Status", choices=[(s.value, s.label) for s in SectionStatus],
                         validators=[AnyOf([s.value for s in SectionStatus])])


class ProgressForm(FlaskForm):
    registered_on = DateField("Registered with the awarding body on", validators=[Optional()])
    deadline_session = SelectField("Target submission deadline", coerce=int, choices=[(0, "Another date (below)")],
                                   validators=[Optional()])
    target_deadline = DateField("Target submission date", validators=[Optional()])


class OutcomeForm(FlaskForm):
    outcome = SelectField("Outcome", choices=[("", "Not yet known")] + [(o.value, o.label) for o in Outcome],
                          validators=[AnyOf([""] + [o.value for o in Outcome])])


class MeetingForm(FlaskForm):
    held_on = DateField("Date of the meeting", validators=[InputRequired(message="Give the date of the meeting.")])
    duration_minutes = IntegerField("Duration in minutes", default=60,
                                    validators=[InputRequired(), NumberRange(5, 480)])
    notes = TextAreaField("Notes", validators=[Length(max=5000)])
    next_steps = TextAreaField("Agreed next steps", validators=[Length(max=3000)])
    next_meeting_at = DateTimeLocalField("Next meeting (optional)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                         description="UK time; it appears in both your calendar feeds.")


class ExampleForm(FlaskForm):
    pathway = SelectField("Pathway", coerce=int, validators=[InputRequired()])
    job_role = StringField("Job role", validators=[DataRequired(), Length(max=200)])
    specialist_areas = StringField("Specialist areas", validators=[Length(max=600)],
                                   description="Separate with commas.",
                                   render_kw={"list": "mentoring-area-suggestions"})
    summary = TextAreaField("Short summary", validators=[DataRequired(), Length(max=2000)])
    link_url = URLField("Link to the portfolio", validators=[Optional(), Length(max=500)],
                        description="Either a link or a PDF.")
    pdf = FileField("Or upload a PDF (at most 10 MB)", render_kw={"accept": "application/pdf,.pdf"})


class RegisterSearchForm(FlaskForm):
    class Meta:
        csrf = False

    pathway = SelectField("Pathway", coerce=int, validators=[Optional()])
    job_role = StringField("Job role", validators=[Length(max=200)])
    area = StringField("Specialist area", validators=[Length(max=80)],
                       render_kw={"list": "mentoring-area-suggestions"})


class HiddenStateForm(FlaskForm):
    value = HiddenField(validators=[AnyOf(["lock", "unlock", "pause", "resume"])])
