"""Schedule forms: shape only; the rules live in services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.schedule.models import Audience, SessionKind
from portal.web.fields import (ChoiceField, FilterForm, LineField, RealDateField, RealTimeField, URLLineField,
                               WholeNumberField, optional_int)

KIND_CHOICES = ([(k.value, k.label) for k in SessionKind if k != SessionKind.OFFICE_HOURS]
                + [(SessionKind.OFFICE_HOURS.value, SessionKind.OFFICE_HOURS.label)])


class SessionForm(FlaskForm):
    kind = ChoiceField("Kind", choices=KIND_CHOICES, validators=[DataRequired()])
    title = LineField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    day = RealDateField("Date", validators=[DataRequired()])
    all_day = BooleanField("All day (for example a submission deadline)")
    start_time = RealTimeField("Start time", validators=[Optional()], description="UK time, for example 14:00.")
    end_time = RealTimeField("End time", validators=[Optional()],
                             description="Leave empty for a deadline at a single moment.")
    end_day = RealDateField("Last day", validators=[Optional()],
                            description="Only if it runs over more than one day.")
    location = LineField("Room or place", validators=[Length(max=200)])
    online_url = URLLineField("Online meeting link", validators=[Optional(), Length(max=500)])
    capacity = WholeNumberField("Capacity", [Optional()], minimum=1, maximum=10000,
                                description="Leave empty for no limit.")
    audience = ChoiceField("Who it is for", choices=[(a.value, a.label) for a in Audience])
    # The choices are the live rounds and active people, set by the view; an id not offered is refused here.
    round_id = ChoiceField("Round", coerce=optional_int)
    host_id = ChoiceField("Host", coerce=optional_int)
    series_number = WholeNumberField("Number in the series", [Optional()], minimum=1, maximum=100,
                                     description="For example 3 in “Workshop 3 of 5”.")
    series_total = WholeNumberField("Sessions in the series", [Optional()], minimum=1, maximum=100)
    repeat_weeks = WholeNumberField("Repeat weekly for this many weeks", [Optional()], minimum=1, maximum=52,
                                    default=1,
                                    description="Workshops repeated like this are numbered “1 of n”, “2 of n”…")


class BlockForm(FlaskForm):
    title = LineField("Title", default="Office hours", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    first_day = RealDateField("First day", validators=[DataRequired()])
    start_time = RealTimeField("Start time", validators=[DataRequired()])
    end_time = RealTimeField("End time", validators=[DataRequired()])
    weeks = WholeNumberField("Weeks", [InputRequired()], minimum=1, maximum=52, default=1,
                             description="The block repeats on the same weekday and time each week.")
    slot_minutes = WholeNumberField("Slot length in minutes", [InputRequired()], minimum=5, maximum=240, default=20)
    per_person = WholeNumberField("Slots one person may hold", [InputRequired()], minimum=1, maximum=20, default=1)
    location = LineField("Room or place", validators=[Length(max=200)])
    online_url = URLLineField("Online meeting link", validators=[Optional(), Length(max=500)])
    audience = ChoiceField("Who it is for", choices=[(a.value, a.label) for a in Audience])
    round_id = ChoiceField("Round", coerce=optional_int)
    host_id = ChoiceField("Host", coerce=optional_int)


class CancelSessionForm(FlaskForm):
    reason = TextAreaField("Reason (sent to everyone booked)", validators=[Length(max=1000)])


class TermForm(FlaskForm):
    name = LineField("Term name", validators=[DataRequired(), Length(max=40)], description="For example HT24.")
    starts_on = RealDateField("Week 1 starts on", validators=[DataRequired()])
    weeks = WholeNumberField("Weeks", [InputRequired()], minimum=1, maximum=30, default=10)


class NoticeForm(FlaskForm):
    kind = ChoiceField("Kind", choices=[(k.value, k.label) for k in SessionKind])
    hours = WholeNumberField("Minimum notice in hours", [InputRequired(message="Enter a number of hours.")],
                             minimum=0, maximum=720)


class FeedForm(FlaskForm):
    label = LineField("Name for this link", validators=[Length(max=80)],
                      description="For example “Outlook on my laptop”, so you know which to revoke.")
    # The choices are the feeds the person may have, set by the view.
    scope = ChoiceField("Feed", coerce=str)


class AlarmForm(FlaskForm):
    alarm_minutes = ChoiceField("Reminder", coerce=optional_int, choices=[
        ("", "No reminder"), ("10", "10 minutes before"), ("30", "30 minutes before"), ("60", "1 hour before"),
        ("1440", "1 day before")])


class AttendanceForm(FlaskForm):
    attended = ChoiceField("Attendance", choices=[("yes", "Attended"), ("no", "Absent"), ("", "Not recorded")])


class ManageFilterForm(FilterForm):
    """The lead's session list: upcoming or past, and of which kind."""

    when = ChoiceField("Show", choices=[("", "Upcoming"), ("past", "Past")], default="", id="manage-when")
    kind = ChoiceField("Kind", choices=[("", "Any kind")] + KIND_CHOICES, default="", id="manage-kind")


class MarkEveryoneForm(FlaskForm):
    """The confirmation of "mark everyone attended": the number of people the confirmation page named."""

    expected = WholeNumberField("People to mark attended", [InputRequired()], minimum=0, maximum=100000)
