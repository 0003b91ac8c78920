"""Forms for the lead's administration pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from portal.auth.models import Role


class RoleChangeForm(FlaskForm):
    role = HiddenField(validators=[DataRequired(), AnyOf([r.value for r in Role])])
    action = HiddenField(validators=[DataRequired(), AnyOf(["grant", "revoke"])])


class PeopleSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search by name, email or department", validators=[Length(max=200)])
    role = SelectField("Role", choices=[("", "Any role")] + [(r.value, r.label) for r in Role])
