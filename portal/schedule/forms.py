"""Schedule forms: shape only; the rules live in services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.schedule.models import Audience, SessionKind


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class SessionForm(FlaskForm):
    kind = SelectField("Kind", choices=[(k.value, k.label) for k in SessionKind if k != SessionKind.OFFICE_HOURS]
                       + [(SessionKind.OFFICE_HOURS.value, SessionKind.OFFICE_HOURS.label)],
                       validators=[DataRequired()])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    day = DateField("Date", validators=[DataRequired()])
    all_day = BooleanField("All day (for example a submission deadline)")
    start_time = TimeField("Start time", validators=[Optional()], description="UK time, for example 14:00.")
    end_time = TimeField("End time", validators=[Optional()],
                         description="Leave empty for a deadline at a single moment.")
    end_day = DateField("Last day", validators=[Optional()],
                        description="Only if it runs over more than one day.")
    location = StringField("Room or place", validators=[Length(max=200)])
    online_url = URLField("Online meeting link", validators=[Optional(), Length(max=500)])
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(min=1, max=10000)],
                            description="Leave empty for no limit.")
    audience = SelectField("Who it is for", choices=[(a.value, a.label) for a in Audience])
    round_id = SelectField("Round", coerce=_optional_int, validate_choice=False)
    host_id = SelectField("Host", coerce=_optional_int, validate_choice=False)
    series_number = IntegerField("Number in the series", validators=[Optional(), NumberRange(min=1, max=100)],
                                 description="For example 3 in “Workshop 3 of 5”.")
    series_total = IntegerField("Sessions in the series", validators=[Optional(), NumberRange(min=1, max=100)])
    repeat_weeks = IntegerField("Repeat weekly for this many weeks", default=1,
                                validators=[Optional(), NumberRange(min=1, max=52)],
                                description="Workshops repeated like this are numbered “1 of n”, “2 of n”…")


class BlockForm(FlaskForm):
    title = StringField("Title", default="Office hours", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    first_day = DateField("First day", validators=[DataRequired()])
    start_time = TimeField("Start time", validators=[DataRequired()])
    end_time = TimeField("End time", validators=[DataRequired()])
    weeks = IntegerField("Weeks", default=1, validators=[DataRequired(), NumberRange(min=1, max=52)],
                         description="The block repeats on the same weekday and time each week.")
    slot_minutes = IntegerField("Slot length in minutes", default=20,
                                validators=[DataRequired(), NumberRange(min=5, max=240)])
    per_person = IntegerField("Slots one person may hold", default=1,
                              validators=[DataRequired(), NumberRange(min=1, max=20)])
    location = StringField("Room or place", validators=[Length(max=200)])
    online_url = URLField("Online meeting link", validators=[Optional(), Length(max=500)])
    audience = SelectField("Who it is for", choices=[(a.value, a.label) for a in Audience])
    round_id = SelectField("Round", coerce=_optional_int, validate_choice=False)
    host_id = SelectField("Host", coerce=_optional_int, validate_choice=False)


class CancelSessionForm(FlaskForm):
    reason = TextAreaField("Reason (sent to everyone booked)", validators=[Length(max=1000)])


class TermForm(FlaskForm):
    name = StringField("Term name", validators=[DataRequired(), Length(max=40)], description="For example HT24.")
    starts_on = DateField("Week 1 starts on", validators=[DataRequired()])
    weeks = IntegerField("Weeks", default=10, validators=[DataRequired(), NumberRange(min=1, max=30)])


class NoticeForm(FlaskForm):
    kind = SelectField("Kind", choices=[(k.value, k.label) for k in SessionKind])
    hours = IntegerField("Minimum notice in hours", validators=[InputRequired(message="Enter a number of hours."),
                                                                 NumberRange(min=0, max=720)])


class FeedForm(FlaskForm):
    label = StringField("Name for this link", validators=[Length(max=80)],
                        description="For example “Outlook on my laptop”, so you know which to revoke.")
    scope = SelectField("Feed", coerce=str, validate_choice=False)


class AlarmForm(FlaskForm):
    alarm_minutes = SelectField("Reminder", coerce=_optional_int, choices=[
        ("", "No reminder"), ("10", "10 minutes before"), ("30", "30 minutes before"), ("60", "1 hour before"),
        ("1440", "1 day before")])


class AttendanceForm(FlaskForm):
    attended = SelectField("Attendance", choices=[("yes", "Attended"), ("no", "Absent"), ("", "Not recorded")],
                           validate_choice=True)
