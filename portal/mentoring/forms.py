"""Mentoring forms: shape only; the rules live in services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from portal.mentoring.models import Outcome, SectionStatus
from portal.web.fields import (ChoiceField, LineField, RealDateField, RealDateTimeField, URLLineField,
                               WholeNumberField)

AWARD_CHOICES = [("1", "Associate CMALT (or equivalent)"), ("2", "CMALT (or equivalent)"),
                 ("3", "Senior CMALT (or equivalent)")]
AWARD_NAMES = {"1": "Associate CMALT", "2": "CMALT", "3": "Senior CMALT"}


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""


class MentorProfileForm(FlaskForm):
    award_level = ChoiceField("Award you hold", choices=AWARD_CHOICES, validators=[InputRequired()])
    award_year = WholeNumberField("Year awarded", [Optional()], minimum=1990, maximum=2100)
    department = LineField("Department", validators=[Length(max=200)],
                           description="Leave empty to use the department on your account.")
    campus = LineField("Campus", validators=[Length(max=120)],
                       description="Leave empty to use the campus on your account.")
    specialist_areas = LineField("Specialist areas", validators=[Length(max=600)],
                                 description="Separate with commas, e.g. accessibility, assessment.",
                                 render_kw={"list": "mentoring-area-suggestions"})
    capacity = WholeNumberField("How many mentees this year", [InputRequired()], minimum=0, maximum=20, default=1)
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

    areas = LineField("Specialist areas you would like your mentor to share", validators=[Length(max=600)],
                      description="Separate with commas, e.g. accessibility, assessment.",
                      render_kw={"list": "mentoring-area-suggestions"})


class SwapForm(FlaskForm):
    mentor = ChoiceField("Mentor", coerce=int, validators=[InputRequired()])


class EndPairingForm(FlaskForm):
    reason = LineField("Reason", validators=[DataRequired(), Length(max=300)],
                       description="For example: the pair reports it is not working.")


class ConcernForm(FlaskForm):
    concern = TextAreaField("What is not working?", validators=[DataRequired(), Length(max=2000)],
                            description="The programme lead reads this and may find a new mentor.")


class SectionForm(FlaskForm):
    status = ChoiceField("Status", choices=[(s.value, s.label) for s in SectionStatus],
                         validators=[AnyOf([s.value for s in SectionStatus])])


class ProgressForm(FlaskForm):
    registered_on = RealDateField("Registered with the awarding body on", validators=[Optional()])
    deadline_session = ChoiceField("Target submission deadline", coerce=int, choices=[(0, "Another date (below)")],
                                   validators=[Optional()])
    target_deadline = RealDateField("Target submission date", validators=[Optional()])


class OutcomeForm(FlaskForm):
    outcome = ChoiceField("Outcome", choices=[("", "Not yet known")] + [(o.value, o.label) for o in Outcome],
                          validators=[AnyOf([""] + [o.value for o in Outcome])])


class MeetingForm(FlaskForm):
    held_on = RealDateField("Date of the meeting", validators=[InputRequired(message="Give the date of the meeting.")])
    duration_minutes = WholeNumberField("Duration in minutes", [InputRequired()], minimum=5, maximum=480, default=60)
    notes = TextAreaField("Notes", validators=[Length(max=5000)])
    next_steps = TextAreaField("Agreed next steps", validators=[Length(max=3000)])
    next_meeting_at = RealDateTimeField("Next meeting (optional)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                        description="UK time; it appears in both your calendar feeds.")


class ExampleForm(FlaskForm):
    pathway = ChoiceField("Pathway", coerce=int, validators=[InputRequired()])
    job_role = LineField("Job role", validators=[DataRequired(), Length(max=200)])
    specialist_areas = LineField("Specialist areas", validators=[Length(max=600)],
                                 description="Separate with commas.",
                                 render_kw={"list": "mentoring-area-suggestions"})
    summary = TextAreaField("Short summary", validators=[DataRequired(), Length(max=2000)])
    link_url = URLLineField("Link to the portfolio", validators=[Optional(), Length(max=500)],
                            description="Either a link or a PDF.")
    pdf = FileField("Or upload a PDF (at most 10 MB)", render_kw={"accept": "application/pdf,.pdf"})


class RegisterSearchForm(FlaskForm):
    class Meta:
        csrf = False

    pathway = ChoiceField("Pathway", coerce=int, validators=[Optional()])
    job_role = LineField("Job role", validators=[Length(max=200)])
    area = LineField("Specialist area", validators=[Length(max=80)],
                     render_kw={"list": "mentoring-area-suggestions"})


class HiddenStateForm(FlaskForm):
    value = HiddenField(validators=[AnyOf(["lock", "unlock", "pause", "resume"])])
