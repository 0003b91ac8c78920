"""Forms for the lead's administration pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length

from portal.auth.models import Role
from portal.outbox.models import OutboxStatus
from portal.web.fields import ChoiceField, FilterForm, LineField, RealDateField, search_field


class RoleChangeForm(FlaskForm):
    role = HiddenField(validators=[DataRequired(), AnyOf([r.value for r in Role])])
    action = HiddenField(validators=[DataRequired(), AnyOf(["grant", "revoke"])])


class PeopleSearchForm(FilterForm):
    q = search_field("Search by name, email or department", 200)
    role = ChoiceField("Role", choices=[("", "Any role")] + [(r.value, r.label) for r in Role], default="")


class OutboxFilterForm(FilterForm):
    status = ChoiceField("Status", choices=[("", "All")] + [(s.value, s.value.capitalize()) for s in OutboxStatus],
                         default="")


class AuditFilterForm(FilterForm):
    actor = search_field("Who", 200)
    action = search_field("What (action starts with)", 80)
    object_type = search_field("Object type", 40)


class InviteForm(FlaskForm):
    """An external person's invitation: the address (any domain), their name, one role and the expiry."""

    email = EmailField("Email address", validators=[DataRequired(), Email(), Length(max=254)])
    name = LineField("Name", validators=[DataRequired(), Length(max=200)])
    role = ChoiceField("Role", choices=[("", "Staff only (no extra role)"), ("panel", "Panel member"),
                                        ("mentor", "Mentor")], default="")
    account_expires_on = RealDateField(
        "Account works until", validators=[InputRequired(message="Enter the last day the account can sign in.")],
        description="The last day the account can sign in.")
