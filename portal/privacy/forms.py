"""The reminders switches, and the lead's choice of whose data to export."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import Length, Optional

from portal.db_types import utcnow
from portal.timeutil import to_local
from portal.web.fields import LineField, RealDateField


class ExportForForm(FlaskForm):
    email = LineField("Their email address", [Length(max=320, message="An email address has at most 320 characters.")],
                      description="The colleague who asked for their data (a subject access request).")


class RemindersForm(FlaskForm):
    wants_reminders = BooleanField("Send me reminders (sessions, deadlines, mentoring nudges)")
    membership_fee = BooleanField("Remind me a month before the awarding body's annual membership fee is due")
    portfolio_review = BooleanField("Remind me a month before my three-yearly portfolio review")
    awarded_on = RealDateField("Date of your award", validators=[Optional()],
                               description="Anniversaries are counted from this day.")

    def validate(self, extra_validators=None) -> bool:
        # Not a field validator: Optional() would stop the chain before it ran on an empty date.
        ok = super().validate(extra_validators)
        if ok and (self.membership_fee.data or self.portfolio_review.data) and not self.awarded_on.data:
            self.awarded_on.errors = ["Enter the date of your award so we know when to remind you."]
            return False
        # Today on the institution's calendar, not the server's: they differ around midnight.
        if ok and self.awarded_on.data and self.awarded_on.data > to_local(utcnow()).date():
            self.awarded_on.errors = ["The date of your award cannot be in the future."]
            return False
        return ok
