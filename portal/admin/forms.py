"""Forms for the lead's administration pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired

from portal.auth.models import Role
from portal.outbox.models import OutboxStatus
from portal.web.fields import ChoiceField, FilterForm, search_field


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
