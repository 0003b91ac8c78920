"""Sign-up, sign-in, sign-out and password reset pages."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from portal.audit.services import record
from portal.auth import services
from portal.auth.forms import ButtonForm, ResetPasswordForm, ResetRequestForm, SignInForm, SignUpForm
from portal.extensions import db, limiter
from portal.web.actions import attempt
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.errors import error_page
from portal.web.redirects import next_or

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.errorhandler(429)
def too_many_attempts(error):
    """Too many sign-in attempts: the sign-in page itself, with its form, says so; others get the 429 page."""
    if request.endpoint != "auth.sign_in":
        return error_page(error)
    return render_template("auth/sign_in.html", form=SignInForm(),
                           error="Too many sign-in attempts. Wait a minute and try again."), 429


@bp.route("/sign-in", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@limiter.limit(_login_limit, methods=["POST"])
def sign_in():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_or(url_for("main.home")))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            flash(f"Signed in as {user.name}.", "success")
            return redirect(next_or(url_for("main.home")), 303)
        db.session.rollback()
        error = "That email address and password do not match an account. Check them and try again."
    status = 200 if request.method == "GET" else (400 if form.errors or error else 200)
    return render_template("auth/sign_in.html", form=form, error=error), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    form = ButtonForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        record(current_user, "auth.signed_out", current_user)
        db.session.commit()
        logout_user()
        flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"), 303)


@bp.route("/sign-up", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        done = attempt(lambda: services.sign_up(form.email.data, form.name.data, form.password.data,
                                                department=form.department.data or "",
                                                job_title=form.job_title.data or ""),
                       form=form, field="email")
        if done:
            login_user(done.value)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("main.home"), 303)
    status = 400 if form.errors else 200
    return render_template("auth/sign_up.html", form=form, domains=services.allowed_domains()), status


@bp.route("/reset", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@limiter.limit(_login_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash("If an account exists for that address, we have emailed it a link to choose a new password. "
              "The link works for an hour.", "success")
        return redirect(url_for("auth.sign_in"), 303)
    status = 400 if form.errors else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
def reset_password(token: str):
    try:
        user = services.user_for_reset_token(token)
    except services.AccountError as exc:
        return render_template("auth/reset_request.html", form=ResetRequestForm(), token_error=exc.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit() and attempt(lambda: services.reset_password(user, form.password.data),
                                             form=form, field="password"):
        flash("Your password has been changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.sign_in"), 303)
    status = 400 if form.errors else 200
    return render_template("auth/reset_password.html", form=form, token=token), status
