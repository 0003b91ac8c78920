"""The reminders switches."""
from __future__ import annotations

from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField
from wtforms.validators import Optional


class RemindersForm(FlaskForm):
    wants_reminders = BooleanField("Send me reminders (sessions, deadlines, mentoring nudges)")
    membership_fee = BooleanField("Remind me a month before the awarding body's annual membership fee is due")
    portfolio_review = BooleanField("Remind me a month before my three-yearly portfolio review")
    awarded_on = DateField("Date of your award", validators=[Optional()],
                           description="Anniversaries are counted from this day.")

    def validate(self, extra_validators=None) -> bool:
        # Not a field validator: Optional() would stop the chain before it ran on an empty date.
        ok = super().validate(extra_validators)
        if ok and (self.membership_fee.data or self.portfolio_review.data) and not self.awarded_on.data:
            self.awarded_on.errors = ["Enter the date of your award so we know when to remind you."]
            return False
        if ok and self.awarded_on.data and self.awarded_on.data > date.today() + timedelta(days=1):
            self.awarded_on.errors = ["The date of your award cannot be in the future."]
            return False
        return ok
