"""Account forms: shape only; the rules live in services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.web.fields import LineField


def new_password_fields(label: str = "Password", description: str = "At least 10 characters; a short phrase is "
                        "easy to remember.") -> tuple[PasswordField, PasswordField]:
    """A new password and its repetition, as every form that sets one asks for them."""
    repeat = "Repeat the new password" if label.startswith("New") else "Repeat the password"
    return (PasswordField(label, validators=[DataRequired(), Length(max=256)], description=description,
                          render_kw={"autocomplete": "new-password"}),
            PasswordField(repeat, validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
                          render_kw={"autocomplete": "new-password"}))


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
    password, confirm = new_password_fields()
    submit = SubmitField("Create account")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField("Email me a reset link")


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields("New password", "At least 10 characters.")
    submit = SubmitField("Set new password")


class ButtonForm(FlaskForm):
    """A CSRF-only form for buttons that change state."""


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=256)],
                                     render_kw={"autocomplete": "current-password"})
    password, confirm = new_password_fields(
        "New password", "At least 10 characters. Every other device you are signed in on is signed out.")
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
    password, confirm = new_password_fields()
    submit = SubmitField("Create my account")
