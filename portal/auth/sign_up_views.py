"""Sign-up with a proven address, re-sent links, and accepting an invitation (routes on the auth blueprint)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.auth import invitations, services, sign_up
from portal.auth.forms import AcceptInvitationForm, ConfirmEmailForm, ResendVerificationForm, SignUpForm
from portal.auth.limits import per_address, per_client
from portal.auth.token_pages import token_page
from portal.auth.views import bp
from portal.web.actions import attempt
from portal.web.csrf import keeps_input_on_csrf_failure


def _check_your_email():
    """The same answer for every address, whether or not it has an account."""
    hours = max(1, int(current_app.config["SIGN_UP_LINK_MAX_AGE"]) // 3600)
    return render_template("auth/sign_up_sent.html", hours=hours)


@bp.route("/sign-up", methods=["GET", "POST"], endpoint="sign_up")
@keeps_input_on_csrf_failure
@per_client
@per_address
def sign_up_page():
    form = SignUpForm()
    if form.validate_on_submit():
        done = attempt(lambda: sign_up.request_sign_up(form.email.data, form.name.data, form.password.data,
                                                       department=form.department.data or "",
                                                       job_title=form.job_title.data or ""),
                       form=form, field="email")
        if done:
            return _check_your_email()
    status = 400 if form.errors else 200
    return render_template("auth/sign_up.html", form=form, domains=services.allowed_domains()), status


@bp.route("/sign-up/resend", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@per_client
@per_address
def resend_verification():
    form = ResendVerificationForm()
    if form.validate_on_submit() and attempt(lambda: sign_up.resend_verification(form.email.data), form=form):
        return _check_your_email()
    status = 400 if form.errors else 200
    return render_template("auth/sign_up_resend.html", form=form), status


@bp.route("/verify/<token>", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@per_client
def verify_email(token: str):
    # A GET only shows the form, so a mail scanner that opens the link spends nothing.
    return token_page(
        token, find=sign_up.verification_for_token, form=ConfirmEmailForm(),
        refused=lambda message: render_template("auth/sign_up_resend.html", form=ResendVerificationForm(),
                                                token_error=message),
        act=lambda verification, form: sign_up.confirm_email(verification, form.password.data),
        done="Your email address is confirmed. Sign in to start.", template="auth/sign_up_verify.html",
        context=lambda verification: {"email": verification.user.email})


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@per_client
def accept_invitation(token: str):
    if current_user.is_authenticated:
        flash("Sign out first to accept an invitation for someone else.", "error")
        return redirect(url_for("main.home"))
    return token_page(
        token, find=invitations.invitation_for_token, form=AcceptInvitationForm(),
        refused=lambda message: render_template("auth/invitation.html", token_error=message),
        prefill=lambda invitation, form: setattr(form.name, "data", invitation.name),
        act=lambda invitation, form: invitations.accept_invitation(invitation, form.name.data, form.password.data),
        done="Your account is ready. Sign in with your email address and the password you chose.",
        template="auth/invitation.html", context=lambda invitation: {"invitation": invitation})
