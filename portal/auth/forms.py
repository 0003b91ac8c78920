"""Account forms: shape only; the rules live in services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.web.fields import LineField


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class SignUpForm(FlaskForm):
    name = LineField("Full name", validators=[DataRequired(), Length(max=200)],
                     render_kw={"autocomplete": "name"})
    email = EmailField("Institution email address", validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    job_title = LineField("Job title", validators=[Length(max=200)], render_kw={"autocomplete": "organization-title"})
    department = LineField("Department or school", validators=[Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)],
                             description="At least 10 characters; a short phrase is easy to remember.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Create account")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField("Email me a reset link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)],
                             description="At least 10 characters.", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set new password")


class ButtonForm(FlaskForm):
    """A CSRF-only form for buttons that change state."""


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=256)],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)],
                             description="At least 10 characters. Every other device you are signed in on "
                                         "is signed out.", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Change password")


class ResendVerificationForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField("Send me a new link")


class ConfirmEmailForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)],
                             description="The password you chose when you created the account.",
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Confirm my address")


class AcceptInvitationForm(FlaskForm):
    name = LineField("Full name", validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)],
                             description="At least 10 characters; a short phrase is easy to remember.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Create my account")
